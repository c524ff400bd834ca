"""``python -m qualitykit.adapters.coverage_run --rcfile RC --json J --xml X -- PYTEST_ARGS``.

Runs pytest under coverage.py (the settings, subprocess measurement included, come from the
generated rcfile), combines the parallel data files, and writes the JSON and Cobertura XML
reports. pytest's own output goes to stderr; stdout carries one JSON document:
``{"pytest_exit": N, "error": null | "why no report was written"}``. Exit 0 when it ran.

``--incremental PLAN``: the run the plan asks for (``qualitykit.incremental.run``): all tests,
some (merged into the stored per-test data) or none (the stored data reported as it is).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import multiprocessing
import sqlite3
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from coverage import Coverage
from coverage.exceptions import CoverageException

_NO_TESTS_RAN = 5  # pytest: no tests collected, or all deselected


def _pytest_cov_active(pytest_args: list[str]) -> bool:
    disabled = {"no:pytest_cov", "no:cov"}
    if any(arg in disabled or arg.removeprefix("-p") in disabled for arg in pytest_args):
        return False
    return importlib.util.find_spec("pytest_cov") is not None


def main(argv: list[str] | None = None) -> int:
    """Run the suite under coverage and write the reports."""
    parser = argparse.ArgumentParser(prog="qualitykit.adapters.coverage_run")
    parser.add_argument("--rcfile", required=True)
    parser.add_argument("--json", required=True, dest="json_path")
    parser.add_argument("--xml", required=True, dest="xml_path")
    parser.add_argument("--incremental", default=None, dest="plan")
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    pytest_args = [arg for arg in args.pytest_args if arg != "--"]
    if _pytest_cov_active(pytest_args):
        # A project whose addopts say --cov (parse, python-dateutil) would have pytest-cov
        # start a second coverage inside ours: it takes the tracer over and ours records
        # nothing ("No data to report"). --no-cov keeps the plugin loaded (its marks and
        # fixtures stay) without measuring; the project's own runs are unchanged.
        pytest_args.append("--no-cov")
    Coverage(config_file=args.rcfile).erase()
    command = [sys.executable, "-m", "coverage", "run", f"--rcfile={args.rcfile}", "-m", "pytest"]
    if args.plan is not None:
        return incremental(args, [*command, *pytest_args])
    suite = subprocess.run(  # noqa: S603 - argv list; the step's timeout ends our process group
        [*command, *pytest_args], stdout=sys.stderr, check=False
    )
    error = _report(args)
    json.dump({"pytest_exit": suite.returncode, "error": error}, sys.stdout)
    return 0


def _combine(args: argparse.Namespace) -> str | None:
    """Combine the parallel data files into one (reported after the merge); or why not."""
    try:
        measured = Coverage(config_file=args.rcfile)
        measured.combine(strict=True)
        measured.save()
    except CoverageException as problem:
        return str(problem)
    return None


def _xml_report(rcfile: str, xml_path: str) -> str | None:
    """The Cobertura XML report of the saved data (in a process of its own); or why not."""
    try:
        measured = Coverage(config_file=rcfile)
        measured.load()
        measured.xml_report(outfile=xml_path)
    except CoverageException as problem:
        return str(problem)
    return None


def _report(args: argparse.Namespace, *, combine: bool = True) -> str | None:
    """Combine the parallel data (unless given combined) and write the reports; or why not.

    The two reports each analyse every measured file again (coverage.py keeps no analysis
    between reports): the XML one is written in a forked process while this one writes the
    JSON, which halves the wait on a machine with two cores.
    """
    error = _combine(args) if combine else None
    if error is not None:
        return error
    try:
        measured = Coverage(config_file=args.rcfile)
        measured.load()
    except CoverageException as problem:
        return str(problem)
    fork = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=fork) as pool:
        xml = pool.submit(_xml_report, args.rcfile, args.xml_path)
        try:
            measured.json_report(outfile=args.json_path)
        except CoverageException as problem:
            return str(problem)
        try:
            return xml.result()
        # qualitykit: allow[QK-EXC-002] the step's error: it names the missing report
        except BrokenProcessPool:
            return "the process writing the XML report ended without writing it"


def incremental(args: argparse.Namespace, command: list[str]) -> int:
    """The run an incremental plan asks for; the stored data kept only when it all passed."""
    # qualitykit: allow[QK-INT-070] imported on use: pydantic only for the incremental run
    from qualitykit.incremental import report, run, store  # noqa: PLC0415

    # qualitykit: allow[QK-INT-070] imported on use, with the rest of the incremental run
    from qualitykit.incremental.merge import MergeError  # noqa: PLC0415

    plan = run.read_plan(Path(args.plan))
    data_file = Path(Coverage(config_file=args.rcfile).config.data_file).resolve()
    reports = (Path(args.json_path), Path(args.xml_path))
    if plan.mode == "reuse":
        run.reuse(plan, data_file)
        # The data is the stored one: only a file whose source changed (one declared
        # irrelevant) can report otherwise.
        redo = run.changed(plan)
        patched = report.patch(args.rcfile, reports, store.report_paths(Path(plan.store)), redo)
        error = None if patched else _report(args, combine=False)
        if error is None:
            run.keep_reused(plan)
        known = len(plan.known)
        json.dump({"pytest_exit": 0, "error": error, "reused": True, "total": known}, sys.stdout)
        return 0
    with run.temporary() as work:
        pytest_exit = run.run_suite(plan, command, Path(work))
        record = run.read_record(Path(work))
    if plan.mode == "partial" and pytest_exit == _NO_TESTS_RAN:
        # Every selected test is gone (their module lost them) and none is new: nothing
        # proves the rest unaffected by the edit that removed them, so the run is a full one.
        plan = plan.model_copy(
            update={"mode": "full", "reason": "full run: every selected test is gone"}
        )
        Path(args.plan).write_text(plan.model_dump_json(), encoding="utf-8")
        Coverage(config_file=args.rcfile).erase()
        with run.temporary() as work:
            pytest_exit = run.run_suite(plan, command, Path(work))
            record = run.read_record(Path(work))
    error = _combine(args) if plan.mode == "partial" else _report(args)
    if error is None and record is None:
        error = "the incremental plugin recorded nothing (the suite ended early)"
    if error is None and record is not None and plan.mode == "partial":
        try:
            redo = run.merge_into(plan, record, data_file)
        except (MergeError, CoverageException, OSError, sqlite3.Error) as problem:
            error = f"cannot merge with the stored per-test data: {problem}"
        else:
            # Only the files whose entries can differ are analysed again, if the stored
            # reports allow it; else both reports in full.
            stored = store.report_paths(Path(plan.store))
            if not report.patch(args.rcfile, reports, stored, redo):
                error = _report(args, combine=False)
    if error is None and record is not None and pytest_exit == 0:
        run.keep(plan, record, data_file, reports)
    else:
        store.forget(Path(plan.store))
    total = len(record.tests) if record is not None else None
    json.dump({"pytest_exit": pytest_exit, "error": error, "total": total}, sys.stdout)
    return 0


def _measured_main() -> int:
    """``main``, keeping the measurement of this process when something measures it.

    coverage.py stops a measurement it started by itself in a subprocess (``patch =
    subprocess``) from saving once the process makes a ``Coverage`` object of its own, as this
    runner does to combine and report: a project measuring its subprocesses (this one's suite
    runs the gate on fixture projects) would get none of this runner's lines. It is saved here.
    """
    measuring = Coverage.current()
    try:
        return main()
    finally:
        if measuring is not None:
            measuring.save()


if __name__ == "__main__":
    sys.exit(_measured_main())
