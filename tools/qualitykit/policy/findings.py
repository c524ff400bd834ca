"""The typed results of the policy checks.

msgspec Structs, not pydantic models: the commit-stage check prints these and must start fast
(docs/policies.md, "Speed"); the gate step decodes the adapter's JSON back into them, validated.
"""

from __future__ import annotations

import msgspec


class Frozen(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An immutable record that refuses unknown fields when decoded."""

    def to_json(self, *, indent: int = 0) -> str:
        """The record as JSON: one line, or indented (``--json`` prints it indented)."""
        encoded = msgspec.json.encode(self)
        return (msgspec.json.format(encoded, indent=indent) if indent else encoded).decode()


class PolicyFinding(Frozen, frozen=True):
    """One broken rule at one place, with what to do about it."""

    rule: str
    file: str
    line: int
    message: str
    fix: str
    fingerprint: str


class PolicyReport(Frozen, frozen=True):
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

    @classmethod
    def from_json(cls, text: str | bytes) -> PolicyReport:
        """A report decoded and validated (``msgspec.ValidationError``/``DecodeError`` if not)."""
        return msgspec.json.decode(text, type=cls)
