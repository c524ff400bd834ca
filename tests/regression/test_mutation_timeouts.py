"""Timeouts are confirmed before they count, and compiling mutants prints nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from integration.mutation_fixtures import make_calc, result

if TYPE_CHECKING:
    from conftest import Repo

SLOW = '''\
"""Waiting, the way a real project did it."""

import time


def wait(delay_seconds: int = 0) -> str:
    """Sleep ``delay_seconds``, then say so."""
    time.sleep(delay_seconds)
    return "done"
'''

SLOW_TESTS = """\
from pkg.slow import wait


def test_wait() -> None:
    assert wait() == "done"
"""


def test_a_mutant_that_only_slows_the_code_down_is_a_survivor(repo: Repo) -> None:
    """``delay_seconds: int = 0`` -> ``= 1``: every test passes, only more slowly.

    On a real project that mutant passed every test in 18 s while its derived budget was
    2.2 s: it was called a timeout, which is left out of the score, so a real survivor was
    hidden and the score inflated. A timeout now counts only once the mutant, run again alone
    with a much larger (bounded) budget, still does not finish.
    """
    repo.write("src/pkg/slow.py", SLOW)
    make_calc(
        repo,
        config='[tool.qualitykit.mutation]\nmodules = ["src/pkg/slow.py"]\n'
        'tests = ["tests/unit/test_calc.py"]\nworkers = 2\n'
        "timeout-min = 0.3\ntimeout-factor = 1.0\n",
        tests=SLOW_TESTS,
    )

    run = repo.qualitykit("mutation", "run", "--no-threshold")

    assert run.returncode == 0, run.stderr
    slower = [m for m in result(repo)["mutants"] if "delay_seconds: int = 1" in m["diff"]]
    assert [m["outcome"] for m in slower] == ["survived"]
    assert result(repo)["counts"]["timeout"] == 0


def test_compiling_mutants_prints_no_syntax_warning(repo: Repo) -> None:
    """A mutant such as ``value is "one"`` printed a SyntaxWarning into the user's output.

    qualitykit compiles mutants to tell incompetent ones apart; the compiler's warnings about
    code nobody wrote are noise in the middle of the run's report.
    """
    make_calc(repo)
    source = (repo.root / "src/pkg/calc.py").read_text(encoding="utf-8")
    repo.write(
        "src/pkg/calc.py",
        source + '\n\ndef is_one(value: str) -> bool:\n    return value == "one"\n',
    )
    repo.git("commit", "-qam", "is_one")

    run = repo.qualitykit("mutation", "run")

    assert run.returncode == 0, run.stderr
    assert any('value is "one"' in m["diff"] for m in result(repo)["mutants"])
    assert "SyntaxWarning" not in run.stderr
    assert "SyntaxWarning" not in run.stdout
