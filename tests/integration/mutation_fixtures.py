"""A small project for mutation runs: a module, tests that kill most of its mutants."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import Repo

CALC = '''\
"""Arithmetic with a few weakly tested corners."""


def add(left: int, right: int) -> int:
    """The sum."""
    return left + right


def is_positive(value: int) -> bool:
    """Whether ``value`` is above zero (the tests never try zero: a survivor)."""
    return value > 0


def clamp(value: int, low: int, high: int) -> int:
    """``value`` limited to [low, high]."""
    if value < low:
        return low
    if value > high:
        return high
    return value


def untested(value: int) -> int:
    """No test calls this: its mutants are no-coverage."""
    return value * 3
'''

CALC_TESTS = """\
from pkg.calc import add, clamp, is_positive


def test_add() -> None:
    assert add(2, 3) == 5


def test_is_positive() -> None:
    assert is_positive(5)
    assert not is_positive(-5)


def test_clamp() -> None:
    assert clamp(5, 0, 10) == 5
    assert clamp(-1, 0, 10) == 0
    assert clamp(11, 0, 10) == 10
"""

MUTATION_CONFIG = """\
[tool.qualitykit.mutation]
modules = ["src/pkg/calc.py"]
tests = ["tests/unit"]
workers = 2
"""


# Each test takes 50 ms: a run spans several result flushes, so a signal lands mid-run.
SLOW_ENOUGH_TO_KILL = """

import time as _time

import pytest as _pytest


@_pytest.fixture(autouse=True)
def _slow_enough_to_be_killed_mid_run() -> None:
    _time.sleep(0.05)
"""


def make_calc(repo: Repo, *, config: str = MUTATION_CONFIG, tests: str = CALC_TESTS) -> None:
    """The fixture project with calc.py, its tests and the mutation config, committed."""
    repo.write("src/pkg/calc.py", CALC)
    repo.write("tests/unit/test_calc.py", tests)
    pyproject = (repo.root / "pyproject.toml").read_text(encoding="utf-8")
    (repo.root / "pyproject.toml").write_text(pyproject + "\n" + config, encoding="utf-8")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "fixture")


def result(repo: Repo) -> dict[str, Any]:
    """The last run's result.json."""
    path = repo.root / ".qualitykit" / "mutation" / "result.json"
    return dict(json.loads(path.read_text(encoding="utf-8")))


def outcomes(repo: Repo) -> dict[str, str]:
    """mutant id -> outcome of the last run."""
    return {mutant["id"]: mutant["outcome"] for mutant in result(repo)["mutants"]}


def tree_is_pristine(repo: Repo) -> bool:
    """Every tracked file equals HEAD and nothing untracked appeared (ignored state aside)."""
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=repo.root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return status == ""


def processes_under(directory: Path) -> list[int]:
    """Pids of live processes whose working directory is inside ``directory``."""
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = (entry / "cwd").readlink()
            state = (entry / "stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()[0]
        # qualitykit: allow[QK-EXC-002] a process that ended meanwhile has no /proc entry
        except OSError:
            continue
        if state != "Z" and cwd.is_relative_to(directory):
            found.append(int(entry.name))
    return found
