"""A mutation run: mutants, private copies, a coverage baseline, warm workers, an honest score.

The steps, in order:

1. the mutants of the configured modules (cosmic-ray's operators, :mod:`.mutants`);
2. the session: reused when it belongs to the same mutants and the same tree (resume),
   otherwise reset; cosmic-ray's config is rendered next to it;
3. private copies of the project (:mod:`.copies`) and the baseline: the suite once, unmutated,
   under per-test coverage contexts (cached by the tree's content hash);
4. each mutant's tests: those whose context executed one of its lines; none: ``no-coverage``;
5. results reused from the session (an interrupted run) or the cache (same mutation, same
   source, same tests);
6. the sanity check: a covered module replaced by one that raises on import must be killed;
7. the rest on N warm workers, each result stored at once (a kill loses nothing stored).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import contextlib
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from qualitykit.atomic import write_text_atomic
from qualitykit.config import MutationConfig
from qualitykit.errors import ConfigError, QualityKitError
from qualitykit.mutation.copies import Copies
from qualitykit.mutation.mutants import ModuleMutants, Mutant, operator_names
from qualitykit.mutation.results import MutantResult, MutationResult, Outcome, count
from qualitykit.mutation.session import Session, open_session, render_config
from qualitykit.workspace import Workspace

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

WORKER_SCRIPT = Path(__file__).with_name("worker.py")
STATE = "mutation"
_CACHE_VERSION = 1
# Appended (a leading line would break ``from __future__`` imports): the import fails at its end.
_SANITY_LINE = '\nraise RuntimeError("qualitykit sanity check: this mutant must be killed")\n'
_NO_TESTS = 5


@dataclass(frozen=True)
class RunOptions:
    """What one ``qualitykit mutation run`` does beyond the configuration."""

    changed_base: str | None = None
    shard: tuple[int, int] | None = None
    workers: int | None = None
    use_cache: bool = True
    apply_threshold: bool = True


@dataclass
class Baseline:
    """The unmutated suite's report (see ``worker.py baseline``)."""

    tests: list[str]
    durations: dict[str, float]
    lines: dict[str, dict[int, list[str]]]

    def select(self, mutant: Mutant) -> list[str] | None:
        """The tests that execute ``mutant``'s lines, fastest first (None: none does).

        Contexts: a test's node id; ``collect:FILE`` for code a test module ran when imported;
        ``""`` for anything else at import time. Module-level code (definitions, constants)
        affects every test; a function body run while FILE was imported affects FILE's tests.
        """
        by_line = self.lines.get(mutant.module, {})
        own = range(mutant.start[0], mutant.end[0] + 1)
        if mutant.in_annotation and not any(line in by_line for line in own):
            # A signature line coverage.py never saw run: an annotation that is never
            # evaluated (``from __future__ import annotations``) is not executed code.
            return None
        contexts: set[str] = set()
        for line in mutant.lines:
            contexts.update(by_line.get(line, ()))
        if not contexts:
            return None
        chosen: set[str] = set()
        for context in contexts:
            called = mutant.in_body or mutant.body is not None
            if context == "" or (context.startswith("collect:") and not called):
                chosen = set(self.tests)
                break
            if context.startswith("collect:"):
                prefix = context.removeprefix("collect:") + "::"
                chosen.update(test for test in self.tests if test.startswith(prefix))
            else:
                chosen.add(context)
        known = set(self.tests)
        return sorted(chosen & known, key=lambda test: (self.durations.get(test, 0.0), test))


@dataclass
class _Plan:
    mutant: Mutant
    tests: list[str]
    timeout: float
    cache_key: str


@dataclass
class _State:
    results: dict[str, MutantResult] = field(default_factory=dict[str, MutantResult])
    cache: dict[str, dict[str, Any]] = field(default_factory=dict[str, dict[str, Any]])


def run(
    root: Path,
    options: RunOptions,
    progress: Callable[[int, int, int], None] | None = None,
) -> MutationResult:
    """Run (or resume) the configured mutation testing; the caller writes the reports."""
    started = time.monotonic()
    workspace = Workspace.load(root)
    config = workspace.config.mutation
    root = workspace.root
    state_dir = workspace.state_dir / STATE
    modules = _modules(workspace)
    python = config.python or sys.executable
    pytest_args = [*_neutralisers(python, root), *config.tests]
    operators = operator_names(config.exclude_operators)
    by_module = {
        module: ModuleMutants(module, (root / module).read_text(encoding="utf-8"), operators)
        for module in modules
    }
    mutants = [mutant for module in by_module.values() for mutant in module.mutants]
    render_config(
        state_dir / "cosmic-ray.toml",
        modules=modules,
        excluded=config.exclude_modules,
        python=python,
        pytest_args=pytest_args,
        timeout=config.timeout_min,
    )
    scope = _scope(root, mutants, options)
    notes: list[str] = []
    problems: list[str] = []
    workers = options.workers or config.workers or os.cpu_count() or 1
    tree_hash = _tree_hash(workspace, python, pytest_args)
    cache_path = state_dir / "cache.json"
    cache = _load_cache(cache_path) if options.use_cache else {}
    state = _State(cache=cache)
    with open_session(state_dir / "session.sqlite") as session, Copies(root, workspace.files) as copies:
        marker = state_dir / "session.json"
        fingerprint = _fingerprint(mutants, tree_hash)
        reuse = options.use_cache and _read_marker(marker) == fingerprint
        if not reuse or session.job_ids() != {m.job_id for m in mutants}:
            session.reset(mutants)
            write_text_atomic(marker, json.dumps({"fingerprint": fingerprint}) + "\n")
        stored = session.results()
        resumable = {job for job, record in stored.items() if record[0] is not Outcome.ERROR}
        pending = sum(1 for mutant in scope if mutant.job_id not in resumable)
        count_workers = max(1, min(workers, pending))
        paths = copies.make(1 + count_workers if pending else 1)
        first = paths[0]
        # The workers warm up (pytest, collection) while the baseline runs in its own copy.
        spec = _spec(modules, pytest_args)
        pool = _Pool(python, spec, paths[1:], state_dir) if pending else None
        try:
            baseline, error = _baseline(first, state_dir, modules, python, pytest_args, tree_hash, options)
            if baseline is None:
                problems.append(error)
                return finish(workspace, scope, state.results, problems, notes, options, started, 0)
            plans = _plan(scope, baseline, by_module, stored, session, state, first, tree_hash, options, config)
            if scope and not plans and all(
                r.outcome is Outcome.NO_COVERAGE for r in state.results.values()
            ):
                problems.append(
                    "no test executes any mutated line: every mutant is no-coverage "
                    "(check [tool.qualitykit.mutation] tests)"
                )
            if plans and pool is not None:
                pool.ready()
                sanity = _sanity(pool, plans, by_module)
                if sanity:
                    problems.append(sanity)
                else:
                    _execute(pool, plans, by_module, session, state, progress)
        finally:
            if pool is not None:
                pool.close()
            if options.use_cache:
                _save_cache(cache_path, state.cache)
        used = count_workers if pending else 0
        return finish(workspace, scope, state.results, problems, notes, options, started, used)


def _plan(  # noqa: PLR0913 - the run's state so far
    scope: list[Mutant],
    baseline: Baseline,
    by_module: dict[str, ModuleMutants],
    stored: dict[str, tuple[Outcome, str, str]],
    session: Session,
    state: _State,
    copy: Path,
    tree_hash: str,
    options: RunOptions,
    config: MutationConfig,
) -> list[_Plan]:
    """Settle what needs no run (resumed, unreachable, cached); plan the rest."""
    plans: list[_Plan] = []
    for mutant in scope:
        never = by_module[mutant.module].never_runs(mutant)
        tests = None if never else baseline.select(mutant)
        record = stored.get(mutant.job_id)
        if record is not None and record[0] is not Outcome.ERROR:
            state.results[mutant.job_id] = _result(mutant, record[0], tests, record[2], cached=True)
            continue
        if tests is None:
            outcome, diff = _unrun(by_module[mutant.module], mutant)
            session.record(mutant.job_id, outcome, diff=diff)
            state.results[mutant.job_id] = _result(mutant, outcome, None, diff)
            continue
        key = _cache_key(mutant, tests, copy, tree_hash)
        hit = state.cache.get(key) if options.use_cache else None
        if hit is not None:
            outcome = Outcome(hit["outcome"])
            result = _result(mutant, outcome, tests, str(hit.get("diff", "")), cached=True)
            session.record(mutant.job_id, outcome, diff=result.diff)
            state.results[mutant.job_id] = result
            continue
        timeout = config.timeout_min + config.timeout_factor * sum(
            baseline.durations.get(test, 0.0) for test in tests
        )
        plans.append(_Plan(mutant, tests, timeout, key))
    return plans


def _modules(workspace: Workspace) -> list[str]:
    config = workspace.config.mutation
    if not config.modules:
        msg = f"{workspace.root / 'pyproject.toml'}: [tool.qualitykit.mutation] modules: nothing to mutate"
        raise ConfigError(msg)
    excluded = set(workspace.select(config.exclude_modules))
    modules = [
        name
        for name in workspace.select(config.modules)
        if name.endswith(".py") and name not in excluded
    ]
    if not modules:
        patterns = ", ".join(config.modules)
        msg = f"[tool.qualitykit.mutation] modules: {patterns} match no Python file"
        raise ConfigError(msg)
    return modules


def _neutralisers(python: str, root: Path) -> list[str]:
    """Options that disarm a project's costly or nondeterministic pytest plugins, if present."""
    probe = (
        "import importlib.util as u, json;"
        "print(json.dumps([bool(u.find_spec(n)) for n in ('pytest_cov', 'xdist', 'pytest_randomly')]))"
    )
    try:
        found = subprocess.run(
            [python, "-c", probe], capture_output=True, text=True, check=True, cwd=root, timeout=60
        )
    except (OSError, subprocess.SubprocessError) as error:
        msg = f"[tool.qualitykit.mutation] python: cannot run {python}: {error}"
        raise ConfigError(msg) from None
    cov, xdist, randomly = cast("list[bool]", json.loads(found.stdout))
    args: list[str] = []
    if cov:
        args.append("--no-cov")
    if xdist:
        args += ["-n", "0"]
    if randomly:
        args += ["-p", "no:randomly"]
    return args


def _scope(root: Path, mutants: list[Mutant], options: RunOptions) -> list[Mutant]:
    chosen = mutants
    if options.changed_base is not None:
        from qualitykit.coverage.diff import changed_lines  # noqa: PLC0415

        changed = changed_lines(root, options.changed_base)
        chosen = [
            m
            for m in chosen
            if m.module in changed
            and any(line in changed[m.module] for line in range(m.start[0], m.end[0] + 1))
        ]
    if options.shard is not None:
        index, total = options.shard
        ordered = sorted(chosen, key=lambda m: m.job_id)
        keep = {m.job_id for position, m in enumerate(ordered) if position % total == index - 1}
        chosen = [m for m in chosen if m.job_id in keep]
    return chosen


def _tree_hash(workspace: Workspace, python: str, pytest_args: Sequence[str]) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps([python, list(pytest_args), WORKER_SCRIPT.read_text("utf-8")]).encode())
    for name in workspace.files:
        digest.update(f"{name}\0{workspace.digest(name)}\0".encode())
    return digest.hexdigest()


def _fingerprint(mutants: Sequence[Mutant], tree_hash: str) -> str:
    digest = hashlib.sha256(tree_hash.encode())
    for mutant in mutants:
        digest.update(mutant.job_id.encode())
    return digest.hexdigest()


def _read_marker(path: Path) -> str | None:
    try:
        data: object = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(data, dict):
        value = cast("dict[str, object]", data).get("fingerprint")
        return value if isinstance(value, str) else None
    return None


def _load_cache(path: Path) -> dict[str, dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise QualityKitError(f"{path}: cannot read the mutation cache: {error}") from None
    try:
        data: object = json.loads(text)
    except ValueError as error:
        msg = f"{path}: corrupt mutation cache (invalid JSON: {error}); delete it to start afresh"
        raise QualityKitError(msg) from None
    if (
        not isinstance(data, dict)
        or cast("dict[str, object]", data).get("version") != _CACHE_VERSION
        or not isinstance(cast("dict[str, object]", data).get("results"), dict)
    ):
        msg = f"{path}: corrupt mutation cache (not a version {_CACHE_VERSION} cache); delete it"
        raise QualityKitError(msg)
    results = cast("dict[str, object]", cast("dict[str, object]", data)["results"])
    valid = {outcome.value for outcome in Outcome}
    for key, entry in results.items():
        if not isinstance(entry, dict) or cast("dict[str, object]", entry).get("outcome") not in valid:
            msg = f"{path}: corrupt mutation cache (bad entry {key[:12]}); delete it"
            raise QualityKitError(msg)
    return cast("dict[str, dict[str, Any]]", results)


def _save_cache(path: Path, cache: dict[str, dict[str, Any]]) -> None:
    write_text_atomic(path, json.dumps({"version": _CACHE_VERSION, "results": cache}) + "\n")


def _cache_key(mutant: Mutant, tests: list[str] | None, copy: Path, tree_hash: str) -> str:
    del tree_hash  # the key is deliberately narrower: mutation, source, the selected tests
    digest = hashlib.sha256(mutant.job_id.encode())
    files = sorted({test.split("::", 1)[0] for test in tests or ()})
    for name in files:
        path = copy / name
        content = path.read_bytes() if path.is_file() else b""
        digest.update(f"{name}\0".encode() + hashlib.sha256(content).digest())
    for test in tests or ():
        digest.update(test.encode() + b"\0")
    return digest.hexdigest()


def _baseline(  # noqa: PLR0913 - the baseline's inputs
    copy: Path,
    state_dir: Path,
    modules: list[str],
    python: str,
    pytest_args: list[str],
    tree_hash: str,
    options: RunOptions,
) -> tuple[Baseline | None, str]:
    stored = state_dir / "baseline.json"
    report: dict[str, Any] | None = None
    if options.use_cache:
        try:
            cached = cast("dict[str, Any]", json.loads(stored.read_text(encoding="utf-8")))
            if cached.get("tree") == tree_hash:
                report = cached
        except (OSError, ValueError, AttributeError):
            report = None
    if report is None:
        output = copy.parent / "baseline-report.json"
        spec = {
            "root": str(copy),
            "sys_path": _source_roots(modules),
            "modules": modules,
            "pytest_args": pytest_args,
            "output": str(output),
            "log": str(state_dir / "baseline.log"),
        }
        state_dir.mkdir(parents=True, exist_ok=True)
        (state_dir / "baseline.log").write_text("", encoding="utf-8")
        done = subprocess.run(
            [python, str(WORKER_SCRIPT), "baseline", json.dumps(spec)],
            cwd=copy,
            check=False,
            start_new_session=True,
            stdin=subprocess.DEVNULL,
        )
        if done.returncode != 0 or not output.is_file():
            return None, f"baseline: the test harness crashed (exit {done.returncode}); see {state_dir / 'baseline.log'}"
        report = cast("dict[str, Any]", json.loads(output.read_text(encoding="utf-8")))
        failed = cast("list[str]", report["failed"])
        code = int(report["exit"])
        if code == _NO_TESTS or not report["tests"]:
            return None, "baseline: no tests collected (check [tool.qualitykit.mutation] tests)"
        if failed or code != 0:
            first = f" (first: {failed[0]})" if failed else ""
            return None, (
                f"baseline: the suite fails without any mutation: pytest exit {code}, "
                f"{len(failed)} failing tests{first}; see {state_dir / 'baseline.log'}"
            )
        report["tree"] = tree_hash
        if options.use_cache:
            write_text_atomic(stored, json.dumps(report) + "\n")
    lines = {
        module: {int(line): list(tests) for line, tests in by_line.items()}
        for module, by_line in cast("dict[str, dict[str, list[str]]]", report["lines"]).items()
    }
    return Baseline(
        tests=list(report["tests"]),
        durations=dict(report["durations"]),
        lines=lines,
    ), ""


def _source_roots(modules: Sequence[str]) -> list[str]:
    """The import roots of ``modules``: the first directory up without an ``__init__.py``."""
    roots: list[str] = []
    for module in modules:
        directory = Path(module).parent
        while directory != Path() and (directory / "__init__.py").exists():
            directory = directory.parent
        name = directory.as_posix()
        if name != "." and name not in roots:
            roots.append(name)
    return roots


def _spec(modules: list[str], pytest_args: list[str]) -> dict[str, Any]:
    return {"sys_path": _source_roots(modules), "modules": modules, "pytest_args": pytest_args}


class _Worker:
    """One warm worker process (its own process group) serving jobs over its pipes."""

    def __init__(self, python: str, spec: dict[str, Any], copy: Path, log: Path) -> None:
        self.python = python
        self.spec = {**spec, "root": str(copy), "log": str(log)}
        self.copy = copy
        self.process: subprocess.Popen[str] | None = None
        self.waiting = False

    def spawn(self) -> None:
        """Start the process; :meth:`ready` waits for its warm-up."""
        self.process = subprocess.Popen(
            [self.python, str(WORKER_SCRIPT), "serve", json.dumps(self.spec)],
            cwd=self.copy,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
            start_new_session=True,
        )
        self.waiting = True

    def ready(self) -> None:
        """Wait for the worker's warm-up to end."""
        if self.waiting:
            self.waiting = False
            if self._read() is None:
                msg = f"mutation: a worker failed to start; see {self.spec['log']}"
                raise QualityKitError(msg)

    def _read(self) -> dict[str, Any] | None:
        assert self.process is not None  # noqa: S101 - spawned
        stdout = cast("IO[str]", self.process.stdout)
        line = stdout.readline()
        if not line:
            return None
        return cast("dict[str, Any]", json.loads(line))

    def ask(self, job: dict[str, Any]) -> dict[str, Any] | None:
        """Send one job, wait for its answer (None: the worker died)."""
        if self.process is None or self.process.poll() is not None:
            self.spawn()
        self.ready()
        assert self.process is not None  # noqa: S101 - spawned
        try:
            stdin = cast("IO[str]", self.process.stdin)
            stdin.write(json.dumps(job) + "\n")
            stdin.flush()
        except OSError:
            return None
        return self._read()

    def close(self) -> None:
        """Kill the worker's process group (its zygote; test children die with them)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


class _Pool:
    def __init__(self, python: str, spec: dict[str, Any], copies: list[Path], state_dir: Path) -> None:
        logs = state_dir / "workers"
        logs.mkdir(parents=True, exist_ok=True)
        self.workers: list[_Worker] = []
        # Spawned from this (the main) thread: PR_SET_PDEATHSIG ties a worker to its creator.
        for index, copy in enumerate(copies):
            log = logs / f"worker-{index}.log"
            log.write_text("", encoding="utf-8")
            worker = _Worker(python, spec, copy, log)
            worker.spawn()
            self.workers.append(worker)

    def ready(self) -> None:
        for worker in self.workers:
            worker.ready()

    def close(self) -> None:
        for worker in self.workers:
            worker.close()


def _job(plan: _Plan, source: str) -> dict[str, Any]:
    return {
        "id": plan.mutant.job_id,
        "module": plan.mutant.module,
        "source": source,
        "tests": plan.tests,
        "timeout": plan.timeout,
        "function": plan.mutant.function,
    }


def _sanity(pool: _Pool, plans: list[_Plan], by_module: dict[str, ModuleMutants]) -> str:
    """Prove the harness kills a module that cannot even be imported; an error text if not."""
    counts: dict[str, int] = {}
    for plan in plans:
        counts[plan.mutant.module] = counts.get(plan.mutant.module, 0) + 1
    module = max(counts, key=counts.__getitem__)
    tests = sorted({test for plan in plans if plan.mutant.module == module for test in plan.tests})
    timeout = max(plan.timeout for plan in plans)
    probe = _Plan(plans[0].mutant, tests, timeout, "")
    job = {**_job(probe, by_module[module].source + _SANITY_LINE), "id": "sanity", "module": module}
    job["function"] = None
    failure = _expect_killed(pool, job, f"with {module} replaced by a module that raises on import")
    if failure:
        return failure
    # The in-place path too: a function swapped for one that raises must fail its tests.
    patched = next((plan for plan in plans if plan.mutant.function), None)
    if patched is not None:
        source = by_module[patched.mutant.module].source
        job = {**_job(patched, source), "id": "sanity-patch", "probe": True, "timeout": timeout}
        what = f"with {patched.mutant.function} of {patched.mutant.module} made to raise"
        return _expect_killed(pool, job, what)
    return ""


def _expect_killed(pool: _Pool, job: dict[str, Any], what: str) -> str:
    answer = pool.workers[0].ask(job)
    if answer is None:
        return "sanity check: the worker died running the tests"
    if answer["outcome"] != Outcome.KILLED.value:
        return (
            f"sanity check: {what}, the selected tests gave {answer['outcome']!r} (pytest exit "
            f"{answer.get('exit')}), not killed: they do not test the copy under test (an "
            "installed package shadows it?) or ignore failures"
        )
    return ""


def _execute(  # noqa: PLR0913 - the run's collaborators
    pool: _Pool,
    plans: list[_Plan],
    by_module: dict[str, ModuleMutants],
    session: Any,
    state: _State,
    progress: Callable[[int, int, int], None] | None,
) -> None:
    # In source order, so that neighbours share their killers: the test that killed a mutant
    # of a function runs first for the next mutant of that function (-x stops at it).
    plans = sorted(plans, key=lambda plan: (plan.mutant.module, plan.mutant.start))
    feed: Iterator[_Plan] = iter(plans)
    lock = threading.Lock()
    killers: dict[tuple[str, str | None], list[str]] = {}

    def ordered(plan: _Plan) -> _Plan:
        known = killers.get((plan.mutant.module, plan.mutant.definition), [])
        first = [test for test in known if test in plan.tests]
        if not first:
            return plan
        rest = [test for test in plan.tests if test not in first]
        return _Plan(plan.mutant, first + rest, plan.timeout, plan.cache_key)

    def learn(plan: _Plan, killer: str) -> None:
        with lock:
            known = killers.setdefault((plan.mutant.module, plan.mutant.definition), [])
            if killer in known:
                known.remove(killer)
            known.insert(0, killer)
    answers: queue.Queue[tuple[_Plan, str, dict[str, Any] | None] | None] = queue.Queue()

    def serve(worker: _Worker) -> None:
        while True:
            with lock:
                plan = next(feed, None)
                if plan is None:
                    break
                plan = ordered(plan)
                source = by_module[plan.mutant.module].mutated_source(plan.mutant)
            if source is None:
                answers.put((plan, "", {"outcome": Outcome.ERROR.value, "detail": "no mutation"}))
                continue
            diff = _diff(by_module[plan.mutant.module].source, source, plan.mutant.module)
            answer = worker.ask(_job(plan, source))
            if answer is None:
                # A dead worker is not the mutant's doing: a fresh worker tries once more.
                answer = worker.ask(_job(plan, source))
            if answer is not None and answer.get("killer"):
                learn(plan, str(answer["killer"]))
            answers.put((plan, diff, answer))
        answers.put(None)

    threads = [threading.Thread(target=serve, args=(worker,), daemon=True) for worker in pool.workers]
    for thread in threads:
        thread.start()
    running = len(threads)
    done = 0
    survived = 0
    while running:
        item = answers.get()
        if item is None:
            running -= 1
            continue
        plan, diff, answer = item
        if answer is None:
            outcome, detail, seconds = Outcome.ERROR, "the worker died twice", None
        else:
            outcome = Outcome(answer["outcome"])
            detail = str(answer.get("detail") or (f"pytest exit {answer.get('exit')}" if outcome is Outcome.ERROR else ""))
            seconds = answer.get("seconds")
        session.record(plan.mutant.job_id, outcome, detail, diff)
        state.results[plan.mutant.job_id] = _result(plan.mutant, outcome, plan.tests, diff, seconds=seconds, detail=detail)
        if outcome is not Outcome.ERROR:
            state.cache[plan.cache_key] = {"outcome": outcome.value, "diff": diff}
        done += 1
        survived += outcome is Outcome.SURVIVED
        if progress is not None:
            progress(done, len(plans), survived)
    for thread in threads:
        thread.join()


def _unrun(module: ModuleMutants, mutant: Mutant) -> tuple[Outcome, str]:
    """The outcome of a mutant no test reaches: no-coverage, or incompetent if it cannot compile."""
    source = module.mutated_source(mutant)
    if source is None:
        return Outcome.ERROR, ""
    diff = _diff(module.source, source, mutant.module)
    try:
        compile(source, mutant.module, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return Outcome.INCOMPETENT, diff
    return Outcome.NO_COVERAGE, diff


def _diff(original: str, mutated: str, module: str) -> str:
    lines = difflib.unified_diff(
        original.splitlines(keepends=True),
        mutated.splitlines(keepends=True),
        fromfile=f"a/{module}",
        tofile=f"b/{module}",
        n=1,
    )
    return "".join(lines)


def _result(  # noqa: PLR0913 - one field each
    mutant: Mutant,
    outcome: Outcome,
    tests: list[str] | None,
    diff: str,
    *,
    cached: bool = False,
    seconds: float | None = None,
    detail: str = "",
) -> MutantResult:
    return MutantResult(
        id=mutant.job_id,
        module=mutant.module,
        operator=mutant.operator,
        occurrence=mutant.occurrence,
        line=mutant.start[0],
        column=mutant.start[1],
        end_line=mutant.end[0],
        end_column=mutant.end[1],
        definition=mutant.definition,
        outcome=outcome,
        tests=len(tests or ()),
        seconds=seconds,
        cached=cached,
        diff=diff,
        detail=detail,
    )


def finish(  # noqa: PLR0913 - the verdict's inputs
    workspace: Workspace,
    scope: list[Mutant],
    results: dict[str, MutantResult],
    problems: list[str],
    notes: list[str],
    options: RunOptions,
    started: float,
    workers: int,
) -> MutationResult:
    """The verdict on ``scope``: counts, score, threshold, ratchet and every problem."""
    config = workspace.config.mutation
    mutants = [
        results.get(m.job_id) or _result(m, Outcome.PENDING, None, "") for m in scope
    ]
    counts = count(mutants)
    score = counts.score
    problems = list(problems)
    if not scope:
        if options.changed_base is not None:
            notes.append(f"no mutant on the lines changed since {options.changed_base}")
        else:
            problems.append("0 mutants: nothing was mutated")
    if counts.error and not config.allow_errors:
        problems.append(f"{counts.error} mutants ended in a harness error (allow-errors = false)")
    if counts.pending and not problems:
        problems.append(f"{counts.pending} mutants were not run")
    if options.apply_threshold and score is not None and score < config.threshold:
        problems.append(f"score {score:.1f}% is below the threshold {config.threshold:g}%")
    if options.apply_threshold and config.ratchet and score is not None:
        from qualitykit.mutation.ratchet import check_ratchet  # noqa: PLC0415

        problems.extend(check_ratchet(workspace, score))
    shard = f"{options.shard[0]}/{options.shard[1]}" if options.shard else None
    return MutationResult(
        ok=not problems,
        score=score,
        threshold=config.threshold,
        counts=counts,
        problems=tuple(problems),
        notes=tuple(notes),
        modules=tuple(sorted({m.module for m in scope})),
        shard=shard,
        changed_base=options.changed_base,
        seconds=round(time.monotonic() - started, 2),
        workers=workers,
        mutants=tuple(mutants),
    )
