"""Timings of the policy check; prints each against its target.

Run: ``.venv/bin/python -m benchmarks.policy [--dateutil PATH]``. Measures (median of 5 runs,
wall time of the real command, interpreter start-up and imports included):

1. the commit stage: ``qualitykit policy FILE`` on one staged file of this repository
   (target <= 0.3 s), side by side with a bare interpreter and the whole of this repository
   (ratios printed);
2. the whole-repository step's command, ``python -m qualitykit.policy``, on python-dateutil
   (``../shared/targets/fetch python-dateutil``; target <= 1 s);
3. the same two with the imports done once, in process (what the rules themselves cost).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from qualitykit.policy.check import check

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
STAGED_FILE = "tools/qualitykit/cli.py"
COMMIT_TARGET_S = 0.3
WHOLE_TARGET_S = 1.0
RUNS = 5


def wall(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    """Median wall time of ``argv`` in ``cwd``; exits when the command fails."""
    times: list[float] = []
    for _ in range(RUNS):
        started = time.perf_counter()
        done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            sys.exit(f"benchmark: {' '.join(argv)} exited {done.returncode}: {done.stderr}")
    return statistics.median(times)


def in_process(root: Path, files: tuple[str, ...]) -> float:
    """Median time of the check alone (imports already done)."""
    times: list[float] = []
    for _ in range(RUNS):
        started = time.perf_counter()
        check(root, files=files)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    """Print the figures and whether each meets its target; exit 1 when one does not."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.policy")
    parser.add_argument("--dateutil", type=Path, default=ROOT / ".targets" / "python-dateutil")
    args = parser.parse_args()
    if not (args.dateutil / "pyproject.toml").is_file():
        sys.exit(f"benchmark: no python-dateutil at {args.dateutil} (fetch it, or --dateutil)")
    startup = wall([PYTHON, "-c", "pass"], ROOT)
    commit = wall([PYTHON, "-m", "qualitykit", "policy", STAGED_FILE], ROOT)
    # A hook run reads qualitykit's cached bytecode; with PYTHONDONTWRITEBYTECODE set (as on
    # some CI and agent machines) every run above compiled qualitykit's own modules. Here the
    # first run writes the caches to a temporary prefix (never into the tree, so the row above
    # stays uncached on the next run); the median of 5 ignores that run.
    with tempfile.TemporaryDirectory(prefix="qk-bench-pyc-") as caches:
        cached_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        cached_env["PYTHONPYCACHEPREFIX"] = caches
        cached = wall([PYTHON, "-m", "qualitykit", "policy", STAGED_FILE], ROOT, cached_env)
    ours = wall([PYTHON, "-m", "qualitykit", "policy"], ROOT)
    whole = wall([PYTHON, "-m", "qualitykit.policy"], args.dateutil)
    rows = (
        ("commit stage, one staged file", commit, COMMIT_TARGET_S),
        ("whole repository, python-dateutil", whole, WHOLE_TARGET_S),
    )
    for what, seconds, target in rows:
        verdict = "ok" if seconds <= target else "OVER"
        print(f"{what:<36} {seconds:6.3f} s  (target <= {target} s: {verdict})")
    # Side by side: what the commit stage costs against a bare interpreter and against the
    # whole of this repository (the staged-file scope is what makes the hook cheap).
    print(f"{'commit stage, bytecode cached':<36} {cached:6.3f} s")
    print(f"{'bare python -c pass':<36} {startup:6.3f} s")
    print(f"{'whole repository, this one':<36} {ours:6.3f} s")
    print(f"{'commit stage / bare interpreter':<36} {commit / startup:6.1f} x")
    print(f"{'commit stage / whole of this repo':<36} {commit / ours:6.2f} x")
    print(f"{'in process, one staged file':<36} {in_process(ROOT, (STAGED_FILE,)):6.3f} s")
    print(f"{'in process, python-dateutil':<36} {in_process(args.dateutil, ()):6.3f} s")
    # The conditions, which move the figures: how busy the machine was (another process on two
    # cores doubles them) and whether imports read cached bytecode or compile every module.
    load = os.getloadavg()[0]
    print(f"{'load average (1 min), cores':<36} {load:6.2f}    ({os.cpu_count()} cores)")
    # The commands inherit the environment (not this interpreter's -B).
    off = bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))
    caches = "off (PYTHONDONTWRITEBYTECODE)" if off else "on"
    print(f"{'bytecode caches, other rows':<36} {caches}")
    return 0 if all(seconds <= target for _, seconds, target in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
