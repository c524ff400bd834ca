"""``python -m qualitykit.adapters.pytest_select --plan PLAN -- PYTEST_ARGS``: the regression run.

Runs pytest as the regression step's incremental plan asks (``qualitykit.steps.regression``):
a full plan runs it as it is; any other one loads the incremental plugin with the plan's
selection, which keeps the selected tests and every test the coverage step's stored run never
ran. pytest's own output goes to stderr; stdout carries one JSON document:
``{"pytest_exit": N, "reused": bool, "total": N | null, "unknown": N | null}``. ``reused``:
every collected test ran (and passed) in the stored run and none was selected, so nothing ran;
the step takes the stored run's verdict. A "reuse" plan that knows what pytest would collect
(``collects``) starts no pytest at all. Exit 0 when it ran.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from qualitykit.incremental import run

_NO_TESTS_RAN = 5  # pytest: no tests collected, or all deselected


def main(argv: list[str] | None = None) -> int:
    """Run the regression suite as planned and describe what ran."""
    parser = argparse.ArgumentParser(prog="qualitykit.adapters.pytest_select")
    parser.add_argument("--plan", required=True)
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    pytest_args = [arg for arg in args.pytest_args if arg != "--"]
    command = [sys.executable, "-m", "pytest", *pytest_args]
    plan = run.read_plan(Path(args.plan))
    if plan.mode == "reuse" and plan.collects is not None:
        # The store proves what pytest would collect: all known, none selected.
        json.dump({"pytest_exit": 0, "reused": True, "total": plan.collects}, sys.stdout)
        return 0
    if plan.mode == "full":
        suite = subprocess.run(  # noqa: S603 - argv list; the step's timeout ends our group
            command, stdout=sys.stderr, check=False
        )
        json.dump({"pytest_exit": suite.returncode}, sys.stdout)
        return 0
    with run.temporary() as work:
        pytest_exit = run.run_suite(plan, command, Path(work))
        record = run.read_record(Path(work))
    report: dict[str, object] = {"pytest_exit": pytest_exit}
    if record is not None:
        ran = set(record.fixtures)  # the tests that went through pytest's run protocol
        report["total"] = len(record.tests)
        report["unknown"] = len(ran - set(plan.known))
        # Collected, all known, none selected: pytest said "all deselected" (exit 5). Nothing
        # else ends that way with tests recorded (a collection error is exit 2).
        report["reused"] = pytest_exit == _NO_TESTS_RAN and bool(record.tests) and not ran
    json.dump(report, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
