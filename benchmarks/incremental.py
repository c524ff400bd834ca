"""The incremental coverage step against the full one, side by side; then N random edits.

Run: ``.venv/bin/python -m benchmarks.incremental [--edits 20] [--repo-edits 0] [--seed 1]
[--only repo|dateutil] [--edit FILE::FUNCTION|random|leaf ...] [--survey]``.
In one run:

1. on a copy of this repository and on python-dateutil 2.9.0.post0 (../shared/targets, in a
   venv of its own: its suite needs pytest 8 and pytest-cov), the coverage step in full
   (``gate --incremental --steps coverage`` with no stored data), then a one-line edit inside
   one function of one module and the incremental run (``--edit`` repeated: one edit after
   the other); the wall times and their ratio, against the goals (judged on the median of
   the edits): <= 10 s on this repository, <= 15 % of the full run on dateutil;
2. ``--edits N`` (on dateutil; ``--repo-edits M`` on this repository, whose full suite takes
   minutes) random one-line edits inside function bodies (a no-op statement, or one that
   changes a returned value) on each target; after each, ``gate --verify-incremental --steps
   coverage`` must find the incremental verdict, findings and figures equal to the full run's
   (the figures compared to 0.01 point as well, from the two reports);
3. ``--survey``: every function body of the target, its edit's time estimated from the store
   (the first edit's overhead plus the JUnit times of the tests that executed the body): how
   many would finish within 10 s, 30 s, 60 s, 300 s, and how many are full runs.

CPU heavy (dozens of full suites): run it on a quiet machine. The fetched target and this
repository are never modified: everything runs in copies under a temporary directory.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any, cast

import tomlkit
from coverage import CoverageData

from benchmarks import targets

ROOT = Path(__file__).resolve().parent.parent
FETCH = ROOT.parent / "shared" / "targets" / "fetch"
TARGETS = Path("/tmp/qualitykit-targets")  # noqa: S108 - the cache the e2e tests share
DATEUTIL = "python-dateutil"
DATEUTIL_DEPS = (
    "pytest==8.4.2",
    "pytest-cov==7.1.0",
    "coverage==7.17.3",
    "hypothesis==6.170.15",
    "freezegun==1.5.5",
    "six==1.17.0",
)
GOAL_REPO_S = 10.0
GOAL_DATEUTIL_RATIO = 0.15
INCREMENTAL = "\n[tool.qualitykit.incremental]\nenabled = true\n"
DATEUTIL_CONFIG = (
    '\n[tool.qualitykit]\nsource = ["src"]\ngate = ["coverage"]\n'
    '[tool.qualitykit.coverage]\ntests = ["tests"]\nratchet = false\n' + INCREMENTAL
)


class Target:
    """A copy of a project with the interpreter that runs qualitykit on it."""

    def __init__(  # noqa: PLR0917 - what a target is, each its own argument
        self, name: str, root: Path, python: Path, env: dict[str, str], modules: str, sources: str
    ) -> None:
        """``modules``: where random edits go; ``sources``: every module the survey reads."""
        self.name, self.root, self.python, self.env = name, root, python, env
        self.modules = sorted(root.glob(modules))
        self.sources = sorted(root.glob(sources))
        self.times: dict[str, float] = {}  # each test's time in the full run (JUnit)
        self.overhead_s = 0.0  # the first incremental run's time less its tests' own

    def gate(self, *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
        argv = [str(self.python), "-m", "qualitykit", "gate", "--steps", "coverage", *args]
        started = time.perf_counter()
        done = subprocess.run(
            argv, cwd=self.root, env=self.env, capture_output=True, text=True, check=False
        )
        return time.perf_counter() - started, done

    def leaf(self) -> str:
        """``FILE::FUNCTION``: the function (top-level, named once) the fewest tests execute.

        Read from the store the full run left; functions run at import are left out (an edit
        there is a full run by design), so are those no test runs.
        """
        data = CoverageData(
            basename=str(self.root / ".qualitykit/incremental/coverage/data.coverage")
        )
        data.read()
        found: list[tuple[int, str]] = []
        for path in self.modules:
            name = path.relative_to(self.root).as_posix()
            tree = ast.parse(path.read_text(encoding="utf-8"))
            tops = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
            named = Counter(
                n.name
                for n in ast.walk(tree)
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
            )
            by_line = data.contexts_by_lineno(name)
            for node in tops:
                if named[node.name] > 1:
                    continue
                contexts = {
                    context
                    for line in range(node.body[0].lineno, (node.end_lineno or 0) + 1)
                    for context in by_line.get(line, ())
                }
                if contexts and all("::" in context for context in contexts):
                    found.append((len(contexts), f"{name}::{node.name}"))
        if not found:
            sys.exit(f"benchmark: {self.name}: no function only tests execute")
        return min(found)[1]

    def edit(self, rng: random.Random, where: str | None = None) -> str:
        """One line added inside a function body; where.

        ``where`` (``FILE::FUNCTION``) names the function; else a random function of a random
        module (which may run at import time, or be reached by most of the suite).
        """
        while True:
            path = self.root / where.split("::")[0] if where else rng.choice(self.modules)
            source = path.read_text(encoding="utf-8")
            functions = [
                node
                for node in ast.walk(ast.parse(source))
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                and node.body
                and (where is None or node.name == where.split("::")[-1])
            ]
            if functions:
                break
            if where:
                sys.exit(f"benchmark: no function {where}")
        body = rng.choice(functions).body
        first = body[1] if len(body) > 1 and isinstance(body[0], ast.Expr) else body[0]
        lines = source.splitlines(keepends=True)
        indent = lines[first.lineno - 1][: first.col_offset]
        lines.insert(first.lineno - 1, f"{indent}_benchmark_edit = {rng.randint(0, 99)}\n")
        path.write_text("".join(lines), encoding="utf-8")
        return f"{path.relative_to(self.root)}:{first.lineno}"


def _environment(**extra: str) -> dict[str, str]:
    env = {**os.environ, "COLUMNS": "250", **extra}  # the step's summary on one line
    # PYTHONDONTWRITEBYTECODE (set on the machines this was built on) would make every
    # process compile every module it imports, each run: Python's default caches bytecode.
    for name in (
        "GITHUB_ACTIONS",
        "GITHUB_STEP_SUMMARY",
        "PYTHONPATH",
        "CI",
        "PYTHONDONTWRITEBYTECODE",
    ):
        env.pop(name, None)
    env.update(extra)
    return env


def this_repository(scratch: Path) -> Target:
    root = scratch / "qualitykit"
    ignored = shutil.ignore_patterns(".venv", ".qualitykit", "__pycache__", ".git")
    shutil.copytree(ROOT, root, ignore=ignored)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    pyproject = root / "pyproject.toml"
    config = tomlkit.parse(pyproject.read_text(encoding="utf-8"))
    tool = cast("Any", config)["tool"]["qualitykit"]
    # What is measured is time and equality with the full run, not this commit's ratchet.
    tool["coverage"]["ratchet"] = False
    tool["incremental"] = {"enabled": True}
    pyproject.write_text(tomlkit.dumps(config), encoding="utf-8")
    # The copy's own venv from the lock, as a user's checkout has it: its tests start
    # `python -m qualitykit` with PYTHONPATH=src in fixture repos, so the code they measure
    # must be the copy's installed (editable) package, not the one this script runs from.
    uv = targets.uv()
    env = _environment(UV_PYTHON_DOWNLOADS="never")
    env.pop("VIRTUAL_ENV", None)
    subprocess.run(
        [uv, "sync", "--locked", "-q", "--python", sys.executable], cwd=root, env=env, check=True
    )
    python = root / ".venv" / "bin" / "python"
    return Target(
        "this repository", root, python, env, "tools/qualitykit/*.py", "tools/qualitykit/**/*.py"
    )


def dateutil(scratch: Path) -> Target:
    fetched = subprocess.run(
        [sys.executable, str(FETCH), DATEUTIL, "--dest", str(TARGETS)],
        capture_output=True,
        text=True,
        check=False,
    )
    if fetched.returncode != 0:
        sys.exit(f"benchmark: cannot fetch {DATEUTIL}: {fetched.stderr.strip()}")
    root = scratch / DATEUTIL
    shutil.copytree(TARGETS / DATEUTIL, root, symlinks=True)
    venv = scratch / "dateutil-venv"
    uv = targets.uv()
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True)
    python = venv / "bin" / "python"
    deps = [str(ROOT), "-e", str(root), *DATEUTIL_DEPS]
    subprocess.run([uv, "pip", "install", "-q", "--python", str(python), *deps], check=True)
    with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write(DATEUTIL_CONFIG)
    subprocess.run(["git", "commit", "-qam", "qualitykit"], cwd=root, check=True)
    modules = "src/dateutil/**/*.py"
    return Target(DATEUTIL, root, python, _environment(), modules, modules)


def side_by_side(
    target: Target, rng: random.Random, places: list[str] | None = None
) -> tuple[float, float]:
    """One full run, then an incremental run after each edit (``places``: FILE::FUNCTION,
    ``random`` or ``leaf``).

    Returns the full run's time and the median of the edits' (each later edit is traced
    from the store the run before it left): on two cores one run of the same edit varies by
    a second or two, most of it the selected tests' own time.
    """
    full_s, full = target.gate("--incremental")
    if full.returncode != 0:
        sys.exit(f"benchmark: {target.name}: the full run failed:\n{full.stderr[-2000:]}")
    target.times = _durations(target.root)
    times: list[float] = []
    for place in places or ["random"]:
        chosen = {"random": None, "leaf": target.leaf() if place == "leaf" else None}
        where = target.edit(rng, chosen.get(place, place))
        incremental_s, run = target.gate("--incremental")
        said = [  # the step's line of the plain (not a TTY) summary: "PASS    coverage  …"
            " ".join(line.split())
            for line in (run.stdout + run.stderr).splitlines()
            if line.split()[:2]
            in (["PASS", "coverage"], ["FAIL", "coverage"], ["ERROR", "coverage"])
        ]
        own_s = sum(_durations(target.root).values())
        print(
            f"{target.name}: full {full_s:.1f} s, incremental {incremental_s:.1f} s "
            f"({incremental_s / full_s:.0%}; the tests' own times {own_s:.1f} s) after an edit "
            f"at {where}\n  {said[-1] if said else ''}"
        )
        if not times:
            target.overhead_s = incremental_s - own_s
        times.append(incremental_s)
    return full_s, statistics.median(times)


def _durations(root: Path) -> dict[str, float]:
    """Each test's time in the last run, from the coverage step's JUnit XML, by node id."""
    tree = ET.parse(root / ".qualitykit/junit/coverage.xml")  # noqa: S314 - our own run's
    return {
        f"{case.get('classname', '')}::{case.get('name', '')}": float(case.get("time", "0"))
        for case in tree.getroot().iter("testcase")
    }


def _junit_key(nodeid: str) -> str:
    """The node id as pytest's JUnit XML names it: ``a.b.c.Class::name``."""
    parts = nodeid.split("::")
    return (
        ".".join([parts[0].removesuffix(".py").replace("/", "."), *parts[1:-1]])
        + "::"
        + (parts[-1])
    )


def survey(target: Target) -> None:
    """Every function body's edit, estimated from the store the full run left.

    An edit's cost: the overhead (the side-by-side edit's run less its tests' own time)
    plus the JUnit times of the tests that executed a line of the body; a body run at import
    (or by no test) is a full run. An estimate: the earlier neighbours, shared fixtures and
    test-module imports the planner adds are left out.
    """
    data = CoverageData(
        basename=str(target.root / ".qualitykit/incremental/coverage/data.coverage")
    )
    data.read()
    times, overhead_s = target.times, target.overhead_s
    costs: list[float | None] = []
    for path in target.sources:
        name = path.relative_to(target.root).as_posix()
        by_line = data.contexts_by_lineno(name)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            contexts = {
                context
                for line in range(node.body[0].lineno, (node.end_lineno or 0) + 1)
                for context in by_line.get(line, ())
            }
            if not contexts or not all("::" in context for context in contexts):
                costs.append(None)
                continue
            costs.append(overhead_s + sum(times.get(_junit_key(c), 0.0) for c in contexts))
    known = sorted(cost for cost in costs if cost is not None)
    print(
        f"{target.name}: survey of {len(costs)} function bodies (estimated from the store: "
        f"{overhead_s:.1f} s overhead plus the tests' own times)"
    )
    for limit in (GOAL_REPO_S, 30.0, 60.0, 300.0):
        under = sum(cost <= limit for cost in known)
        print(f"  <= {limit:g} s: {under} ({under / len(costs):.0%})")
    print(f"  full run (run at import, or by no test): {len(costs) - len(known)}")
    if known:
        print(f"  median of the traced: {known[len(known) // 2]:.1f} s")


def random_edits(target: Target, rng: random.Random, edits: int) -> int:
    differences = 0
    for number in range(1, edits + 1):
        where = target.edit(rng)
        _, run = target.gate("--verify-incremental")
        equal = "equals the full gate" in run.stderr
        differences += not equal
        print(
            f"  {target.name} edit {number}/{edits} at {where}: {'equal' if equal else 'DIFFERENT'}"
        )
        if not equal:
            print(run.stderr[-3000:])
    return differences


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=20, help="random edits on dateutil")
    # Each verified edit here is a full run of this repository's suite (minutes): few.
    parser.add_argument("--repo-edits", type=int, default=0, help="random edits on this repo")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--only", choices=("repo", "dateutil"), default=None, help="one target (default both)"
    )
    parser.add_argument(
        "--edit",
        action="append",
        default=None,
        metavar="FILE::FUNCTION",
        help="the side-by-side edit's place; random: anywhere; leaf: the function the fewest tests "
        "run (repeat: edits one after the other)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the copies (to profile a run in them)"
    )
    parser.add_argument(
        "--survey",
        action="store_true",
        help="estimate every function body's edit from the store (share under 10 s, ...)",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)  # noqa: S311 - reproducible edits, not secrets
    different = 0
    with contextlib.ExitStack() as stack:
        scratch = tempfile.mkdtemp(prefix="qualitykit-bench-incremental-")
        if args.keep:
            print(f"kept: {scratch}")
        else:
            stack.callback(shutil.rmtree, scratch, ignore_errors=True)
        if args.only in {None, "repo"}:
            repo = this_repository(Path(scratch))
            _, ours = side_by_side(repo, rng, args.edit)
            print(
                f"goal: this repository <= {GOAL_REPO_S:g} s (median): {ours:.1f} s "
                f"{'met' if ours <= GOAL_REPO_S else 'MISSED'}"
            )
            if args.survey:
                survey(repo)
            different += random_edits(repo, rng, args.repo_edits)
        if args.only in {None, "dateutil"}:
            target = dateutil(Path(scratch))
            full_s, incremental_s = side_by_side(target, rng, args.edit)
            ratio = incremental_s / full_s
            print(
                f"goal: dateutil <= {GOAL_DATEUTIL_RATIO:.0%} of full (median): {ratio:.0%} "
                f"{'met' if ratio <= GOAL_DATEUTIL_RATIO else 'MISSED'}"
            )
            if args.survey:
                survey(target)
            different += random_edits(target, rng, args.edits)
    print(f"random edits: {different} differ from the full run")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
