"""Time the HTML report on this repository's real ``.qualitykit`` state; prints the medians.

Run after ``make quality`` (the report reads what the gate left):
``.venv/bin/python -m benchmarks.report [--runs N]``. Two figures, target <= 0.3 s each:

1. cold: what the report adds to a gate run, in a fresh process that has imported what the
   gate imports anyway (runner, steps, summary, SARIF): importing the report's own modules
   (jinja2), reading the state, compiling the template and writing the page once;
2. warm: further generations in the same process (the template compiled).

The history is not appended (the benchmark must not add gate runs to the trends).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 0.3

# What the gate has imported by its end, whether or not it writes a report.
_COLD = """
import time
from pathlib import Path
import qualitykit.fastpath, qualitykit.preflight, qualitykit.runner, qualitykit.sarif
import qualitykit.steps, qualitykit.summary
from qualitykit.workspace import Workspace
workspace = Workspace.load(Path({root!r}))
started, cpu = time.perf_counter(), time.process_time()
from qualitykit.report import write_report
write_report(workspace, None, None)
print(time.perf_counter() - started, time.process_time() - cpu)
"""


def cold(runs: int) -> tuple[float, float]:
    """Medians (wall, CPU) of ``runs`` first generations, each in a new interpreter."""
    times: list[float] = []
    cpu: list[float] = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", _COLD.format(root=str(ROOT))],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            sys.exit(f"benchmark: the report failed:\n{done.stderr}")
        wall, used = done.stdout.split()
        times.append(float(wall))
        cpu.append(float(used))
    return statistics.median(times), statistics.median(cpu)


def warm(runs: int) -> float:
    """Median of ``runs`` generations in this process, after one to compile the template."""
    from qualitykit.report import write_report  # noqa: PLC0415
    from qualitykit.workspace import Workspace  # noqa: PLC0415

    workspace = Workspace.load(ROOT)
    write_report(workspace, None, None)
    times: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        write_report(workspace, None, None)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    """Print both medians against the target; exit 1 when one is over it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if not (ROOT / ".qualitykit" / "summary.json").is_file():
        sys.exit("benchmark: no .qualitykit/summary.json: run `make quality` first")
    page = ROOT / ".qualitykit" / "report" / "index.html"
    # A shared machine's load inflates wall time; CPU time shows what the report itself costs.
    cold_wall, cold_cpu = cold(args.runs)
    results = {"cold (gate's end)": cold_wall, "warm": warm(args.runs)}
    for name, seconds in results.items():
        print(f"report {name}: median {seconds:.3f}s of {args.runs} (target <= {TARGET_S}s)")
    print(f"report cold CPU time: median {cold_cpu:.3f}s; load average {os.getloadavg()[0]:.2f}")
    print(f"page: {page} ({page.stat().st_size} bytes)")
    sys.exit(0 if all(seconds <= TARGET_S for seconds in results.values()) else 1)


if __name__ == "__main__":
    main()
