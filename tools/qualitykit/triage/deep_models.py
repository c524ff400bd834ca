"""Typed results of the deep checks (``deep.json``): isolation, polluters, CWD, flaky, slow.

Every check carries a ``status``: ``ran`` (every test it looked at got a verdict),
``incomplete`` (some reruns proved nothing: a crash, a timeout; those tests say ``not-run``)
or ``not-run`` (the check as a whole could not run, ``reason`` says why). Only ``ran`` is clean.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

# pydantic reads the field annotations at run time: the model stays imported.
from qualitykit.triage.pollution_models import PollutionResult  # noqa: TC001

# One test in one rerun: ``not-run`` when the rerun did not report it (pytest crashed, timed
# out, stopped early, or the test was not collected).
Outcome = Literal["passed", "failed", "skipped", "not-run"]
Status = Literal["ran", "incomplete", "not-run"]
IsolationLabel = Literal["fails-alone", "order-dependent", "passes-now", "not-run"]
CwdLabel = Literal["cwd-dependent", "same", "unstable", "not-run"]
FlakyLabel = Literal["flaky", "always-fails", "always-passes", "not-run"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class IsolationTest(_Model):
    """A failing test rerun alone and within its module (and, when both pass, the full run)."""

    test_id: str
    # fails-alone: fails with nothing else run; order-dependent: passes alone or in its
    # module but fails in the full run; passes-now: passed in every rerun, the full run too.
    label: IsolationLabel
    alone: Outcome
    in_module: Outcome
    full_run: Outcome | None = None


class Isolation(_Model):
    """``--isolation``."""

    status: Status
    reason: str = ""
    tests: tuple[IsolationTest, ...] = ()


class Polluters(_Model):
    """``--polluters``: which earlier tests make an order-dependent failure fail.

    ``searched``: the tests a search was asked for (order-dependent failures, then tests that
    need another first); ``results``: one search each, with its culprits and what they leaked.
    """

    status: Status
    reason: str = ""
    searched: tuple[str, ...] = ()
    results: tuple[PollutionResult, ...] = ()


class CwdTest(_Model):
    """One test run from the project root and from a fresh temporary directory."""

    test_id: str
    label: CwdLabel
    from_root: Outcome
    elsewhere: Outcome


class Cwd(_Model):
    """``--cwd``: the failing tests and their modules, from the root and from elsewhere."""

    status: Status
    reason: str = ""
    tests: tuple[CwdTest, ...] = ()


class FlakyTest(_Model):
    """A test's outcome over the shuffled reruns, with a 95 % Wilson score interval."""

    test_id: str
    label: FlakyLabel
    runs: int
    passes: int
    ratio: float
    low: float
    high: float
    failed_seeds: tuple[int, ...] = ()


class NeedsAnother(_Model):
    """A test that passed in the full run but failed in a shuffled order."""

    test_id: str
    failed_seeds: tuple[int, ...]


class Flaky(_Model):
    """``--flaky N``: N reruns, each in the order shuffled by its recorded seed."""

    status: Status
    reason: str = ""
    runs: int
    seeds: tuple[int, ...] = ()
    tests: tuple[FlakyTest, ...] = ()
    needs_another_first: tuple[NeedsAnother, ...] = ()


class SlowTest(_Model):
    """A test's setup + call + teardown time in the full run."""

    test_id: str
    duration_s: float


class Slow(_Model):
    """``--slow``: durations from the full run's report log (no rerun)."""

    status: Status
    reason: str = ""
    per_test_timeout_s: float | None = None
    over_timeout: tuple[SlowTest, ...] = ()
    slowest: tuple[SlowTest, ...] = ()
    suite_s: float = 0.0
    budget_s: float | None = None
    budget_margin: float | None = None


class DeepChecks(_Model):
    """``deep.json``: the checks that were asked for (the others are None)."""

    isolation: Isolation | None = None
    polluters: Polluters | None = None
    cwd: Cwd | None = None
    flaky: Flaky | None = None
    slow: Slow | None = None

    def unclean(self) -> tuple[str, ...]:
        """The checks asked for that did not fully run: never reported as clean."""
        checks = {
            "isolation": self.isolation,
            "polluters": self.polluters,
            "cwd": self.cwd,
            "flaky": self.flaky,
            "slow": self.slow,
        }
        return tuple(
            name for name, check in checks.items() if check is not None and check.status != "ran"
        )


# ``--deep`` without ``--flaky N``: six reruns tell a 50 % test from a broken one.
DEEP_FLAKY_RUNS = 6


@dataclass(frozen=True)
class DeepRequest:
    """Which deep checks to run; ``flaky_runs`` None: no flaky check."""

    isolation: bool = False
    polluters: bool = False
    cwd: bool = False
    flaky_runs: int | None = None
    slow: bool = False
    per_test_timeout_s: float | None = None

    @property
    def wanted(self) -> bool:
        """True when any check was asked for."""
        return any(
            (self.isolation, self.polluters, self.cwd, self.flaky_runs is not None, self.slow)
        )
