"""Side-by-side timings of triage: the polluter search against detect-test-pollution 1.2.0.

Run: ``.venv/bin/python -m benchmarks.triage [--part a|b|all]``.

(a) A generated suite (``--modules`` x ``--tests``, default 20 x 50 = 1,000 tests, in a fresh
    git repository under a temporary directory) with one polluter early (it sets an
    environment variable) and its victim late (it asserts the variable is unset). In one run:
    ``detect-test-pollution --failing-test VICTIM --tests tests`` (fresh pytest per step,
    halves) and qualitykit's search (``triage.session`` + ``triage.polluters``: collected once,
    forked runs, ``workers + 1`` parts per round), each as its own process so both pay their
    interpreter start-up. Both must name the same single polluter, and qualitykit's repro
    command must fail on the victim; prints wall times and the ratio (target >= 3x faster).
    Exit status 1 when they disagree or the repro does not reproduce. ``--together`` adds
    a suite whose victim fails only after two tests (detect-test-pollution cannot find it;
    qualitykit must name both).

(b) Triage without deep checks against bare pytest on a real suite (``--target``, default
    python-dateutil from ../shared/targets, in a venv of its own): ``--runs`` interleaved runs
    of each, medians and the ratio (target <= 1.10); see ``benchmarks.triage_overhead``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from benchmarks.triage_overhead import part_b

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DETECT = Path(PYTHON).with_name("detect-test-pollution")
TARGET_RATIO = 3.0
POLLUTER = (1, 10)  # module, test: early
VICTIM = (18, 40)  # late
TOGETHER = ((3, 5), (12, 20))  # --together: the victim fails only after both
ENV = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTEST_ADDOPTS"}}
# qualitykit's side, in its own process: start-up, imports, collection, search, verification.
OURS = """\
import json, sys
from pathlib import Path
from qualitykit.triage.polluters import search
from qualitykit.triage.session import Session

root, target = Path(sys.argv[1]), sys.argv[2]
with Session(root) as session:
    others = [test for test in session.tests if test != target]
    result = search(session, target, others)
print(result.model_dump_json())
"""
_FOUND = re.compile(r"^-> the polluting test is: (?P<test>\S+)$", re.MULTILINE)


def node(module: int, test: int) -> str:
    """The node id of a generated test."""
    return f"tests/test_m{module:02d}.py::test_{test:02d}"


def make_suite(root: Path, modules: int, tests: int, special: dict[tuple[int, int], str]) -> None:
    """The generated suite in a new git repository at ``root`` (``special``: other bodies)."""
    (root / "tests").mkdir(parents=True)
    for module in range(modules):
        bodies = []
        for test in range(tests):
            body = special.get((module, test), f"assert sum(range({test})) >= 0")
            bodies.append(f"def test_{test:02d}():\n    {body}\n")
        text = "import os\n\n\n" + "\n\n".join(bodies)
        (root / "tests" / f"test_m{module:02d}.py").write_text(text, encoding="utf-8")
    (root / "pyproject.toml").write_text(
        textwrap.dedent("""\
            [project]
            name = "bench"
            version = "0"
            """),
        encoding="utf-8",
    )
    for argv in (
        ["git", "init", "-q"],
        ["git", "add", "."],
        ["git", "-c", "user.name=b", "-c", "user.email=b@b.invalid", "commit", "-qm", "suite"],
    ):
        subprocess.run(argv, cwd=root, check=True, env=ENV)


def timed(argv: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Wall time and result of ``argv`` in ``cwd``."""
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False, env=ENV)
    return time.perf_counter() - started, done


def compare(root: Path, victim: str, expected: list[str]) -> tuple[float, float, bool, bool]:
    """Both tools on the victim: their times, whether qualitykit is right, whether they agree.

    Right: qualitykit named ``expected`` and its repro command, run as printed, fails.
    """
    theirs_s, theirs = timed([str(DETECT), "--failing-test", victim, "--tests", "tests"], root)
    found = _FOUND.search(theirs.stdout)
    their_answer = found["test"] if found else f"none (exit {theirs.returncode})"
    ours_s, ours = timed([PYTHON, "-c", OURS, str(root), victim], root)
    if ours.returncode != 0:
        print(ours.stderr)
        return theirs_s, ours_s, False, False
    result = json.loads(ours.stdout.strip().splitlines()[-1])
    repro = subprocess.run(
        [PYTHON, *shlex.split(result["repro"])[1:]] if result["repro"] else [PYTHON, "-V"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env=ENV,
    )
    print(f"  detect-test-pollution 1.2.0: {theirs_s:7.2f} s  -> {their_answer}")
    print(
        f"  qualitykit polluter search:  {ours_s:7.2f} s  -> {', '.join(result['culprits'])}"
        f"  ({result['status']}, {result['runs']} runs, mode {result['mode']})"
    )
    ours_right = list(result["culprits"]) == expected
    reproduces = repro.returncode == 1
    print(f"  qualitykit right: {ours_right}; its repro fails on the victim: {reproduces}")
    same = list(result["culprits"]) == [their_answer]
    print(f"  same answer: {'yes' if same else 'no'}")
    return theirs_s, ours_s, ours_right and reproduces, same


def part_a(modules: int, tests: int, *, together: bool) -> int:
    """Polluter search: qualitykit against detect-test-pollution on a generated suite."""
    polluter, victim = node(*POLLUTER), node(*VICTIM)
    status = 0
    with tempfile.TemporaryDirectory(prefix="qk-triage-bench-") as scratch:
        root = Path(scratch) / "single"
        special = {
            POLLUTER: 'os.environ["BENCH_POLLUTED"] = "1"',
            VICTIM: 'assert "BENCH_POLLUTED" not in os.environ',
        }
        make_suite(root, modules, tests, special)
        print(f"(a) {modules * tests} tests; polluter {polluter}, victim {victim}")
        theirs_s, ours_s, right, same = compare(root, victim, [polluter])
        ratio = theirs_s / ours_s
        verdict = "meets" if ratio >= TARGET_RATIO else "MISSES"
        print(f"  speed-up: {ratio:.1f}x ({verdict} the {TARGET_RATIO:g}x target)")
        status |= 0 if right and same else 1
        if together:
            root = Path(scratch) / "together"
            first, second = node(*TOGETHER[0]), node(*TOGETHER[1])
            special = {
                TOGETHER[0]: 'os.environ["BENCH_HALF"] = "1"',
                TOGETHER[1]: 'os.environ["BENCH_OTHER"] = "1"',
                VICTIM: 'assert not ("BENCH_HALF" in os.environ and "BENCH_OTHER" in os.environ)',
            }
            make_suite(root, modules, tests, special)
            print(f"(a') two culprits needed together: {first} and {second}, victim {victim}")
            _, _, right, _ = compare(root, victim, [first, second])
            status |= 0 if right else 1
    return status


def main() -> int:
    """Run the parts asked for; 1 when one of them disagrees."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--part", choices=("a", "b", "all"), default="all")
    parser.add_argument("--modules", type=int, default=20, help="(a) test modules")
    parser.add_argument("--tests", type=int, default=50, help="(a) tests per module")
    parser.add_argument(
        "--together", action="store_true", help="(a) also two culprits needed together"
    )
    parser.add_argument("--runs", type=int, default=3, help="(b) runs of each")
    parser.add_argument("--target", default="python-dateutil", help="(b) the real suite")
    parser.add_argument(
        "--targets",
        type=Path,
        default=Path(tempfile.gettempdir()) / "qualitykit-targets",
        help="(b) where targets are fetched",
    )
    args = parser.parse_args()
    status = 0
    if args.part in {"a", "all"}:
        status |= part_a(args.modules, args.tests, together=args.together)
    if args.part in {"b", "all"}:
        status |= part_b(args.target, args.targets, args.runs)
    return status


if __name__ == "__main__":
    sys.exit(main())
