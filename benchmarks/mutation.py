"""Side-by-side timings of mutation testing: stock cosmic-ray, qualitykit, mutmut; prints ratios.

Run: ``.venv/bin/python benchmarks/mutation.py [--targets slugify,parse] [--stock-sample N]``.
For every target (python-slugify's ``slugify/slugify.py`` and parse's ``parse/__init__.py``,
fetched with ../shared/targets/fetch into /tmp/qualitykit-targets), in one run:

1. stock cosmic-ray 8.7 as users run it (``cosmic-ray init`` + ``cosmic-ray exec`` with the
   ``local`` distributor, ``python -m pytest -x -q`` per mutant, timeout 30 s); it is slow
   (2 cores: slugify 4.5-6 min, parse 20-35 min), so ``--stock-sample N`` runs it on a deterministic
   sample of N mutants (every k-th by key) and extrapolates its time per mutant to all of them;
2. ``qualitykit mutation run --no-cache`` (the same cosmic-ray operators, ``--workers`` 2);
3. mutmut 3.8.1 (``mutmut run --max-children 2``), whose own operators make other mutants: only
   its throughput is compared (mutants per second, every mutant it made over its wall time).

It prints the mutant counts, wall times, the speed-up of qualitykit over stock cosmic-ray
(goal >= 15x), mutants per second of qualitykit against mutmut (goal: qualitykit faster) and
qualitykit's score and counts. Every mutant that stock cosmic-ray and qualitykit share (same
module, operator and occurrence) and that qualitykit ran (not "no-coverage") must agree: stock
killed (timeouts included) = qualitykit killed or timeout, stock survived = qualitykit survived;
a mutant that does not compile, which stock cosmic-ray "kills" (its tests fail importing it, a
SyntaxError in its output), may be qualitykit's "incompetent". Exit status 1 on any disagreement
(up to 20 are listed).

Every tool works on its own clone (/tmp/qk-mutation-bench/TOOL-TARGET), never on the fetched
target. The target's venv (qualitykit from this repository, editable, which brings cosmic-ray
and coverage, plus the target's pinned test dependencies) and mutmut's venv are made once under
the work directory and reused while their stamp file matches. Logs: WORKDIR/logs/.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FETCH = ROOT.parent / "shared" / "targets" / "fetch"
TARGETS = Path("/tmp/qualitykit-targets")  # noqa: S108 - the cache the e2e tests share
WORKDIR = Path("/tmp/qk-mutation-bench")  # noqa: S108 - scratch clones and venvs, reused
ENV = dict(os.environ)
# PYTHONDONTWRITEBYTECODE too: users' shells rarely set it (cosmic-ray sets it for its tests).
for _name in (
    "GITHUB_ACTIONS",
    "GITHUB_STEP_SUMMARY",
    "PYTHONPATH",
    "PYTHONHOME",
    "VIRTUAL_ENV",
    "PYTHONDONTWRITEBYTECODE",
):
    ENV.pop(_name, None)
SPEED_GOAL = 15.0
STOCK_TIMEOUT = 30.0
MUTMUT = "mutmut==3.8.1"
KILLED = frozenset({"killed", "timeout"})
# Stock cosmic-ray runs the tests on a mutant that does not compile (``*,`` made ``+,``): they
# fail importing it, so it says killed; qualitykit compiles first and says incompetent.
SYNTAX = "syntax-error"
SYNTAX_ERROR = re.compile(r"\b(?:SyntaxError|IndentationError|TabError)\b")
SHOWN_MISMATCHES = 20

Key = tuple[str, str, int]  # module path, cosmic-ray operator name, occurrence


@dataclass(frozen=True)
class Target:
    """A shared target and how each tool is pointed at its one mutated module."""

    name: str  # as in --targets
    dist: str  # as ../shared/targets/fetch names it
    module: str  # the module to mutate, relative to the root
    package: str  # its package directory (mutmut copies the whole package)
    test_deps: tuple[str, ...]
    no_cov: tuple[str, ...] = ()  # pytest arguments that turn the addopts' coverage off
    also_copy: tuple[str, ...] = ()  # what the tests read besides the package and test*.py


KNOWN = {
    "slugify": Target(
        name="slugify",
        dist="python-slugify",
        module="slugify/slugify.py",
        package="slugify",
        test_deps=("pytest==9.2.0", "text-unidecode==1.3"),
        # test_release.py imports the sdist's tools/ and reads README.md next to itself.
        also_copy=("tools", "README.md"),
    ),
    "parse": Target(
        name="parse",
        dist="parse",
        module="parse/__init__.py",
        package="parse",
        test_deps=("pytest==9.2.0", "pytest-cov==7.1.0", "coverage==7.17.3"),
        no_cov=("--no-cov",),
        also_copy=("README.rst",),  # addopts: --doctest-glob=README.rst
    ),
}


@dataclass
class Stock:
    """Stock cosmic-ray on one target (all mutants, or a sample of them)."""

    total: int  # mutants made by init
    ran: int  # mutants executed (the sample size when sampled)
    init_seconds: float
    exec_seconds: float
    outcomes: dict[Key, str]

    @property
    def sampled(self) -> bool:
        return self.ran < self.total

    @property
    def per_mutant(self) -> float:
        return self.exec_seconds / self.ran if self.ran else 0.0

    @property
    def seconds(self) -> float:
        """Wall time of init + exec over every mutant (extrapolated when sampled)."""
        return self.init_seconds + self.per_mutant * self.total


@dataclass
class QualityKit:
    """``qualitykit mutation run --no-cache`` on one target."""

    seconds: float
    exit_code: int
    score: float | None
    counts: dict[str, int]
    outcomes: dict[Key, str]
    own_seconds: float  # the run's own measure, from result.json


@dataclass
class Mutmut:
    """mutmut on one target."""

    seconds: float
    statuses: Counter[str] = field(default_factory=Counter[str])

    @property
    def total(self) -> int:
        return sum(self.statuses.values())


@dataclass
class Figures:
    """Everything measured on one target."""

    target: Target
    stock: Stock | None = None
    qualitykit: QualityKit | None = None
    mutmut: Mutmut | None = None
    compared: int = 0
    mismatches: list[str] = field(default_factory=list[str])
    only_stock: int = 0
    only_qualitykit: int = 0
    syntax: int = 0  # stock killed by a syntax error, qualitykit incompetent


def run(
    argv: list[str], cwd: Path, log: Path, *, env: dict[str, str], ok: tuple[int, ...] = (0,)
) -> tuple[float, int]:
    """Wall time and exit code of one run (output to ``log``); exits on an unexpected code."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as out:
        out.write(f"$ {' '.join(argv)}  (in {cwd})\n")
        out.flush()
        started = time.perf_counter()
        done = subprocess.run(
            argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, check=False
        )
        elapsed = time.perf_counter() - started
    if done.returncode not in ok:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        sys.exit(f"benchmark: {' '.join(argv)} exited {done.returncode} (log {log}):\n{tail}")
    return elapsed, done.returncode


def venv_env(venv: Path) -> dict[str, str]:
    """The environment of an activated ``venv``."""
    path = os.pathsep.join([str(venv / "bin"), ENV.get("PATH", "")])
    return {**ENV, "PATH": path, "VIRTUAL_ENV": str(venv)}


def ensure_venv(venv: Path, requirements: list[str], logs: Path) -> None:
    """Create ``venv`` with ``requirements`` unless its stamp says it already has them."""
    stamp = venv / "qk-bench.stamp"
    wanted = "\n".join(requirements) + "\n"
    if "-e" in requirements:  # an editable qualitykit: its dependencies come from pyproject
        digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
        wanted += f"pyproject {digest}\n"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted:
        print(f"  venv {venv}: reused")
        return
    shutil.rmtree(venv, ignore_errors=True)
    log = logs / f"{venv.name}.log"
    seconds, _ = run(["python3", "-m", "venv", str(venv)], venv.parent, log, env=ENV)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *requirements]
    seconds += run(pip, venv.parent, logs / f"{venv.name}-pip.log", env=venv_env(venv))[0]
    stamp.write_text(wanted, encoding="utf-8")
    print(f"  venv {venv}: created in {seconds:.0f} s")


def fetch(targets: list[Target]) -> dict[str, Path]:
    """The fetched targets' directories, by target name."""
    argv = [str(FETCH), *(target.dist for target in targets), "--dest", str(TARGETS)]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"benchmark: {' '.join(argv)} exited {done.returncode}:\n{done.stderr}")
    paths = {line.split()[0]: Path(line.split()[2]) for line in done.stdout.splitlines() if line}
    return {target.name: paths[target.dist] for target in targets}


def clone(source: Path, dest: Path) -> Path:
    """A fresh private clone of ``source`` at ``dest``."""
    shutil.rmtree(dest, ignore_errors=True)
    subprocess.run(["git", "clone", "-q", str(source), str(dest)], check=True)
    return dest


def append(path: Path, text: str) -> None:
    """Append ``text`` to the file at ``path``."""
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def toml_list(items: tuple[str, ...] | list[str]) -> str:
    """A TOML array of strings (JSON's quoting is TOML's for these)."""
    return "[" + ", ".join(json.dumps(item) for item in items) + "]"


def sample_session(session: Path, size: int) -> int:
    """Keep ``size`` mutants of a cosmic-ray session, evenly spread over the sorted keys."""
    with sqlite3.connect(session) as db:
        rows = db.execute(
            "SELECT module_path, operator_name, occurrence, job_id FROM mutation_specs"
        ).fetchall()
        ordered = sorted(rows, key=lambda row: (row[0], row[1], int(row[2])))
        keep = {ordered[index * len(ordered) // size][3] for index in range(size)}
        drop = [(row[3],) for row in ordered if row[3] not in keep]
        db.executemany("DELETE FROM mutation_specs WHERE job_id = ?", drop)
        db.executemany("DELETE FROM work_items WHERE job_id = ?", drop)
    return len(keep)


def count_specs(session: Path) -> int:
    """Mutants in a cosmic-ray session."""
    with sqlite3.connect(session) as db:
        return int(db.execute("SELECT COUNT(*) FROM mutation_specs").fetchone()[0])


def stock_outcomes(session: Path) -> dict[Key, str]:
    """Each mutant's outcome in a cosmic-ray session (SQLAlchemy stores enum names: KILLED)."""
    with sqlite3.connect(session) as db:
        rows = db.execute(
            "SELECT s.module_path, s.operator_name, s.occurrence,"
            " r.worker_outcome, r.test_outcome, r.output"
            " FROM mutation_specs AS s LEFT JOIN work_results AS r ON r.job_id = s.job_id"
        ).fetchall()
    outcomes: dict[Key, str] = {}
    for module, operator, occurrence, worker, test, output in rows:
        if worker is None:
            outcome = "pending"
        elif str(worker).lower() != "normal":
            outcome = str(worker).lower()  # exception, abnormal, skipped, no-test
        elif str(test).lower() == "killed" and output == "timeout":
            outcome = "timeout"  # cosmic-ray counts a timeout as killed
        elif str(test).lower() == "killed" and SYNTAX_ERROR.search(str(output)):
            outcome = SYNTAX  # killed, but only because the mutated module does not compile
        else:
            outcome = str(test).lower()
        outcomes[str(module), str(operator), int(occurrence)] = outcome
    return outcomes


def run_stock(
    target: Target, source: Path, venv: Path, workdir: Path, *, sample: int, no_cov: bool
) -> Stock:
    """Stock cosmic-ray, ``local`` distributor, on a private clone."""
    root = clone(source, workdir / f"stock-{target.name}")
    command = f"{venv / 'bin' / 'python'} -m pytest -x -q"
    if no_cov and target.no_cov:
        command += " " + " ".join(target.no_cov)
    (root / "cr.toml").write_text(
        "[cosmic-ray]\n"
        f"module-path = {json.dumps(target.module)}\n"
        f"timeout = {STOCK_TIMEOUT}\n"
        "excluded-modules = []\n"
        f"test-command = {json.dumps(command)}\n"
        "\n[cosmic-ray.distributor]\n"
        'name = "local"\n',
        encoding="utf-8",
    )
    cosmic_ray = str(venv / "bin" / "cosmic-ray")
    env = venv_env(venv)
    logs = workdir / "logs"
    init = [cosmic_ray, "init", "cr.toml", "session.sqlite"]
    init_seconds, _ = run(init, root, logs / f"stock-{target.name}-init.log", env=env)
    session = root / "session.sqlite"
    total = count_specs(session)
    ran = sample_session(session, sample) if 0 < sample < total else total
    note = f"a sample of {ran} of {total}" if ran < total else f"all {total}"
    print(f"  stock cosmic-ray: {note} mutants, test command: {command}", flush=True)
    execute = [cosmic_ray, "exec", "cr.toml", "session.sqlite"]
    exec_seconds, _ = run(execute, root, logs / f"stock-{target.name}-exec.log", env=env)
    return Stock(total, ran, init_seconds, exec_seconds, stock_outcomes(session))


def run_qualitykit(
    target: Target, source: Path, venv: Path, workdir: Path, workers: int
) -> QualityKit:
    """``qualitykit mutation run --no-cache`` on a private clone, configured and committed."""
    root = clone(source, workdir / f"qualitykit-{target.name}")
    append(
        root / "pyproject.toml",
        "\n[tool.qualitykit.mutation]\n"
        f"modules = {toml_list([target.module])}\n"
        f"workers = {workers}\n",
    )
    commit = ["git", "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qam", "bench"]
    subprocess.run(commit, cwd=root, check=True)
    print("  qualitykit mutation run --no-cache", flush=True)
    argv = [str(venv / "bin" / "qualitykit"), "mutation", "run", "--no-cache"]
    log = workdir / "logs" / f"qualitykit-{target.name}.log"
    # 1: below the threshold; still a complete run. 2 or anything else: the benchmark fails.
    seconds, code = run(argv, root, log, env=venv_env(venv), ok=(0, 1))
    data = json.loads((root / ".qualitykit" / "mutation" / "result.json").read_text())
    outcomes = {
        (str(m["module"]), str(m["operator"]), int(m["occurrence"])): str(m["outcome"])
        for m in data["mutants"]
    }
    counts = {str(name): int(number) for name, number in data["counts"].items()}
    own = float(data.get("seconds", 0.0))
    return QualityKit(seconds, code, data["score"], counts, outcomes, own)


def run_mutmut(target: Target, source: Path, venv: Path, workdir: Path, workers: int) -> Mutmut:
    """mutmut 3.8.1 on a private clone; its mutants counted with ``mutmut results --all``."""
    root = clone(source, workdir / f"mutmut-{target.name}")
    # mutmut 3.8.1: source_paths (paths_to_mutate is its deprecated name) is copied to mutants/;
    # a file there would leave the package without its __init__.py, so the whole package is
    # copied and only_mutate picks the module. also_copy adds to tests/, test*.py, pyproject.
    append(
        root / "pyproject.toml",
        "\n[tool.mutmut]\n"
        f"source_paths = {toml_list([target.package])}\n"
        f"only_mutate = {toml_list([target.module])}\n"
        f"also_copy = {toml_list(target.also_copy)}\n"
        f"pytest_add_cli_args = {toml_list(target.no_cov)}\n",
    )
    print(f"  mutmut run --max-children {workers}", flush=True)
    env = venv_env(venv)
    mutmut = str(venv / "bin" / "mutmut")
    log = workdir / "logs" / f"mutmut-{target.name}.log"
    seconds, _ = run([mutmut, "run", "--max-children", str(workers)], root, log, env=env)
    listing = subprocess.run(
        [mutmut, "results", "--all", "true"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    statuses: Counter[str] = Counter()
    for line in listing.stdout.splitlines():
        name, colon, status = line.strip().rpartition(": ")
        if colon and name:
            statuses[status] += 1
    return Mutmut(seconds, statuses)


def compare(figures: Figures) -> None:
    """Check qualitykit's outcomes against stock cosmic-ray's on the mutants both ran."""
    if figures.stock is None or figures.qualitykit is None:
        return
    stock = figures.stock.outcomes
    ours = figures.qualitykit.outcomes
    figures.only_stock = len(stock.keys() - ours.keys())
    figures.only_qualitykit = len(ours.keys() - stock.keys())
    for key in sorted(stock.keys() & ours.keys()):
        theirs, mine = stock[key], ours[key]
        if mine == "no-coverage":
            continue
        if theirs in KILLED:
            expected = KILLED
        elif theirs == SYNTAX:
            expected = KILLED | {"incompetent"}
            figures.syntax += mine == "incompetent"
        elif theirs == "survived":
            expected = frozenset({"survived"})
        else:
            continue  # incompetent, or a worker failure: nothing to hold qualitykit to
        figures.compared += 1
        if mine not in expected:
            module, operator, occurrence = key
            figures.mismatches.append(
                f"{figures.target.name}: {module} {operator} #{occurrence}: "
                f"stock {theirs}, qualitykit {mine}"
            )


def verdict(*, met: bool) -> str:
    return "OK" if met else "MISSED"


def rows_for(figures: Figures) -> list[tuple[str, str, str, str]]:
    """The table rows of one target: label, value, goal, verdict."""
    rows: list[tuple[str, str, str, str]] = []
    stock, ours, mutmut = figures.stock, figures.qualitykit, figures.mutmut
    if stock is not None:
        how = f"extrapolated from {stock.ran}" if stock.sampled else "full run"
        rows += [
            ("stock cosmic-ray: mutants", f"{stock.total}", "", ""),
            ("stock cosmic-ray: wall time", f"{stock.seconds:.1f} s", f"({how})", ""),
            ("stock cosmic-ray: per mutant", f"{stock.per_mutant:.3f} s", "", ""),
        ]
    if ours is not None:
        total = sum(ours.counts.values())
        per_second = total / ours.seconds
        score = "n/a" if ours.score is None else f"{ours.score:.2f} %"
        counts = ", ".join(f"{name} {number}" for name, number in ours.counts.items() if number)
        rows += [
            ("qualitykit: mutants", f"{total}", f"exit {ours.exit_code}", ""),
            (
                "qualitykit: wall time",
                f"{ours.seconds:.1f} s",
                f"(own {ours.own_seconds:.1f} s)",
                "",
            ),
            ("qualitykit: mutants/s", f"{per_second:.2f}", "", ""),
            ("qualitykit: score", score, counts, ""),
        ]
        if stock is not None:
            ratio = stock.seconds / ours.seconds
            rows.append(
                (
                    "stock / qualitykit",
                    f"{ratio:.1f} x",
                    f"goal >= {SPEED_GOAL:.0f} x",
                    verdict(met=ratio >= SPEED_GOAL),
                )
            )
    if mutmut is not None:
        found = ", ".join(f"{name} {number}" for name, number in mutmut.statuses.most_common())
        rows += [
            ("mutmut: mutants", f"{mutmut.total}", found, ""),
            ("mutmut: wall time", f"{mutmut.seconds:.1f} s", "", ""),
            ("mutmut: mutants/s", f"{mutmut.total / mutmut.seconds:.2f}", "", ""),
        ]
        if ours is not None:
            mine = sum(ours.counts.values()) / ours.seconds
            theirs = mutmut.total / mutmut.seconds
            rows.append(
                (
                    "qualitykit / mutmut mutants/s",
                    f"{mine / theirs:.2f} x",
                    "goal > 1 x",
                    verdict(met=mine > theirs),
                )
            )
    if stock is not None and ours is not None:
        rows.append(
            (
                "outcomes compared with stock",
                f"{figures.compared}",
                f"{len(figures.mismatches)} mismatches",
                verdict(met=not figures.mismatches),
            )
        )
        rows.append(("  stock SyntaxError=incompetent", f"{figures.syntax}", "", ""))
        extra = f"only stock {figures.only_stock}, only qualitykit {figures.only_qualitykit}"
        rows.append(("mutants not in both", "", extra, ""))
    return rows


def measure(target: Target, source: Path, args: argparse.Namespace) -> Figures:
    """Set up and run every tool on one target."""
    workdir: Path = args.workdir
    logs = workdir / "logs"
    print(f"{target.name} ({source})", flush=True)
    venv = workdir / f"venv-{target.name}"
    ensure_venv(venv, ["-e", str(ROOT), *target.test_deps], logs)
    figures = Figures(target)
    if not args.skip_stock:
        figures.stock = run_stock(
            target, source, venv, workdir, sample=args.stock_sample, no_cov=args.stock_no_cov
        )
    figures.qualitykit = run_qualitykit(target, source, venv, workdir, args.workers)
    if not args.skip_mutmut:
        mutmut_venv = workdir / "venv-mutmut"
        test_deps = sorted({dep for known in KNOWN.values() for dep in known.test_deps})
        ensure_venv(mutmut_venv, [MUTMUT, *test_deps], logs)
        figures.mutmut = run_mutmut(target, source, mutmut_venv, workdir, args.workers)
    compare(figures)
    return figures


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--targets", default="slugify,parse", help=f"comma-separated, of: {', '.join(KNOWN)}"
    )
    parser.add_argument("--skip-stock", action="store_true", help="do not run stock cosmic-ray")
    parser.add_argument("--skip-mutmut", action="store_true", help="do not run mutmut")
    parser.add_argument(
        "--stock-sample",
        type=int,
        default=0,
        metavar="N",
        help="run stock cosmic-ray on N mutants only and extrapolate (default: all)",
    )
    parser.add_argument(
        "--stock-no-cov",
        action="store_true",
        help="stock test command with --no-cov where the target's addopts measure coverage",
    )
    parser.add_argument("--workers", type=int, default=2, help="qualitykit and mutmut workers")
    parser.add_argument("--workdir", type=Path, default=WORKDIR, help="clones, venvs and logs")
    args = parser.parse_args()
    unknown = [name for name in args.targets.split(",") if name not in KNOWN]
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}; known: {', '.join(KNOWN)}")
    if args.stock_sample < 0:
        parser.error("--stock-sample must be >= 0")
    return args


def main() -> int:
    """Measure and print the figures; 1 when qualitykit disagrees with stock cosmic-ray."""
    args = parse_args()
    targets = [KNOWN[name] for name in args.targets.split(",")]
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"mutation benchmark ({os.cpu_count()} cores, Python {sys.version.split()[0]})")
    sources = fetch(targets)
    measured = [measure(target, sources[target.name], args) for target in targets]

    print()
    for figures in measured:
        print(f"  {figures.target.name}: {figures.target.module}")
        for label, value, goal, met in rows_for(figures):
            print(f"    {label:<32} {value:>10}  {goal:<28} {met}".rstrip())
        if figures.stock is not None and figures.stock.sampled:
            print(
                f"    (stock cosmic-ray SAMPLED: {figures.stock.ran} of {figures.stock.total} "
                f"mutants run, {figures.stock.exec_seconds:.1f} s; its time is extrapolated)"
            )
        print()
    mismatches = [line for figures in measured for line in figures.mismatches]
    if mismatches:
        print(f"  {len(mismatches)} mismatches between stock cosmic-ray and qualitykit:")
        for line in mismatches[:SHOWN_MISMATCHES]:
            print(f"    {line}")
        if len(mismatches) > SHOWN_MISMATCHES:
            print(f"    ... and {len(mismatches) - SHOWN_MISMATCHES} more")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
