"""Running steps: the fail-closed rules, the cache, prerequisites and parallelism.

A step is an ``error`` (the gate fails, naming it) when its tool is missing, is killed by a
signal, runs past its timeout, prints output its parser rejects, or has no file to check.
Each tool runs in its own process group (``processes``), so a timeout or an interrupt ends
the whole tree.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualitykit import fastpath, interrupts
from qualitykit.atomic import write_text_atomic
from qualitykit.baseline.apply import Applier
from qualitykit.baseline.model import load_baseline
from qualitykit.cache import cache_key, load_result, reusable, store_result
from qualitykit.errors import ToolOutputError
from qualitykit.processes import LIVE, ProcessRun, new_run_id, run_process
from qualitykit.results import GateResult, Status, StepResult
from qualitykit.runlock import hold_run_lock
from qualitykit.steps.base import CHECKED_NONE, Completed, StepContext

if TYPE_CHECKING:
    from collections.abc import Callable, Generator
    from pathlib import Path

    from qualitykit.steps.base import Step
    from qualitykit.workspace import Workspace


def _write_log(path: Path, run: ProcessRun) -> None:
    text = (
        f"$ {' '.join(run.argv)}\n"
        f"# exit code: {run.returncode}  duration: {run.duration_s:.2f}s"
        f"{'  TIMED OUT' if run.timed_out else ''}\n"
        f"# --- stdout ---\n{run.stdout}\n# --- stderr ---\n{run.stderr}\n"
    )
    write_text_atomic(path, text)


def _signal_name(returncode: int) -> str:
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f"signal {-returncode}"


def _no_verdict(run: ProcessRun, argv: list[str], timeout_s: float) -> str | None:
    """Why ``run`` left nothing for the parser to judge; None when the tool ran to its end."""
    if run.missing:
        return f"tool not found: {argv[0]!r} is not installed in this environment"
    if run.start_error is not None:
        return f"cannot start {argv[0]!r}: {run.start_error}"
    if run.timed_out:
        return f"timed out after {timeout_s:g}s (process group ended)"
    if run.returncode is not None and run.returncode < 0:
        return f"killed by {_signal_name(run.returncode)}"
    return None


def _changed_by_check(changed: list[str]) -> str:
    shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
    return f"project files changed while the step ran (a check must only read them): {shown}"


def execute(step: Step, ctx: StepContext, argv: list[str], key: str | None) -> StepResult:
    """Run one step now and apply the fail-closed rules to its outcome."""
    log_path = ctx.state_path("logs", f"{step.name}.log")

    def error(summary: str, run: ProcessRun | None = None) -> StepResult:
        return StepResult(
            status=Status.ERROR,
            summary=summary,
            duration_s=run.duration_s if run else 0.0,
            exit_code=run.returncode if run else None,
            log_path=str(log_path) if run else None,
            step=step.name,
            command=tuple(argv),
            cache_key=key,
        )

    if step.requires_targets and not step.targets(ctx):
        return error(f"{CHECKED_NONE}: {step.unmatched(ctx)}")
    # The digests are mostly known already (the cache key); after the run they are taken
    # again, so a check that rewrote a file it checks is caught, whatever made it do so.
    before = ctx.workspace.snapshot(step.inputs(ctx))
    step.prepare(ctx)
    timeout_s = ctx.settings.timeout or step.default_timeout_s or ctx.workspace.config.timeout
    run = run_process(argv, ctx.root, timeout_s, step.environment(ctx))
    started = not run.missing and run.start_error is None
    if started:
        _write_log(log_path, run)
    changed = ctx.workspace.changed(before) if started else []
    problem = _changed_by_check(changed) if changed else _no_verdict(run, argv, timeout_s)
    if problem is not None:
        return error(problem, run if started else None)
    assert run.returncode is not None  # noqa: S101 - communicate() returned
    completed = Completed(run.argv, run.returncode, run.stdout, run.stderr)
    try:
        outcome = step.parse(completed, ctx)
    except ToolOutputError as failure:
        said = str(failure)
        return error(said if said.startswith(CHECKED_NONE) else f"tool failed: {said}", run)
    return StepResult(
        status=outcome.status,
        summary=outcome.summary,
        findings=outcome.findings,
        counts=outcome.counts,
        notes=outcome.notes,
        coverage=outcome.coverage,
        duration_s=run.duration_s,
        exit_code=run.returncode,
        log_path=str(log_path),
        step=step.name,
        command=tuple(argv),
        cache_key=key,
    )


@dataclass(frozen=True)
class _Planned:
    step: Step
    ctx: StepContext
    argv: list[str]
    key: str | None
    previous: StepResult | None


def _plan(step: Step, workspace: Workspace, needed_keys: list[str | None]) -> _Planned:
    ctx = StepContext(workspace, step.name, workspace.config.settings(step.name))
    step.refuse_writing_args(ctx)
    argv = step.command(ctx)
    key: str | None = None
    if step.cacheable and None not in needed_keys:
        extra = [*needed_keys, *sorted(step.environment(ctx).items())]
        key = cache_key(step, ctx, [*argv, *map(str, extra)], step.inputs(ctx))
    return _Planned(step, ctx, argv, key, load_result(workspace.state_dir, step.name))


@dataclass(frozen=True)
class _Options:
    use_cache: bool
    jobs: int
    on_result: Callable[[StepResult], None] | None
    # Told a step's name when its process is about to start (live progress).
    on_start: Callable[[str], None] | None
    # What the gate makes of a result, fresh or cached: the baseline applied, or nothing.
    judge: Callable[[StepResult], StepResult]
    # Which stored result (with the step's current key) may be reused.
    reuse: Callable[[StepResult | None, str], StepResult | None] = reusable
    # End the running steps at the first one that does not pass (judged), cancel the rest.
    fail_fast: bool = False


def run_steps(  # noqa: PLR0913 - the run's options, each its own keyword
    workspace: Workspace,
    steps: list[Step],
    *,
    use_cache: bool = True,
    jobs: int = 0,
    on_result: Callable[[StepResult], None] | None = None,
    on_start: Callable[[str], None] | None = None,
    fail_fast: bool = False,
) -> GateResult:
    """Run ``steps`` in parallel (reusing cached passes) and return their results in order.

    Every step a step needs must be in ``steps`` (``steps.resolve`` adds them); it runs
    first, and a dependent of a step that did not pass is an error without running. The
    project's baseline is applied to every result, fresh or cached (``qualitykit.baseline``).
    ``fail_fast``: the first step that does not pass ends the running ones; they and the
    steps not started are errors saying they were cancelled, never passes.
    """
    # Read before any step runs: a malformed baseline is exit 2 with nothing run or written.
    judge = Applier(load_baseline(workspace), steps, workspace.root)
    options = _Options(use_cache, jobs, on_result, on_start, judge, judge.reusable, fail_fast)
    return _locked(workspace, steps, options)


def run_steps_raw(
    workspace: Workspace,
    steps: list[Step],
    *,
    use_cache: bool = True,
    jobs: int = 0,
    on_result: Callable[[StepResult], None] | None = None,
) -> GateResult:
    """:func:`run_steps` without the baseline: the results as the tools gave them.

    What ``qualitykit baseline`` records and shrinks the baseline with.
    """
    return _locked(workspace, steps, _Options(use_cache, jobs, on_result, None, _as_given))


def _as_given(result: StepResult) -> StepResult:
    return result


def _locked(workspace: Workspace, steps: list[Step], options: _Options) -> GateResult:
    # Every command that runs steps holds the project's run lock (re-entrant: gate and check
    # already hold it): concurrent runs would share .qualitykit/coverage, junit/, results/.
    with hold_run_lock(workspace.state_dir):
        return _run_steps(workspace, steps, options)


def _run_steps(workspace: Workspace, steps: list[Step], options: _Options) -> GateResult:
    started = time.monotonic()
    plans: dict[str, _Planned] = {}
    for step in steps:
        plans[step.name] = _plan(step, workspace, [plans[name].key for name in step.needs])
    results: dict[str, StepResult] = {}

    def finish(stored: StepResult) -> None:
        # The stored result stays the tool's own; the baseline is applied after the cache,
        # so an edited baseline file changes a cached verdict too.
        result = options.judge(stored)
        results[result.step] = result
        if options.on_result is not None:
            options.on_result(result)

    pending: list[_Planned] = []
    for plan in plans.values():
        cached = options.reuse(plan.previous, plan.key) if options.use_cache and plan.key else None
        if cached is not None and plan.step.outputs_present(plan.ctx):
            finish(cached)
        else:
            pending.append(plan)
    # Longest first (by the last known duration) keeps the wall time near the slowest step.
    pending.sort(key=lambda plan: plan.previous.duration_s if plan.previous else 0.0, reverse=True)

    # closing(): an interrupt raised here (not inside the generator) still runs its cleanup
    # at once, not whenever the generator is collected.
    def failed(result: StepResult) -> bool:
        return not options.judge(result).ok

    stop = failed if options.fail_fast else None
    with contextlib.closing(
        _run_parallel(pending, results, options.jobs or os.cpu_count() or 1, options.on_start, stop)
    ) as run:
        for result in run:
            store_result(workspace.state_dir, result)
            finish(result)
    ordered = tuple(results[step.name] for step in steps)
    gate = GateResult(steps=ordered, duration_s=time.monotonic() - started)
    if not gate.ok:
        fastpath.forget(workspace.state_dir)
    return gate


def _blocked(plan: _Planned, done: dict[str, StepResult]) -> StepResult | None:
    failed = [name for name in plan.step.needs if name in done and not done[name].ok]
    if not failed:
        return None
    return StepResult(
        step=plan.step.name,
        status=Status.ERROR,
        summary=f"not run: it needs {', '.join(failed)}, which did not pass",
        command=tuple(plan.argv),
    )


def _cancelled(plan: _Planned, failed: str) -> StepResult:
    return StepResult(
        step=plan.step.name,
        status=Status.ERROR,
        summary=f"cancelled (--fail-fast): {failed} did not pass; not a verdict on this step",
        command=tuple(plan.argv),
    )


def _run_parallel(
    pending: list[_Planned],
    done: dict[str, StepResult],
    jobs: int,
    on_start: Callable[[str], None] | None,
    stop: Callable[[StepResult], bool] | None = None,
) -> Generator[StepResult]:
    if not pending:
        return
    interrupts.adopt_orphans()
    waiting = list(pending)
    finished = dict(done)
    run = new_run_id()
    pool = ThreadPoolExecutor(max_workers=min(jobs, len(pending)), thread_name_prefix=run)
    running: dict[Future[StepResult], _Planned] = {}
    failed: str | None = None
    try:
        while waiting or running:
            if failed is not None:
                # Fail fast: nothing more starts; what runs is ended (its result is not its own).
                LIVE.end_run(run)
                culprit: str = failed
                for plan in [*waiting, *running.values()]:
                    yield _cancelled(plan, culprit)
                return
            for plan in list(waiting):
                blocked = _blocked(plan, finished)
                if blocked is not None:
                    waiting.remove(plan)
                    finished[plan.step.name] = blocked
                    yield blocked
                elif all(name in finished for name in plan.step.needs) and len(running) < jobs:
                    waiting.remove(plan)
                    if on_start is not None:
                        on_start(plan.step.name)
                    future = pool.submit(execute, plan.step, plan.ctx, plan.argv, plan.key)
                    running[future] = plan
            if not running:
                continue
            completed, _ = wait(running, return_when="FIRST_COMPLETED")
            for future in completed:
                del running[future]
                result = future.result()
                finished[result.step] = result
                yield result
                if stop is not None and failed is None and stop(result):
                    failed = str(result.step)
    finally:
        # Interrupted (SIGINT, SIGTERM, SIGHUP) or done: no step may outlive the gate. Steps
        # not started are cancelled; a running step's result is dropped, never stored (its
        # thread finishes once its process is gone, and the interpreter waits for it).
        pool.shutdown(wait=False, cancel_futures=True)
        LIVE.end_run(run)
        interrupts.reap_adopted(LIVE.spawned)
