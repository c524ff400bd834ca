"""Part (b) of ``benchmarks.triage``: triage's cost over bare pytest on a real suite.

Run through ``.venv/bin/python -m benchmarks.triage --part b [--runs N] [--target NAME]``.
On a copy of the target in a venv of its own (``benchmarks.targets``), alternately:
``python -m pytest`` with the project's own configuration (what a user runs), then
``qualitykit triage`` without deep checks (the same suite, plus its reports and the bundle).
Prints each median and the ratio (target <= 1.10); 1 when the target is missed.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.targets import base_env, build_wheel, fetched, run, set_up

TARGET_RATIO = 1.10


def measure(
    root: Path, env: dict[str, str], runs: int, extra: list[str]
) -> tuple[list[float], list[float]]:
    """Wall times of ``runs`` bare pytest runs and ``runs`` triage runs, interleaved.

    ``extra`` goes to pytest on both sides (``--hypothesis-seed=0`` for python-dateutil: its
    property tests draw new examples each run, which moves one run's time by +-20 %).
    """
    bare: list[float] = []
    triage: list[float] = []
    for number in range(runs):
        print(f"  run {number + 1}/{runs}", file=sys.stderr, flush=True)
        pytest = ["python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra]
        bare.append(run(pytest, root, env, what="pytest"))
        triage.append(run(["qualitykit", "triage", "--", *extra], root, env, what="triage"))
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
    print(f"  bare:   {' '.join(f'{value:.2f}' for value in bare)}")
    print(f"  triage: {' '.join(f'{value:.2f}' for value in triage)}")
    return ratio <= TARGET_RATIO


def part_b(target: str, targets: Path, runs: int) -> int:
    """Set the target up, race bare pytest and triage on it, print the ratio; 1 when missed."""
    print(f"(b) triage without deep checks against bare pytest on {target}")
    env = base_env()
    with tempfile.TemporaryDirectory(prefix="qk-triage-bench-") as scratch:
        work = Path(scratch)
        wheel = build_wheel(work, env)
        root, target_env = set_up(target, fetched(target, targets, env), wheel, work)
        # As on a user's machine, bytecode is cached (these machines set the variable): both
        # sides would otherwise compile every module they import on every run.
        target_env.pop("PYTHONDONTWRITEBYTECODE", None)
        extra = ["--hypothesis-seed=0"] if target == "python-dateutil" else []
        bare, triage = measure(root, target_env, runs, extra)
    return 0 if report(target, bare, triage) else 1
