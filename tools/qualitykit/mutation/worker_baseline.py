"""The worker's ``baseline`` mode: the unmutated suite once, under per-test coverage contexts.

Standard library, pytest and coverage.py only (see ``worker.py``). Writes a JSON report: the
tests, their durations, failures, and the lines of the mutated modules each test executes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import worker_process as process  # noqa: TID252 - run in a private package, see worker.py

if TYPE_CHECKING:
    import pytest
    from coverage import Coverage


# The baseline measures with its own coverage.Coverage, which pauses any outer measurement
# (such as this project's coverage step): its lines cannot be measured from outside.
class _Recorder:  # pragma: no cover
    """A pytest plugin: one coverage context per test, durations and failures per test."""

    def __init__(self, coverage: Coverage) -> None:
        self.coverage = coverage
        self.tests: list[str] = []
        self.durations: dict[str, float] = {}
        self.failed: list[str] = []

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.tests = [item.nodeid for item in session.items]
        self.coverage.switch_context("")

    def pytest_collectstart(self, collector: pytest.Collector) -> None:
        # Code a test module runs when it is imported: "collect:" and the module's path.
        if getattr(collector, "path", None) is not None and collector.nodeid.endswith(".py"):
            self.coverage.switch_context(f"collect:{collector.nodeid}")

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if str(report.nodeid).endswith(".py"):
            self.coverage.switch_context("")

    def pytest_runtest_logstart(self, nodeid: str, location: object) -> None:
        del location
        self.coverage.switch_context(nodeid)

    def pytest_runtest_logfinish(self, nodeid: str, location: object) -> None:
        del nodeid, location
        self.coverage.switch_context("")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        nodeid = str(report.nodeid)
        self.durations[nodeid] = self.durations.get(nodeid, 0.0) + float(report.duration)
        if report.failed and nodeid not in self.failed:
            self.failed.append(nodeid)


def baseline(spec: dict[str, Any]) -> int:  # pragma: no cover - see _Recorder
    """Run the suite once under coverage contexts; write the JSON report to ``spec['output']``."""
    output = Path(spec["output"])
    process.setup_paths(spec)
    process.redirect_output(spec["log"])
    import coverage  # noqa: PLC0415
    import pytest  # noqa: PLC0415

    root = Path(spec["root"]).resolve()
    files = {str(root / module): module for module in spec["modules"]}
    cov = coverage.Coverage(data_file=None, include=list(files), config_file=False)
    recorder = _Recorder(cov)
    cov.start()
    try:
        code = int(
            pytest.main(
                [*spec["pytest_args"], "-p", "no:cacheprovider", process.basetemp(root)],
                plugins=[recorder],
            )
        )
    finally:
        cov.stop()
    data = cov.get_data()
    lines: dict[str, dict[str, list[str]]] = {}
    for path in data.measured_files():
        module = files.get(path)
        if module is None:
            continue
        by_line = data.contexts_by_lineno(path)
        lines[module] = {str(line): sorted(set(contexts)) for line, contexts in by_line.items()}
    report = {
        "exit": code,
        "tests": recorder.tests,
        "durations": recorder.durations,
        "failed": recorder.failed,
        "lines": lines,
    }
    output.write_text(json.dumps(report), encoding="utf-8")
    return 0
