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

import contextlib
import difflib
import hashlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from qualitykit.atomic import write_text_atomic
from qualitykit.errors import ConfigError, QualityKitError
from qualitykit.mutation.copies import Copies
from qualitykit.mutation.mutants import ModuleMutants, Mutant, operator_names
from qualitykit.mutation.results import MutantResult, MutationResult, Outcome, count
from qualitykit.mutation.session import Session, open_session, render_config
from qualitykit.workspace import Workspace

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from qualitykit.config import MutationConfig

WORKER_SCRIPT = Path(__file__).with_name("worker.py")
STATE = "mutation"
_CACHE_VERSION = 1
# Appended (a leading line would break ``from __future__`` imports): the import fails at its end.
_SANITY_LINE = '\nraise RuntimeError("qualitykit sanity check: this mutant must be killed")\n'
_NO_TESTS = 5
_PROBES = 5
_GRACE_S = 5.0  # for a worker to exit by itself after its last job
_PREFILL = 5000  # mutated sources made ahead (a few MB)
_UNSUPPORTED = "unsupported"


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


@dataclass
class _Context:
    """What one run knows before it starts anything."""

    workspace: Workspace
    options: RunOptions
    started: float
    modules: list[str]
    python: str
    pytest_args: list[str]
    by_module: dict[str, ModuleMutants]
    tree_hash: str
    state: _State

    @property
    def config(self) -> MutationConfig:
        return self.workspace.config.mutation

    @property
    def state_dir(self) -> Path:
        return self.workspace.state_dir / STATE

    @property
    def mutants(self) -> list[Mutant]:
        return [mutant for module in self.by_module.values() for mutant in module.mutants]

    @classmethod
    def load(cls, root: Path, options: RunOptions) -> _Context:
        started = time.monotonic()
        workspace = Workspace.load(root)
        config = workspace.config.mutation
        modules = _modules(workspace)
        python = config.python or sys.executable
        pytest_args = [*_neutralisers(python, workspace.root), *config.tests]
        operators = operator_names(config.exclude_operators)
        by_module = {
            module: ModuleMutants(
                module, (workspace.root / module).read_text(encoding="utf-8"), operators
            )
            for module in modules
        }
        cache_path = workspace.state_dir / STATE / "cache.json"
        cache = _load_cache(cache_path) if options.use_cache else {}
        return cls(
            workspace=workspace,
            options=options,
            started=started,
            modules=modules,
            python=python,
            pytest_args=pytest_args,
            by_module=by_module,
            tree_hash=_tree_hash(workspace, python, pytest_args),
            state=_State(cache=cache),
        )


def run(
    root: Path,
    options: RunOptions,
    progress: Callable[[int, int, int], None] | None = None,
) -> MutationResult:
    """Run (or resume) the configured mutation testing; the caller writes the reports."""
    ctx = _Context.load(root, options)
    render_config(
        ctx.state_dir / "cosmic-ray.toml",
        modules=ctx.modules,
        excluded=ctx.config.exclude_modules,
        python=ctx.python,
        pytest_args=ctx.pytest_args,
        timeout=ctx.config.timeout_min,
    )
    scope = _scope(ctx.workspace.root, ctx.mutants, options)
    with (
        open_session(ctx.state_dir / "session.sqlite") as session,
        Copies(ctx.workspace.root, ctx.workspace.files) as copies,
    ):
        return _Run(ctx, session, copies, scope).execute(progress)


class _Run:
    """One run inside its session and its private copies."""

    def __init__(
        self, ctx: _Context, session: Session, copies: Copies, scope: list[Mutant]
    ) -> None:
        self.ctx = ctx
        self.session = session
        self.copies = copies
        self.scope = scope
        self.problems: list[str] = []
        self.notes: list[str] = []

    def _stored(self) -> dict[str, tuple[Outcome, str, str]]:
        """The session's results, after resetting a session of other mutants or another tree."""
        marker = self.ctx.state_dir / "session.json"
        mutants = self.ctx.mutants
        fingerprint = _fingerprint(mutants, self.ctx.tree_hash)
        reuse = self.ctx.options.use_cache and _read_marker(marker) == fingerprint
        if not reuse or self.session.job_ids() != {m.job_id for m in mutants}:
            self.session.reset(mutants)
            write_text_atomic(marker, json.dumps({"fingerprint": fingerprint}) + "\n")
        return self.session.results()

    def execute(self, progress: Callable[[int, int, int], None] | None) -> MutationResult:
        ctx = self.ctx
        stored = self._stored()
        resumable = {job for job, record in stored.items() if record[0] is not Outcome.ERROR}
        pending = sum(1 for mutant in self.scope if mutant.job_id not in resumable)
        workers = ctx.options.workers or ctx.config.workers or os.cpu_count() or 1
        count_workers = max(1, min(workers, pending)) if pending else 0
        paths = self.copies.make(1 + count_workers)
        # The workers warm up (pytest, collection) while the baseline runs in its own copy.
        spec = {"sys_path": _source_roots(ctx.modules), "modules": ctx.modules}
        spec["pytest_args"] = ctx.pytest_args
        pool = _Pool(ctx.python, spec, paths[1:], ctx.state_dir) if pending else None
        # The runner is idle while the baseline runs: make the mutated sources meanwhile.
        threading.Thread(target=_prefill, args=(ctx, self.scope), daemon=True).start()
        try:
            baseline, error = _baseline(ctx, paths[0])
            if baseline is None:
                self.problems.append(error)
                return self.finish(0)
            plans = self._plan(baseline, stored, paths[0])
            if pool is not None and plans:
                pool.ready()
                sanity = _sanity(pool, plans, ctx.by_module)
                if sanity:
                    self.problems.append(sanity)
                else:
                    _Executor(pool, ctx, self.session, progress).execute(plans)
        finally:
            if pool is not None:
                pool.close()
            if ctx.options.use_cache:
                _save_cache(ctx.state_dir / "cache.json", ctx.state.cache)
        return self.finish(count_workers)

    def _plan(
        self, baseline: Baseline, stored: dict[str, tuple[Outcome, str, str]], copy: Path
    ) -> list[_Plan]:
        """Settle what needs no run (resumed, unreachable, cached); plan the rest."""
        ctx = self.ctx
        results = ctx.state.results
        plans: list[_Plan] = []
        for mutant in self.scope:
            module = ctx.by_module[mutant.module]
            tests = None if module.never_runs(mutant) else baseline.select(mutant)
            record = stored.get(mutant.job_id)
            if record is not None and record[0] is not Outcome.ERROR:
                results[mutant.job_id] = mutant_result(
                    mutant, record[0], tests, record[2], cached=True
                )
                continue
            if tests is None:
                outcome, diff = _unrun(module, mutant)
                self.session.record(mutant.job_id, outcome, diff=diff)
                results[mutant.job_id] = mutant_result(mutant, outcome, None, diff)
                continue
            key = _cache_key(mutant, tests, copy)
            hit = ctx.state.cache.get(key) if ctx.options.use_cache else None
            if hit is not None:
                outcome = Outcome(hit["outcome"])
                result = mutant_result(
                    mutant, outcome, tests, str(hit.get("diff", "")), cached=True
                )
                self.session.record(mutant.job_id, outcome, diff=result.diff)
                results[mutant.job_id] = result
                continue
            seconds = sum(baseline.durations.get(test, 0.0) for test in tests)
            timeout = ctx.config.timeout_min + ctx.config.timeout_factor * seconds
            plans.append(_Plan(mutant, tests, timeout, key))
        unreached = all(r.outcome is Outcome.NO_COVERAGE for r in results.values())
        if self.scope and not plans and unreached:
            self.problems.append(
                "no test executes any mutated line: every mutant is no-coverage "
                "(check [tool.qualitykit.mutation] tests)"
            )
        return plans

    def finish(self, workers: int) -> MutationResult:
        """The verdict of this run."""
        return finish(
            self.ctx.workspace,
            self.scope,
            self.ctx.state.results,
            Verdict(self.problems, self.notes, self.ctx.options, self.ctx.started, workers),
        )


def _prefill(ctx: _Context, scope: list[Mutant]) -> None:
    for mutant in scope[:_PREFILL]:
        ctx.by_module[mutant.module].mutated_source(mutant)


def _modules(workspace: Workspace) -> list[str]:
    config = workspace.config.mutation
    if not config.modules:
        where = workspace.root / "pyproject.toml"
        msg = f"{where}: [tool.qualitykit.mutation] modules: nothing to mutate"
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
        "names = ('pytest_cov', 'xdist', 'pytest_randomly');"
        "print(json.dumps([bool(u.find_spec(n)) for n in names]))"
    )
    try:
        found = subprocess.run(  # noqa: S603 - argv list, never a shell
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
        from qualitykit.changes import changed_lines  # noqa: PLC0415

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
    digest.update(
        json.dumps([python, list(pytest_args), WORKER_SCRIPT.read_text("utf-8")]).encode()
    )
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
        if (
            not isinstance(entry, dict)
            or cast("dict[str, object]", entry).get("outcome") not in valid
        ):
            msg = f"{path}: corrupt mutation cache (bad entry {key[:12]}); delete it"
            raise QualityKitError(msg)
    return cast("dict[str, dict[str, Any]]", results)


def _save_cache(path: Path, cache: dict[str, dict[str, Any]]) -> None:
    write_text_atomic(path, json.dumps({"version": _CACHE_VERSION, "results": cache}) + "\n")


def _cache_key(mutant: Mutant, tests: list[str], copy: Path) -> str:
    """The mutation (its job id holds the module's source hash) and the selected tests' files."""
    digest = hashlib.sha256(mutant.job_id.encode())
    files = sorted({test.split("::", 1)[0] for test in tests})
    for name in files:
        path = copy / name
        content = path.read_bytes() if path.is_file() else b""
        digest.update(f"{name}\0".encode() + hashlib.sha256(content).digest())
    for test in tests:
        digest.update(test.encode() + b"\0")
    return digest.hexdigest()


def _baseline(ctx: _Context, copy: Path) -> tuple[Baseline | None, str]:
    """The unmutated suite's coverage contexts (cached by the tree's content hash)."""
    state_dir, modules, python = ctx.state_dir, ctx.modules, ctx.python
    pytest_args, tree_hash, options = ctx.pytest_args, ctx.tree_hash, ctx.options
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
        done = subprocess.run(  # noqa: S603 - argv list, never a shell
            [python, str(WORKER_SCRIPT), "baseline", json.dumps(spec)],
            cwd=copy,
            check=False,
            start_new_session=True,
            stdin=subprocess.DEVNULL,
        )
        if done.returncode != 0 or not output.is_file():
            log = state_dir / "baseline.log"
            return None, f"baseline: the test harness crashed (exit {done.returncode}); see {log}"
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
        self.process = subprocess.Popen(  # noqa: S603 - argv list, never a shell
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
        stdout = self.process.stdout
        assert stdout is not None  # noqa: S101 - a pipe
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
            stdin = self.process.stdin
            assert stdin is not None  # noqa: S101 - a pipe
            stdin.write(json.dumps(job) + "\n")
            stdin.flush()
        except OSError:
            return None
        return self._read()

    def close(self) -> None:
        """End the worker: its stdin closes and it exits; killed with its group if it lingers."""
        if self.process is None:
            return
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=_GRACE_S)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


class _Pool:
    def __init__(
        self, python: str, spec: dict[str, Any], copies: list[Path], state_dir: Path
    ) -> None:
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
    candidates = [plan for plan in plans if plan.mutant.function][:_PROBES]
    for plan in candidates:
        source = by_module[plan.mutant.module].source
        job = {**_job(plan, source), "id": "sanity-patch", "probe": True, "timeout": timeout}
        answer = pool.workers[0].ask(job)
        if answer is not None and answer.get("outcome") == _UNSUPPORTED:
            continue  # the worker runs this mutant by re-importing: nothing swapped to prove
        what = f"with {plan.mutant.function} of {plan.mutant.module} made to raise"
        return _killed_or_problem(answer, what)
    return ""


def _expect_killed(pool: _Pool, job: dict[str, Any], what: str) -> str:
    return _killed_or_problem(pool.workers[0].ask(job), what)


def _killed_or_problem(answer: dict[str, Any] | None, what: str) -> str:
    if answer is None:
        return "sanity check: the worker died running the tests"
    if answer["outcome"] != Outcome.KILLED.value:
        return (
            f"sanity check: {what}, the selected tests gave {answer['outcome']!r} (pytest exit "
            f"{answer.get('exit')}), not killed: they do not test the copy under test (an "
            "installed package shadows it?) or ignore failures"
        )
    return ""


class _Executor:
    """Feeds the plans to the workers (one thread each); records answers as they come."""

    def __init__(
        self,
        pool: _Pool,
        ctx: _Context,
        session: Session,
        progress: Callable[[int, int, int], None] | None,
    ) -> None:
        self.pool = pool
        self.ctx = ctx
        self.session = session
        self.progress = progress
        self.lock = threading.Lock()
        self.feed: Iterator[_Plan] = iter(())
        # The tests that killed a mutant, per function: they run first for its next mutants.
        self.killers: dict[tuple[str, str | None], list[str]] = {}
        self.answers: queue.Queue[tuple[_Plan, str, dict[str, Any] | None] | None] = queue.Queue()

    def execute(self, plans: list[_Plan]) -> None:
        # In source order, so that neighbours share their killers (-x stops at the first).
        self.feed = iter(sorted(plans, key=lambda plan: (plan.mutant.module, plan.mutant.start)))
        threads = [
            threading.Thread(target=self._serve, args=(worker,), daemon=True)
            for worker in self.pool.workers
        ]
        for thread in threads:
            thread.start()
        running = len(threads)
        done = survived = 0
        while running:
            item = self.answers.get()
            if item is None:
                running -= 1
                continue
            outcome = self._record(*item)
            done += 1
            survived += outcome is Outcome.SURVIVED
            if self.progress is not None:
                self.progress(done, len(plans), survived)
        for thread in threads:
            thread.join()

    def _next(self) -> tuple[_Plan, str | None] | None:
        with self.lock:
            plan = next(self.feed, None)
            if plan is None:
                return None
            key = (plan.mutant.module, plan.mutant.definition)
            first = [test for test in self.killers.get(key, []) if test in plan.tests]
            if first:
                rest = [test for test in plan.tests if test not in first]
                plan = _Plan(plan.mutant, first + rest, plan.timeout, plan.cache_key)
        module = self.ctx.by_module[plan.mutant.module]
        return plan, module.mutated_source(plan.mutant)

    def _learn(self, plan: _Plan, killer: str) -> None:
        with self.lock:
            known = self.killers.setdefault((plan.mutant.module, plan.mutant.definition), [])
            if killer in known:
                known.remove(killer)
            known.insert(0, killer)

    def _serve(self, worker: _Worker) -> None:
        while (task := self._next()) is not None:
            plan, source = task
            if source is None:
                failure = self.ctx.by_module[plan.mutant.module].failures.get(plan.mutant.job_id)
                unmade = (
                    {"outcome": "incompetent", "detail": f"the operator failed: {failure}"}
                    if failure
                    else {"outcome": "error", "detail": "the operator made no mutation"}
                )
                self.answers.put((plan, "", unmade))
                continue
            diff = _diff(self.ctx.by_module[plan.mutant.module].source, source, plan.mutant.module)
            answer = worker.ask(_job(plan, source))
            if answer is None:
                # A dead worker is not the mutant's doing: a fresh worker tries once more.
                answer = worker.ask(_job(plan, source))
            if answer is not None and answer.get("killer"):
                self._learn(plan, str(answer["killer"]))
            self.answers.put((plan, diff, answer))
        self.answers.put(None)

    def _record(self, plan: _Plan, diff: str, answer: dict[str, Any] | None) -> Outcome:
        seconds: float | None = None
        if answer is None:
            outcome, detail = Outcome.ERROR, "the worker died twice"
        else:
            outcome = Outcome(answer["outcome"])
            detail = str(answer.get("detail") or "")
            if outcome is Outcome.ERROR and not detail:
                detail = f"pytest exit {answer.get('exit')}"
            seconds = answer.get("seconds")
        mutant = plan.mutant
        self.session.record(mutant.job_id, outcome, detail, diff)
        self.ctx.state.results[mutant.job_id] = mutant_result(
            mutant, outcome, plan.tests, diff, seconds=seconds, detail=detail
        )
        if outcome is not Outcome.ERROR:
            self.ctx.state.cache[plan.cache_key] = {"outcome": outcome.value, "diff": diff}
        return outcome


def _unrun(module: ModuleMutants, mutant: Mutant) -> tuple[Outcome, str]:
    """The outcome of a mutant no test reaches: no-coverage, or incompetent if it cannot compile."""
    source = module.mutated_source(mutant)
    if source is None:
        failed = mutant.job_id in module.failures
        return (Outcome.INCOMPETENT if failed else Outcome.ERROR), ""
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


def mutant_result(  # noqa: PLR0913 - one field each
    mutant: Mutant,
    outcome: Outcome,
    tests: list[str] | None,
    diff: str,
    *,
    cached: bool = False,
    seconds: float | None = None,
    detail: str = "",
) -> MutantResult:
    """The typed result of ``mutant`` (also what a merge builds from a stored session)."""
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


@dataclass
class Verdict:
    """What decides a run besides its mutants: problems so far, notes, options, timing."""

    problems: list[str]
    notes: list[str]
    options: RunOptions
    started: float
    workers: int


def finish(
    workspace: Workspace,
    scope: list[Mutant],
    results: dict[str, MutantResult],
    verdict: Verdict,
) -> MutationResult:
    """The verdict on ``scope``: counts, score, threshold, ratchet and every problem."""
    options, notes = verdict.options, list(verdict.notes)
    config = workspace.config.mutation
    mutants = [results.get(m.job_id) or mutant_result(m, Outcome.PENDING, None, "") for m in scope]
    counts = count(mutants)
    score = counts.score
    problems = list(verdict.problems)
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
        seconds=round(time.monotonic() - verdict.started, 2),
        workers=verdict.workers,
        mutants=tuple(mutants),
    )
