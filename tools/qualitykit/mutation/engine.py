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

The concerns live apart: :mod:`.baseline` (the unmutated suite and test selection),
:mod:`.cache` (what may be reused), :mod:`.pool` (the worker processes), :mod:`.sanity`,
:mod:`.executor` (feeding the workers) and :mod:`.verdict` (the score and its rules);
:mod:`.protocol` is what the engine and the worker (``worker.py``) say to each other.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from qualitykit.atomic import write_text_atomic
from qualitykit.errors import ConfigError
from qualitykit.mutation.baseline import Baseline, measure, source_roots
from qualitykit.mutation.cache import (
    cache_key,
    fingerprint,
    load_cache,
    read_marker,
    save_cache,
    tree_hash,
)
from qualitykit.mutation.copies import Copies
from qualitykit.mutation.executor import Executor, Plan, RunState, unified_diff
from qualitykit.mutation.mutants import ModuleMutants, Mutant, operator_names
from qualitykit.mutation.pool import Pool
from qualitykit.mutation.results import MutationResult, Outcome
from qualitykit.mutation.sanity import sanity
from qualitykit.mutation.session import Session, open_session, render_config
from qualitykit.mutation.verdict import RunOptions, Verdict, finish, mutant_result
from qualitykit.workspace import Workspace

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from qualitykit.config import MutationConfig

STATE = "mutation"
_PREFILL = 5000  # mutated sources made ahead (a few MB)
_PLUGINS = ("pytest_cov", "xdist", "pytest_randomly")  # disarmed when installed


@dataclass
class Context:
    """What one run knows before it starts anything."""

    workspace: Workspace
    options: RunOptions
    started: float
    modules: list[str]
    python: str
    pytest_args: list[str]
    by_module: dict[str, ModuleMutants]
    tree_hash: str
    state: RunState

    @property
    def config(self) -> MutationConfig:
        """``[tool.qualitykit.mutation]``."""
        return self.workspace.config.mutation

    @property
    def state_dir(self) -> Path:
        """``.qualitykit/mutation``: the session, reports and working files."""
        return self.workspace.state_dir / STATE

    @property
    def mutants(self) -> list[Mutant]:
        """Every mutant of the configured modules, in module order."""
        return [mutant for module in self.by_module.values() for mutant in module.mutants]

    @classmethod
    def load(cls, root: Path, options: RunOptions) -> Context:
        """Read the configuration and the modules; make the mutants (nothing runs yet)."""
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
        cache = load_cache(cache_path) if options.use_cache else {}
        return cls(
            workspace=workspace,
            options=options,
            started=started,
            modules=modules,
            python=python,
            pytest_args=pytest_args,
            by_module=by_module,
            tree_hash=tree_hash(workspace, python, pytest_args),
            state=RunState(cache=cache),
        )


def run(
    root: Path,
    options: RunOptions,
    progress: Callable[[int, int, int], None] | None = None,
) -> MutationResult:
    """Run (or resume) the configured mutation testing; the caller writes the reports."""
    with warnings.catch_warnings():
        # Compiling a mutant (``value is "one"``) makes Python warn about code nobody wrote;
        # process-wide for the run, as the mutated sources are also made on another thread.
        warnings.simplefilter("ignore", SyntaxWarning)
        return _run(root, options, progress)


def _run(
    root: Path, options: RunOptions, progress: Callable[[int, int, int], None] | None
) -> MutationResult:
    ctx = Context.load(root, options)
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

    def __init__(self, ctx: Context, session: Session, copies: Copies, scope: list[Mutant]) -> None:
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
        mark = fingerprint(mutants, self.ctx.tree_hash)
        reuse = self.ctx.options.use_cache and read_marker(marker) == mark
        if not reuse or self.session.job_ids() != {m.job_id for m in mutants}:
            self.session.reset(mutants)
            write_text_atomic(marker, json.dumps({"fingerprint": mark}) + "\n")
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
        spec = {"sys_path": source_roots(ctx.modules), "modules": ctx.modules}
        spec["pytest_args"] = ctx.pytest_args
        pool = Pool(ctx.python, spec, paths[1:], ctx.state_dir) if pending else None
        # The runner is idle while the baseline runs: make the mutated sources meanwhile.
        threading.Thread(target=_prefill, args=(ctx, self.scope), daemon=True).start()
        try:
            baseline, error = measure(ctx, paths[0])
            if baseline is None:
                self.problems.append(error)
                return self.finish(0)
            plans = self._plan(baseline, stored, paths[0])
            if pool is not None and plans:
                pool.ready()
                failure = sanity(pool, plans, ctx.by_module)
                if failure:
                    self.problems.append(failure)
                else:
                    executor = Executor(pool, ctx.by_module, self.session, ctx.state, progress)
                    executor.execute(plans)
        finally:
            if pool is not None:
                pool.close()
            if ctx.options.use_cache:
                save_cache(ctx.state_dir / "cache.json", ctx.state.cache)
        return self.finish(count_workers)

    def _plan(
        self, baseline: Baseline, stored: dict[str, tuple[Outcome, str, str]], copy: Path
    ) -> list[Plan]:
        """Settle what needs no run (resumed, unreachable, cached); plan the rest."""
        ctx = self.ctx
        results = ctx.state.results
        plans: list[Plan] = []
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
            key = cache_key(mutant, tests, copy)
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
            plans.append(Plan(mutant, tests, timeout, key))
        return plans

    def finish(self, workers: int) -> MutationResult:
        """The verdict of this run."""
        return finish(
            self.ctx.workspace,
            self.scope,
            self.ctx.state.results,
            Verdict(self.problems, self.notes, self.ctx.options, self.ctx.started, workers),
        )


def _prefill(ctx: Context, scope: list[Mutant]) -> None:
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
        f"names = {_PLUGINS!r};"
        "print(json.dumps([bool(u.find_spec(n)) for n in names]))"
    )
    try:
        found = subprocess.run(  # noqa: S603 - argv list, never a shell
            [python, "-c", probe], capture_output=True, text=True, check=True, cwd=root, timeout=60
        )
    except (OSError, subprocess.SubprocessError) as error:
        msg = f"[tool.qualitykit.mutation] python: cannot run {python}: {error}"
        raise ConfigError(msg) from None
    try:
        flags: object = json.loads(found.stdout)
    except ValueError:
        flags = None
    if not (isinstance(flags, list) and len(cast("list[object]", flags)) == len(_PLUGINS)):
        printed = found.stdout.strip()[:60] or "nothing"
        msg = (
            f"[tool.qualitykit.mutation] python: {python} is not a working Python interpreter "
            f"(asked which pytest plugins it has, it printed {printed!r})"
        )
        raise ConfigError(msg)
    cov, xdist, randomly = (bool(flag) for flag in cast("list[object]", flags))
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


def _unrun(module: ModuleMutants, mutant: Mutant) -> tuple[Outcome, str]:
    """The outcome of a mutant no test reaches: no-coverage, or incompetent if it cannot compile."""
    source = module.mutated_source(mutant)
    if source is None:
        failed = mutant.job_id in module.failures
        return (Outcome.INCOMPETENT if failed else Outcome.ERROR), ""
    diff = unified_diff(module.source, source, mutant.module)
    try:
        compile(source, mutant.module, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return Outcome.INCOMPETENT, diff
    return Outcome.NO_COVERAGE, diff
