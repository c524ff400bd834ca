"""The rule contract: an id, a family, a default, an options model and a ``check``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import msgspec
from typing_extensions import override

if TYPE_CHECKING:
    from collections.abc import Iterable

    from qualitykit.policy.project import PolicyProject


class RuleOptions(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, rename="kebab"
):
    """Options every rule takes: ``[tool.qualitykit.policy.rules.ID]`` (unknown keys: exit 2).

    A rule with more options subclasses this as ``class XOptions(RuleOptions, frozen=True)``
    (type checkers need ``frozen`` repeated; the other settings are inherited): fields with
    defaults, kebab-case keys in TOML (``min_statements`` is ``min-statements``), bounds as
    ``Annotated[int, msgspec.Meta(ge=1)]``, other checks in ``__post_init__`` raising
    ``ValueError``.
    """

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
    # Rules about commits and branch names run in `qualitykit policy commits`/`commit-msg`,
    # never over the project's files.
    on_files: bool = True

    def reports_on(self, project: PolicyProject, name: str) -> bool:
        """Whether this rule can report on the file ``name`` (any file, unless overridden).

        With staged files only (the commit stage), a rule that can report on none of them is
        not run: a commit of one Python file parses no workflow and no Makefile.
        """
        del project, name
        return True

    options: ClassVar[type[RuleOptions]] = RuleOptions

    def check(self, project: PolicyProject, options: RuleOptions) -> Iterable[Hit]:
        """The rule's findings in ``project``."""
        raise NotImplementedError


class MakefileRule(Rule):
    """A rule that reports only on Makefiles."""

    @override
    def reports_on(self, project: PolicyProject, name: str) -> bool:
        return name in project.makefiles


class WorkflowRule(Rule):
    """A rule that reports only on GitHub workflows."""

    @override
    def reports_on(self, project: PolicyProject, name: str) -> bool:
        return name in project.workflows


class PreCommitRule(Rule):
    """A rule that reports only on the pre-commit configuration."""

    @override
    def reports_on(self, project: PolicyProject, name: str) -> bool:
        return name == project.pre_commit
