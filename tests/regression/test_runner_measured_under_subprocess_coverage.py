"""Fixed: measured as a subprocess, the coverage runner saved none of its own lines.

Broke: coverage.py stops a measurement it started by itself in a subprocess (``patch =
subprocess``) from saving once the process makes a ``Coverage`` object of its own, which the
runner does to combine and report. A project measuring its subprocesses (this one's suite
runs the gate on fixture projects) got only what the runner's forked XML writer saved: no
line of ``main``, the merge or the combine was ever counted. The runner now saves that
measurement itself.
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from coverage import CoverageData

from integration.test_coverage_step import setup
from qualitykit.adapters import coverage_run

if TYPE_CHECKING:
    from conftest import Repo


def test_the_runner_keeps_its_own_measurement(repo: Repo, tmp_path: Path) -> None:
    runner = Path(inspect.getsourcefile(coverage_run) or "")
    outer = tmp_path / "outer"
    outer.mkdir()
    rcfile = tmp_path / "outer.rc"
    rcfile.write_text(
        f"[run]\nsource = {runner.parent}\nparallel = true\ndata_file = {outer / 'data'}\n",
        encoding="utf-8",
    )
    setup(repo)
    # The test's measurement of the gate's subprocesses replaces this suite's own (if any).
    env = {name: value for name, value in os.environ.items() if name != "COVERAGE_PROCESS_CONFIG"}
    env |= {"COVERAGE_PROCESS_START": str(rcfile), "PYTHONPATH": "src"}
    run = subprocess.run(
        [sys.executable, "-m", "qualitykit", "gate"],
        cwd=repo.root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert run.returncode in {0, 1}, run.stderr  # the fixture's floor decides; the runner ran
    measured: set[int] = set()
    for path in outer.glob("data.*"):  # no Coverage object here: this process stays measured
        data = CoverageData(basename=str(path))
        data.read()
        measured |= set(data.lines(str(runner)) or ())
    lines, start = inspect.getsourcelines(coverage_run.main)
    body = set(range(start + 2, start + len(lines)))
    assert measured & body, (sorted(measured), start)
