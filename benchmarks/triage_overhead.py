"""Triage's cost over a bare pytest run on a real suite (python-dateutil by default).

Run: ``.venv/bin/python -m benchmarks.triage_overhead [--runs N] [--target NAME]``. On a copy of
the target in a venv of its own (``benchmarks.targets``), alternately: ``python -m pytest`` with
the project's own configuration (what a user runs), then ``qualitykit triage`` without deep
checks (the same suite, plus its reports and the bundle). Prints each median, the ratio
(target <= 1.10) and exits 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.targets import base_env, build_wheel, fetched, run, set_up

TARGET_RATIO = 1.10


def measure(root: Path, env: dict[str, str], runs: int) -> tuple[list[float], list[float]]:
    """Wall times of ``runs`` bare pytest runs and ``runs`` triage runs, interleaved."""
    bare: list[float] = []
    triage: list[float] = []
    for number in range(runs):
        print(f"  run {number + 1}/{runs}", file=sys.stderr, flush=True)
        bare.append(
            run(
                ["python", "-m", "pytest", "-q", "-p", "no:cacheprovider"], root, env, what="pytest"
            )
        )
        triage.append(run(["qualitykit", "triage"], root, env, what="triage"))
    return bare, triage


def report(name: str, bare: list[float], triage: list[float]) -> bool:
    """Print the figures; whether the target ratio is met."""
    ratio = statistics.median(triage) / statistics.median(bare)
    verdict = "met" if ratio <= TARGET_RATIO else "not met"
    print(f"{'suite':<16} {'bare pytest':>12} {'triage':>8} {'ratio':>6}  (medians of {len(bare)})")
    print(
        f"{name:<16} {statistics.median(bare):11.2f}s {statistics.median(triage):7.2f}s "
        f"{ratio:6.3f}  target <= {TARGET_RATIO:.2f} ({verdict})"
    )
    return ratio <= TARGET_RATIO


def main(argv: list[str] | None = None) -> int:
    """Set the target up, race bare pytest and triage on it, print the ratio."""
    parser = argparse.ArgumentParser(prog="benchmarks.triage_overhead")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--target", default="python-dateutil")
    parser.add_argument(
        "--targets", type=Path, default=Path(tempfile.gettempdir()) / "qualitykit-targets"
    )
    args = parser.parse_args(argv)
    env = base_env()
    with tempfile.TemporaryDirectory(prefix="qk-triage-bench-") as scratch:
        work = Path(scratch)
        wheel = build_wheel(work, env)
        root, target_env = set_up(args.target, fetched(args.target, args.targets, env), wheel, work)
        bare, triage = measure(root, target_env, args.runs)
    return 0 if report(args.target, bare, triage) else 1


if __name__ == "__main__":
    sys.exit(main())
