"""The regression step: a pytest suite that, when incremental, runs only what a change reaches.

It selects from the coverage step's stored per-test data (read only: only the coverage step
writes it), planned when the gate plans its steps, before any step starts, so the store is
read as it was at the gate's start. Its tests that the stored run proves unaffected are not
run; the tests the stored run never ran (deselected there by ``-m``, or outside the coverage
step's paths) always run. See docs/incremental.md.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Self

from typing_extensions import override

from qualitykit.atomic import write_text_atomic
from qualitykit.cache import load_result
from qualitykit.coverage import measure
from qualitykit.errors import ToolOutputError
from qualitykit.incremental import step as incremental
from qualitykit.incremental.store import Plan, load_manifest, store_dir
from qualitykit.results import Counts, Status
from qualitykit.state import read_model
from qualitykit.steps.base import Completed, Outcome, StepContext, ToolModel, parse_json_as
from qualitykit.steps.coverage import Coverage, report_paths
from qualitykit.steps.pytest import PytestSuite

if TYPE_CHECKING:
    from pathlib import Path

    from qualitykit.config import Config

# Options that only choose which tests run, or how pytest-xdist spreads them over processes
# (a test's dependencies are the same in any worker): they may differ between the two steps.
_CHOOSING = ("-m", "-k", "--deselect")
_SPREADING = ("-n", "--numprocesses", "--maxprocesses", "--dist")
_PLUGIN = "xdist"


class _RunnerReport(ToolModel):
    pytest_exit: int
    reused: bool = False
    total: int | None = None  # the tests the selecting run collected (ran or left out)
    unknown: int | None = None  # the tests it ran that the coverage step's stored run never ran


def plan_file(ctx: StepContext) -> Path:
    """Where the plan of the regression step's run is written (not in the coverage store)."""
    return ctx.state_path("incremental", "regression", "plan.json")


def behaviour(args: tuple[str, ...] | list[str], *, choice: bool = True) -> list[str]:
    """``args`` less the options that only spread tests (and, ``choice``, choose them)."""
    left_out = (*_SPREADING, *(_CHOOSING if choice else ()))
    short = tuple(option for option in left_out if len(option) == 2)  # -mslow, -n2
    kept: list[str] = []
    words = list(args)
    while words:
        arg = words.pop(0)
        if arg in left_out or (arg == "-p" and words[:1] == [_PLUGIN]):
            del words[:1]  # its value
        elif arg.split("=", 1)[0] in left_out or arg[:2] in short or arg == f"-p{_PLUGIN}":
            continue  # its value attached
        else:
            kept.append(arg)
    return kept


def _full(reason: str) -> Plan:
    return Plan(
        mode="full", reason=f"full run: {reason}", environment={}, files={}, skeletons={}, store=""
    )


class Regression(PytestSuite):
    """``pytest tests/regression`` (JUnit XML); incremental: the tests a change can reach."""

    def __init__(self, default_paths: tuple[str, ...]) -> None:
        """The ``regression`` step over ``default_paths`` (``[tool.qualitykit] regression``)."""
        super().__init__("regression", "pytest tests/regression (JUnit XML)", default_paths)

    @classmethod
    @override
    def from_config(cls, config: Config) -> Self:
        return cls(config.regression)

    def make_plan(self, ctx: StepContext) -> Plan:
        """Full, partial or reuse, from the coverage step's store and environment as they are.

        The store describes the coverage step's run, so the regression step selects only when
        its own pytest arguments are the coverage step's, but for the options that only choose
        tests or spread them over processes (a test's dependencies are known only as it ran
        under those arguments).
        """
        config = ctx.workspace.config
        coverage = Coverage(config.coverage.tests)
        measured = StepContext(ctx.workspace, coverage.name, config.settings(coverage.name))
        if behaviour(ctx.settings.args) != behaviour(measured.settings.args):
            return _full(
                "the regression step's pytest arguments differ from the coverage step's "
                "(beyond the choice of tests and pytest-xdist's): its stored data does not "
                "describe them"
            )
        _, data_file, _, _ = report_paths(measured)
        rcfile = measure.rcfile_text(ctx.root, data_file, config.coverage, contexts=True)
        # The coverage step's plan as it would be now: a known test depends on what that
        # plan traces; a test the store does not know always runs. Files only under the
        # regression step's paths are no known test's input (a file a known test read is
        # in the store), as they are none of the coverage step's.
        measured_inputs = coverage.measured_inputs(measured)
        plan = incremental.plan_now(coverage, measured, measured_inputs, rcfile)
        previous = load_result(ctx.workspace.state_dir, self.name)
        if plan.mode != "full" and (previous is None or previous.status is not Status.PASS):
            # A test that passed under the coverage step but failed here (its order, its
            # process) is known to the store: only a full run may turn the verdict green.
            return _full("the regression step's last run did not pass (or there is none)")
        same = self._same_choice(ctx, measured, coverage)
        if plan.mode == "reuse":
            return plan.model_copy(update={"collects": self._collects(ctx, same=same)})
        if not same:
            # A module the store leaves out holds the tests the coverage step's choice kept;
            # this step's choice may keep others of it, which must run: every module is
            # imported (its known tests still left out, one by one).
            return plan.model_copy(update={"skip": {}})
        return plan

    def _same_choice(self, ctx: StepContext, measured: StepContext, coverage: Coverage) -> bool:
        """Whether this step collects as the coverage step does (paths, choice of tests).

        Other paths are no proof: a path named on the command line is collected even where
        the other step's ``norecursedirs`` skipped it.
        """
        same_choice = behaviour(ctx.settings.args, choice=False) == behaviour(
            measured.settings.args, choice=False
        )
        return same_choice and self.paths(ctx) == coverage.paths(measured)

    def _collects(self, ctx: StepContext, *, same: bool) -> int | None:
        """How many tests this step collects, when the store proves it (else None: pytest).

        Nothing that decides a collection changed (a "reuse" plan) and this step collects as
        the coverage step does (``same``): its tests are the stored run's, all known.
        """
        if not same:
            return None
        manifest = load_manifest(store_dir(ctx.workspace.state_dir))
        if manifest is None or not manifest.tests:
            return None
        return len(manifest.tests)

    @override
    def command(self, ctx: StepContext) -> list[str]:
        if not incremental.enabled(ctx):
            return super().command(ctx)
        # Called when the gate plans its steps, before any starts: the store as it is now.
        write_text_atomic(plan_file(ctx), self.make_plan(ctx).model_dump_json())
        return [
            sys.executable,
            "-m",
            "qualitykit.adapters.pytest_select",
            f"--plan={plan_file(ctx)}",
            "--",
            *self.pytest_args(ctx),
        ]

    @override
    def parse(self, run: Completed, ctx: StepContext) -> Outcome:
        if not incremental.enabled(ctx):
            return super().parse(run, ctx)
        if run.returncode != 0:
            said = run.stderr.strip()[-300:]
            raise ToolOutputError(f"the selecting pytest runner exited {run.returncode}: {said}")
        report = parse_json_as(_RunnerReport, run.stdout, "selecting pytest runner output")
        plan = read_model(plan_file(ctx), Plan, "incremental plan", cache=True)
        if plan is None:
            raise ToolOutputError("the incremental plan of this run is missing")
        if report.reused:
            # Not a run of 0 tests: every collected test passed in the stored run, and nothing
            # it depends on changed since.
            why = plan.reason.replace("they execute or read", "none of them executes or reads")
            summary = f"0 of {report.total} tests: {why} (the stored passing run's verdict)"
            counts = Counts(files=len(self.targets(ctx)), tests=0)
            return Outcome(status=Status.PASS, summary=summary, counts=counts)
        suite = super().parse(replace(run, returncode=report.pytest_exit), ctx)
        ran = suite.counts.tests or 0
        rest = suite.summary.removeprefix(f"{ran} tests")
        if plan.mode == "full":
            return replace(suite, summary=f"{ran} tests{rest}; {plan.reason}")
        why = plan.reason
        if report.unknown:
            why += f"; {report.unknown} the coverage step never ran (always run)"
        return replace(suite, summary=f"{ran} of {report.total} tests{rest}: {why}")
