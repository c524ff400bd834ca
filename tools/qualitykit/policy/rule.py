"""The rule contract: an id, a family, a default, an options model and a ``check``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from collections.abc import Iterable

    from qualitykit.policy.project import PolicyProject


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class RuleOptions(BaseModel):
    """Options every rule takes: ``[tool.qualitykit.policy.rules.ID]`` (unknown keys: exit 2)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=_kebab, populate_by_name=True
    )

    # gitignore-style patterns of files this rule does not check.
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    """What a rule reports: a place and a message (the engine adds id, fix and fingerprint)."""

    file: str
    line: int
    message: str
    fix: str | None = None
    # Not a finding: something the rule could not judge (a value computed at run time).
    note: bool = False


class Rule:
    """One policy rule. Subclasses set the class attributes (or the constructor does)."""

    id: str
    family: str
    title: str
    fix: str
    default: bool = True
    # Rules that compare with the base version (``--base``); skipped without one.
    needs_base: bool = False
    options: ClassVar[type[RuleOptions]] = RuleOptions

    def check(self, project: PolicyProject, options: RuleOptions) -> Iterable[Hit]:
        """The rule's findings in ``project``."""
        raise NotImplementedError
