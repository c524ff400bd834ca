"""Typed results of the collected-once session, the polluter search and the leak diff."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

# passed / failed (the test's body) / error (its setup or teardown) / skipped (xfail too);
# crashed: the process running it died; timeout: it was killed over its time; not-run: the
# run ended (crash, timeout) before it started, or it was not collected.
TestOutcome = Literal["passed", "failed", "error", "skipped", "crashed", "timeout", "not-run"]
FAILING: frozenset[TestOutcome] = frozenset({"failed", "error"})
# fork: one process collected the suite and forks a child per run; subprocess: a fresh pytest
# per run (no fork on this platform, an unsupported pytest, or the collected process failed).
Mode = Literal["fork", "subprocess"]
# polluter: the target fails only after the culprits; enabler: it passes only after them.
Kind = Literal["polluter", "enabler"]
# found: culprits verified (culprits then target reproduces, target alone does not);
# unstable: the target alone or after the prefix did not give the same outcome every time;
# not-reproduced: the target behaves the same alone and after the prefix.
Status = Literal["found", "unstable", "not-reproduced"]
LeakKind = Literal[
    "env", "cwd", "sys.path", "module", "global", "logging", "random", "fd", "tempfile"
]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RunResult(_Model):
    """One run of some tests, in order, and how each ended."""

    tests: tuple[str, ...]
    outcomes: dict[str, TestOutcome]
    seconds: float
    mode: Mode

    def outcome(self, test: str) -> TestOutcome:
        """How ``test`` ended (``not-run`` when the run never reached it)."""
        return self.outcomes.get(test, "not-run")


class Leak(_Model):
    """One piece of process state that differs after the culprits ran (short, safe reprs).

    ``before``/``after`` are None when the thing did not exist then (a new variable, module,
    file); ``name`` is the variable, module, ``module.global``, logger, fd or file name.
    """

    kind: LeakKind
    name: str
    before: str | None
    after: str | None


class PollutionResult(_Model):
    """The outcome of one polluter (or enabler) search for one target test."""

    target: str
    kind: Kind
    status: Status
    culprits: tuple[str, ...] = ()
    runs: int
    wall_s: float
    mode: Mode
    repro: str = ""
    detail: str = ""
    leaks: tuple[Leak, ...] = ()
