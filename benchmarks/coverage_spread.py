"""Is the coverage of a suite deterministic? Run it N times and print the spread.

Run: ``.venv/bin/python -m benchmarks.coverage_spread [--runs 5] [--keep DIR] [JSON ...]``.
Each run is ``qualitykit check coverage --no-cache`` at the repository root (the coverage
step the gate runs, every input measured afresh); its ``coverage.json`` is kept as
``DIR/run-N.json``. Already made reports can be given as ``JSON`` arguments instead (or as
well), for example the one a clean-clone CI run left behind.

Prints each run's total, the spread (max - min, in points) against the target (<= 0.05), and
every file whose missing lines or branches differ between runs, with the lines: those are the
lines that run or not with timing. Exit 0 when the spread meets the target, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / ".qualitykit" / "coverage" / "coverage.json"
TARGET_SPREAD = 0.05
_T = TypeVar("_T", int, str)


def one_run(keep: Path, index: int) -> Path:
    """Run the coverage step once, without its cache; the report's kept copy."""
    argv = [sys.executable, "-m", "qualitykit", "check", "coverage", "--no-cache"]
    done = subprocess.run(argv, cwd=ROOT, check=False)
    if done.returncode != 0:
        sys.exit(f"coverage_spread: run {index} exited {done.returncode}")
    kept = keep / f"run-{index}.json"
    shutil.copyfile(REPORT, kept)
    return kept


def missing(report: dict[str, Any]) -> dict[str, tuple[frozenset[int], frozenset[str]]]:
    """Per file: the missing lines and the missing branches (as ``from->to``)."""
    found: dict[str, tuple[frozenset[int], frozenset[str]]] = {}
    for name, data in report["files"].items():
        lines = frozenset(data.get("missing_lines", ()))
        branches = frozenset(f"{a}->{b}" for a, b in data.get("missing_branches", ()))
        found[name] = (lines, branches)
    return found


def _varying(sets: list[frozenset[_T]]) -> list[_T]:
    """What some runs miss and others do not."""
    return sorted(frozenset[_T]().union(*sets) - sets[0].intersection(*sets[1:]))


def main() -> int:
    """Run (or read) the reports, print totals, spread and the differing files."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.coverage_spread")
    parser.add_argument("reports", nargs="*", type=Path, help="coverage.json files already made")
    parser.add_argument("--runs", type=int, default=5, help="runs to make (minus the reports)")
    parser.add_argument("--keep", type=Path, default=ROOT / ".qualitykit" / "coverage-spread")
    args = parser.parse_args()
    args.keep.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = list(args.reports)
    paths.extend(
        one_run(args.keep, index) for index in range(len(paths) + 1, max(args.runs, len(paths)) + 1)
    )
    reports = [json.loads(path.read_text(encoding="utf-8")) for path in paths]
    totals = [float(report["totals"]["percent_covered"]) for report in reports]
    for path, total in zip(paths, totals, strict=True):
        print(f"{total:.8f}  {path}")
    spread = max(totals) - min(totals)
    verdict = "meets" if spread <= TARGET_SPREAD else "MISSES"
    print(f"runs: {len(totals)}, spread: {spread:.8f} points ({verdict} <= {TARGET_SPREAD})")
    per_run = [missing(report) for report in reports]
    names = sorted({name for run in per_run for name in run})
    for name in names:
        seen = {run.get(name, (frozenset(), frozenset())) for run in per_run}
        if len(seen) > 1:
            lines = _varying([a for a, _ in seen])
            branches = _varying([b for _, b in seen])
            print(f"differs: {name}: lines {lines} branches {branches}")
    return 0 if spread <= TARGET_SPREAD else 1


if __name__ == "__main__":
    sys.exit(main())
