"""Side-by-side timings of the coverage step; prints ratios against the goals.

Run: ``.venv/bin/python -m benchmarks.coverage [--runs N]``. Measures, in one run:

1. on a shared target (toolz 1.2.0: tests inside the package) and on this repository, the
   coverage step (``qualitykit check coverage --no-cache``) against a bare ``python -m pytest``
   of the same tests (goal: <= 1.3x);
2. the no-op rerun of the coverage step when nothing changed (reused from the cache), and the
   whole-gate replay (``qualitykit gate --steps coverage``);
3. the measurement core: the step with ``core = "ctrace"`` and ``core = "pytrace"`` on the
   target; ``sysmon`` needs Python 3.12+ (reported as unavailable on 3.11).

The target is fetched with ../shared/targets/fetch into /tmp/qualitykit-targets and copied to a
temporary directory; the fetched original is never modified.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FETCH = ROOT.parent / "shared" / "targets" / "fetch"
TARGETS = Path("/tmp/qualitykit-targets")  # noqa: S108 - the cache the e2e tests share
PYTHON = sys.executable
ENV = {**os.environ, "PYRIGHT_PYTHON_IGNORE_WARNINGS": "1"}
for _name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "PYTHONPATH"):
    ENV.pop(_name, None)
GOAL = 1.3
TOOLZ_TESTS = ["toolz/tests", "toolz/sandbox/tests"]
PYTEST_COMMON = ["-p", "no:cacheprovider", "-q"]


def timed(argv: list[str], cwd: Path, *, expect: int | None = 0) -> float:
    """Wall time of one run; exits when the exit code is not the expected one."""
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=ENV, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if expect is not None and done.returncode != expect:
        sys.exit(f"benchmark: {' '.join(argv)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return elapsed


def median(runs: int, argv: list[str], cwd: Path) -> float:
    """Median wall time of ``runs`` runs."""
    return statistics.median(timed(argv, cwd) for _ in range(runs))


def toolz_copy(scratch: Path, core: str) -> Path:
    """A configured copy of the fetched toolz target."""
    subprocess.run([str(FETCH), "toolz", "--dest", str(TARGETS)], check=True, capture_output=True)
    copy = scratch / f"toolz-{core}"
    shutil.copytree(TARGETS / "toolz", copy, ignore=shutil.ignore_patterns(".qualitykit"))
    pyproject = copy / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + '\n[tool.qualitykit]\nsource = ["toolz"]\ngate = ["coverage"]\n'
        + "[tool.qualitykit.coverage]\n"
        + f'tests = {TOOLZ_TESTS!r}\nratchet = false\ncore = "{core}"\n'.replace("'", '"')
    )
    return copy


def step_vs_bare(
    runs: int, project: Path, tests: list[str], extra: list[str]
) -> tuple[float, float]:
    """Median seconds of the coverage step and of bare pytest on the same tests."""
    step = median(runs, [PYTHON, "-m", "qualitykit", "check", "coverage", "--no-cache"], project)
    bare = median(runs, [PYTHON, "-m", "pytest", *PYTEST_COMMON, *extra, *tests], project)
    return step, bare


def main() -> int:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement on the target")
    parser.add_argument("--repo-runs", type=int, default=1, help="runs per measurement here")
    args = parser.parse_args()
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="qualitykit-bench-") as scratch_name:
        scratch = Path(scratch_name)
        toolz = toolz_copy(scratch, "ctrace")
        step, bare = step_vs_bare(args.runs, toolz, TOOLZ_TESTS, [])
        verdict = "OK" if step / bare <= GOAL else "MISSED"
        rows += [
            ("toolz: coverage step (ctrace)", f"{step:.2f} s"),
            ("toolz: bare pytest, same tests", f"{bare:.2f} s"),
            ("toolz: step / bare", f"{step / bare:.2f} x  (goal <= {GOAL} x: {verdict})"),
        ]
        check = [PYTHON, "-m", "qualitykit", "check", "coverage"]
        timed(check, toolz)
        rows.append(("toolz: no-op rerun (cached)", f"{median(5, check, toolz):.3f} s"))
        replay = [PYTHON, "-m", "qualitykit", "gate", "--steps", "coverage"]
        timed(replay, toolz)
        rows.append(("toolz: no-op gate replay", f"{median(5, replay, toolz):.3f} s"))
        pytrace = toolz_copy(scratch, "pytrace")
        slow = median(
            args.runs, [PYTHON, "-m", "qualitykit", "check", "coverage", "--no-cache"], pytrace
        )
        rows.append(
            ("toolz: coverage step (pytrace)", f"{slow:.2f} s ({slow / step:.2f} x ctrace)")
        )
        sysmon = "available" if sys.version_info >= (3, 12) else "unavailable on Python 3.11"
        rows.append(("sysmon core", sysmon))

    repo_args = ["-m", "not slow", "-n", "2"]
    here_tests = ["tests/unit", "tests/integration", "tests/regression"]
    step, bare = step_vs_bare(args.repo_runs, ROOT, here_tests, repo_args)
    verdict = "OK" if step / bare <= GOAL else "MISSED"
    rows += [
        ("qualitykit: coverage step", f"{step:.2f} s"),
        ("qualitykit: bare pytest, same tests", f"{bare:.2f} s"),
        ("qualitykit: step / bare", f"{step / bare:.2f} x  (goal <= {GOAL} x: {verdict})"),
    ]
    print(f"coverage benchmark ({os.cpu_count()} cores, Python {sys.version.split()[0]})")
    for label, value in rows:
        print(f"  {label:<38} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
