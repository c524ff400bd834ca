"""Feeding the planned mutants to the workers and recording each answer as it comes."""

from __future__ import annotations

import difflib
import queue
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualitykit.mutation import protocol
from qualitykit.mutation.results import MutantResult, Outcome
from qualitykit.mutation.verdict import mutant_result

_JOIN_S = 30.0  # for a feeding thread to notice its worker is gone
# A timeout is confirmed alone, with this many times the budget (at most this much longer).
_CONFIRM_FACTOR = 10.0
_CONFIRM_EXTRA_MAX_S = 600.0

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from qualitykit.mutation.mutants import ModuleMutants, Mutant
    from qualitykit.mutation.pool import Pool, Worker
    from qualitykit.mutation.session import Session


def generous_budget(timeout: float) -> float:
    """The budget of a run whose outcome must not depend on the machine's load."""
    return min(_CONFIRM_FACTOR * timeout, timeout + _CONFIRM_EXTRA_MAX_S)


@dataclass
class Plan:
    """One mutant to run: its tests (fastest first), its timeout and its cache key."""

    mutant: Mutant
    tests: list[str]
    timeout: float
    cache_key: str


@dataclass
class RunState:
    """What a run learns: the result of every mutant so far, and the cache to save."""

    results: dict[str, MutantResult] = field(default_factory=dict[str, MutantResult])
    cache: dict[str, dict[str, Any]] = field(default_factory=dict[str, dict[str, Any]])


def job(plan: Plan, source: str) -> dict[str, Any]:
    """The job message of ``plan`` with the mutated ``source`` (see :mod:`.protocol`)."""
    return {
        "id": plan.mutant.job_id,
        "module": plan.mutant.module,
        "source": source,
        "tests": plan.tests,
        "timeout": plan.timeout,
        "function": plan.mutant.function,
    }


def unified_diff(original: str, mutated: str, module: str) -> str:
    """The mutant as a diff with one line of context."""
    lines = difflib.unified_diff(
        original.splitlines(keepends=True),
        mutated.splitlines(keepends=True),
        fromfile=f"a/{module}",
        tofile=f"b/{module}",
        n=1,
    )
    return "".join(lines)


class Executor:
    """Feeds the plans to the workers (one thread each); records answers as they come."""

    def __init__(
        self,
        pool: Pool,
        by_module: dict[str, ModuleMutants],
        session: Session,
        state: RunState,
        progress: Callable[[int, int, int], None] | None,
    ) -> None:
        """Nothing runs before :meth:`execute`."""
        self.pool = pool
        self.by_module = by_module
        self.session = session
        self.state = state
        self.progress = progress
        self.lock = threading.Lock()
        self.feed: Iterator[Plan] = iter(())
        # The tests that killed a mutant, per function: they run first for its next mutants.
        self.killers: dict[tuple[str, str | None], list[str]] = {}
        self.answers: queue.Queue[tuple[Plan, str, dict[str, Any]] | None] = queue.Queue()
        # What ended a feeding thread abnormally: re-raised in the main thread.
        self.errors: list[BaseException] = []
        self.stopping = threading.Event()
        # Mutants that ran past their budget, with their source and diff: confirmed at the end.
        self.suspects: list[tuple[Plan, str, str]] = []

    def execute(self, plans: list[Plan]) -> None:
        """Run every plan; each result is stored as it arrives."""
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
        try:
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
        except BaseException:
            # Interrupted (Ctrl-C, SIGTERM): no new mutant, no new worker; the threads see
            # their worker's end of file and finish. What is recorded so far stays.
            self.stopping.set()
            self.pool.halt()
            raise
        finally:
            for thread in threads:
                thread.join(timeout=_JOIN_S)
        if self.errors:
            raise self.errors[0]
        self._confirm(done, len(plans), survived)

    def _confirm(self, done: int, total: int, survived: int) -> None:
        """Run every suspected timeout again, alone, with a much larger (bounded) budget.

        The derived budget is tight, and a loaded machine or a mutant that only slows the
        code down overruns it: such a mutant is a survivor (or killed), not a timeout, and
        calling it a timeout would leave it out of the score. Run one at a time, on one
        worker, in source order: the same code gives the same outcomes run after run.
        """
        worker = self.pool.workers[0]
        for plan, source, diff in sorted(self.suspects, key=lambda item: item[0].mutant.job_id):
            budget = generous_budget(plan.timeout)
            generous = Plan(plan.mutant, plan.tests, budget, plan.cache_key)
            answer = self._ask(worker, generous, source)
            if answer.get("outcome") == protocol.TIMEOUT:
                answer["detail"] = (
                    f"no end within {budget:.1f} s (alone; {plan.timeout:.1f} s first)"
                )
            outcome = self._record(generous, diff, answer)
            done += 1
            survived += outcome is Outcome.SURVIVED
            if self.progress is not None:
                self.progress(done, total, survived)

    def _next(self) -> tuple[Plan, str | None] | None:
        if self.stopping.is_set():
            return None
        with self.lock:
            plan = next(self.feed, None)
            if plan is None:
                return None
            key = (plan.mutant.module, plan.mutant.definition)
            first = [test for test in self.killers.get(key, []) if test in plan.tests]
            if first:
                rest = [test for test in plan.tests if test not in first]
                plan = Plan(plan.mutant, first + rest, plan.timeout, plan.cache_key)
        module = self.by_module[plan.mutant.module]
        return plan, module.mutated_source(plan.mutant)

    def _learn(self, plan: Plan, killer: str) -> None:
        with self.lock:
            known = self.killers.setdefault((plan.mutant.module, plan.mutant.definition), [])
            if killer in known:
                known.remove(killer)
            known.insert(0, killer)

    def _serve(self, worker: Worker) -> None:
        try:
            self._feed(worker)
        except BaseException as error:  # noqa: BLE001 - re-raised by the main thread
            # Never die silently: the main thread re-raises it once every thread is done.
            self.errors.append(error)
            self.stopping.set()
        finally:
            self.answers.put(None)  # the main thread counts these: it must always come

    def _feed(self, worker: Worker) -> None:
        while (task := self._next()) is not None:
            plan, source = task
            module = self.by_module[plan.mutant.module]
            if source is None:
                failure = module.failures.get(plan.mutant.job_id)
                unmade = (
                    {"outcome": protocol.INCOMPETENT, "detail": f"the operator failed: {failure}"}
                    if failure
                    else {"outcome": protocol.ERROR, "detail": "the operator made no mutation"}
                )
                self.answers.put((plan, "", unmade))
                continue
            diff = unified_diff(module.source, source, plan.mutant.module)
            answer = self._ask(worker, plan, source)
            if answer.get("outcome") == protocol.TIMEOUT:
                with self.lock:
                    self.suspects.append((plan, source, diff))
                continue
            self.answers.put((plan, diff, answer))

    def _ask(self, worker: Worker, plan: Plan, source: str) -> dict[str, Any]:
        """The worker's answer; a dead (hung, garbled) worker is replaced and asked once more."""
        answer = worker.ask(job(plan, source))
        if answer is None:
            # A dead worker is not the mutant's doing: a fresh worker tries once more.
            first = worker.failure
            answer = worker.ask(job(plan, source))
            if answer is None:
                detail = f"the worker failed twice ({first}; then {worker.failure})"
                answer = {"outcome": protocol.ERROR, "detail": detail}
        if answer.get("killer"):
            self._learn(plan, str(answer["killer"]))
        return answer

    def _record(self, plan: Plan, diff: str, answer: dict[str, Any]) -> Outcome:
        outcome = Outcome(answer["outcome"])
        detail = str(answer.get("detail") or "")
        if outcome is Outcome.ERROR and not detail:
            detail = f"pytest exit {answer.get('exit')}"
        seconds: float | None = answer.get("seconds")
        mutant = plan.mutant
        self.session.record(mutant.job_id, outcome, detail, diff)
        self.state.results[mutant.job_id] = mutant_result(
            mutant, outcome, plan.tests, diff, seconds=seconds, detail=detail
        )
        if outcome is not Outcome.ERROR:
            self.state.cache[plan.cache_key] = {"outcome": outcome.value, "diff": diff}
        return outcome
