"""The typed results of the policy checks."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PolicyFinding(_Frozen):
    """One broken rule at one place, with what to do about it."""

    rule: str
    file: str
    line: int
    message: str
    fix: str
    fingerprint: str


class PolicyReport(_Frozen):
    """One policy run: what was scanned, which rules ran, what they found."""

    files: int
    rules: tuple[str, ...]
    base: str | None = None
    findings: tuple[PolicyFinding, ...] = ()
    # What a rule could not judge (``file:line: RULE why``): printed, never a failure.
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether no rule found anything."""
        return not self.findings
