"""``python -m qualitykit.adapters.coverage_run --rcfile RC --json J --xml X -- PYTEST_ARGS``.

Runs pytest under coverage.py (the settings, subprocess measurement included, come from the
generated rcfile), combines the parallel data files, and writes the JSON and Cobertura XML
reports. pytest's own output goes to stderr; stdout carries one JSON document:
``{"pytest_exit": N, "error": null | "why no report was written"}``. Exit 0 when it ran.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys

from coverage import Coverage
from coverage.exceptions import CoverageException


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
    suite = subprocess.run(  # noqa: S603 - argv list; the step's timeout ends our process group
        [
            sys.executable,
            "-m",
            "coverage",
            "run",
            f"--rcfile={args.rcfile}",
            "-m",
            "pytest",
            *pytest_args,
        ],
        stdout=sys.stderr,
        check=False,
    )
    error: str | None = None
    try:
        measured = Coverage(config_file=args.rcfile)
        measured.combine(strict=True)
        measured.save()
        measured.json_report(outfile=args.json_path)
        measured.xml_report(outfile=args.xml_path)
    except CoverageException as problem:
        error = str(problem)
    json.dump({"pytest_exit": suite.returncode, "error": error}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
