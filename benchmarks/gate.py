"""Side-by-side timings of the gate on this repository; prints ratios against the targets.

Run: ``make benchmark`` (or ``.venv/bin/python -m benchmarks.gate``). Measures, in one run:

1. the no-op rerun of the whole ``make quality`` (nothing changed; median of 5; target <= 0.5 s),
   and the per-step cache path (every step reused, the whole-gate replay record removed);
2. the full gate (``qualitykit gate --no-cache``: every step reruns) against its slowest
   single step run alone (target <= 1.15x);
3. qualitykit's overhead: the same tool commands run bare, one after the other, against the
   full gate (report both: the sequential sum, and the ratio).

Tools keep their own incremental caches (mypy's, ruff's) in every variant, as they do for users.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / ".qualitykit"
PYTHON = sys.executable
ENV = {**os.environ, "PYRIGHT_PYTHON_IGNORE_WARNINGS": "1", "UV_PYTHON_DOWNLOADS": "never"}
for _name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"):
    ENV.pop(_name, None)

NOOP_TARGET_S = 0.5
PARALLEL_TARGET = 1.15


def timed(argv: list[str], *, check: bool = True) -> float:
    """Wall time of one run of ``argv`` from the repository root."""
    started = time.perf_counter()
    completed = subprocess.run(argv, cwd=ROOT, env=ENV, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if check and completed.returncode != 0:
        sys.exit(f"benchmark: {' '.join(argv)} exited {completed.returncode}:\n{completed.stderr}")
    return elapsed


def median_of(runs: int, argv: list[str]) -> float:
    """Median wall time of ``runs`` runs."""
    return statistics.median(timed(argv) for _ in range(runs))


def gate_steps() -> list[str]:
    """The steps of this repository's gate, as qualitykit lists them."""
    listing = subprocess.run(
        [PYTHON, "-m", "qualitykit", "steps"],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    return [line.split()[0] for line in listing.stdout.splitlines() if " gate " in line]


def needs_others(step: str) -> bool:
    """Whether ``step`` runs after (and with) other steps."""
    from qualitykit.steps import resolve  # noqa: PLC0415 - only the benchmark needs it
    from qualitykit.workspace import Workspace  # noqa: PLC0415

    config = Workspace.load(ROOT).config
    return any(found.needs for found in resolve(config, (step,)) if found.name == step)


def step_command(step: str) -> list[str]:
    """The exact argv the gate ran for ``step`` (from its stored typed result)."""
    data = json.loads((STATE / "results" / f"{step}.json").read_text())
    return list(data["command"])


def main() -> int:
    """Measure and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per slow measurement")
    args = parser.parse_args()
    runs = args.runs
    qualitykit = [PYTHON, "-m", "qualitykit"]

    print(f"qualitykit gate benchmark on {ROOT} ({os.cpu_count()} cores)")
    timed(["make", "quality"])  # warm: synced venv, tools' own caches, a passing replay record

    noop_make = median_of(5, ["make", "--no-print-directory", "quality"])
    (STATE / "gate-fastpath.json").unlink(missing_ok=True)
    per_step_cache = timed([*qualitykit, "gate"])  # per-step keys: every step reused
    full_gate = median_of(runs, [*qualitykit, "gate", "--no-cache"])

    steps = gate_steps()
    single = {step: median_of(runs, [*qualitykit, "check", step, "--no-cache"]) for step in steps}
    # A step that needs another (badge needs coverage) runs its prerequisite too when checked
    # alone with --no-cache: its single time is not its own, so it cannot be "the slowest".
    alone = {step: seconds for step, seconds in single.items() if not needs_others(step)}
    slowest_step, slowest = max(alone.items(), key=lambda item: item[1])
    commands = {step: step_command(step) for step in steps}

    def bare_sequence() -> float:
        started = time.perf_counter()
        for argv in commands.values():
            # Bare tools exit non-zero only on findings; the gate passed, so none are expected.
            timed(argv, check=False)
        return time.perf_counter() - started

    bare_path = os.pathsep.join([str(Path(PYTHON).parent), ENV.get("PATH", "")])
    ENV["PATH"] = bare_path
    bare = statistics.median(bare_sequence() for _ in range(runs))
    timed(["make", "quality"])  # leave a passing replay record behind

    rows = [
        (
            "no-op `make quality` (median of 5)",
            f"{noop_make:.3f} s",
            f"target <= {NOOP_TARGET_S} s",
            "OK" if noop_make <= NOOP_TARGET_S else "MISSED",
        ),
        ("no-op via per-step cache keys", f"{per_step_cache:.3f} s", "", ""),
        (f"full gate --no-cache (median of {runs})", f"{full_gate:.2f} s", "", ""),
        (f"slowest single step: {slowest_step}", f"{slowest:.2f} s", "", ""),
        (
            "full gate / slowest step",
            f"{full_gate / slowest:.2f} x",
            f"target <= {PARALLEL_TARGET} x",
            "OK" if full_gate / slowest <= PARALLEL_TARGET else "MISSED",
        ),
        ("same tools bare, in sequence", f"{bare:.2f} s", "", ""),
        ("full gate / bare sequence", f"{full_gate / bare:.2f} x", "(< 1: parallelism wins)", ""),
        ("no-op make quality / bare sequence", f"{noop_make / bare:.3f} x", "", ""),
    ]
    print()
    for label, value, target, verdict in rows:
        print(f"  {label:<42} {value:>10}  {target:<24} {verdict}")
    print()
    print("  single steps (qualitykit check STEP --no-cache):")
    for step, seconds in sorted(single.items(), key=lambda item: -item[1]):
        print(f"    {step:<14} {seconds:6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
