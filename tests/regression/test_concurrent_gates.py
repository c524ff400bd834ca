"""Two gates at once in one project: the second waits for the first, both pass, nothing mixed.

Broke: runs share ``.qualitykit/`` (coverage data, JUnit reports, results, logs), so two
``gate --no-cache`` started together combined or deleted each other's coverage data and one
failed with "no coverage data: No data to combine": a red gate for a green project, or worse,
one run judging the other's reports. Now a run holds an flock on ``.qualitykit/lock``; the
other says so on stderr (with the holder's pid) and waits.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Repo

SHAPES = '''\
"""Shapes."""


def area(width: int, height: int) -> int:
    """Area."""
    return width * height
'''
# Claims a file every run shares, holds it a while, then checks that it is still its own.
CLAIM = """\
import os, pathlib, sys, time

shared = pathlib.Path(".qualitykit/shared-claim")
shared.parent.mkdir(exist_ok=True)
shared.write_text(str(os.getpid()))
time.sleep(1.5)
sys.exit(shared.read_text() != str(os.getpid()))
"""
TEST_AREA = """\
from pkg.shapes import area


def test_area() -> None:
    assert area(2, 3) == 6
"""


def _start(repo: Repo) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": "src"}
    env.pop("GITHUB_ACTIONS", None)
    env.pop("GITHUB_STEP_SUMMARY", None)
    return subprocess.Popen(
        [sys.executable, "-m", "qualitykit", "gate", "--no-cache", "--json"],
        cwd=repo.root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run_two_at_once(repo: Repo, gate: set[str]) -> None:
    """Start two gates together; both pass with whole results, and one waited for the other."""
    gates = [_start(repo), _start(repo)]
    runs = [(process, *process.communicate(timeout=300)) for process in gates]

    for process, stdout, stderr in runs:
        assert process.returncode == 0, stderr
        assert "Traceback" not in stderr, stderr
        steps = {step["step"]: step for step in json.loads(stdout)["steps"]}
        assert set(steps) == gate, stderr
        assert {step["status"] for step in steps.values()} == {"pass"}, stderr
    waited = [
        stderr
        for (_, _, stderr), other in zip(runs, reversed(gates), strict=True)
        if f"another qualitykit run (pid {other.pid}) is using this project; waiting for it"
        in stderr
    ]
    assert len(waited) == 1, [stderr for _, _, stderr in runs]
    assert set(repo.summary()) == gate


def test_two_gates_at_once_never_share_a_file_mid_run(repo: Repo) -> None:
    repo.write("claim.py", CLAIM)
    repo.configure(
        'gate = ["claim"]\n[tool.qualitykit.commands.claim]\ncommand = ["python", "claim.py"]\n'
    )

    _run_two_at_once(repo, {"claim"})


@pytest.mark.slow
def test_two_coverage_gates_at_once_both_measure(repo: Repo) -> None:
    """The reported case: the real coverage step, whose data files both runs would combine."""
    repo.configure(
        'gate = ["coverage"]\n'
        '[tool.qualitykit.coverage]\ntests = ["tests"]\nratchet = false\n'
        '[tool.coverage.run]\nsource = ["src/pkg"]\n'
    )
    repo.write("src/pkg/shapes.py", SHAPES)
    repo.write("tests/test_area.py", TEST_AREA)

    _run_two_at_once(repo, {"coverage"})

    coverage = repo.summary()["coverage"]["coverage"]
    assert coverage["total"]["percent"] == 100.0, coverage
