"""Rules about the allows themselves: an allow must give a reason and name a real rule."""

from __future__ import annotations

from typing import TYPE_CHECKING

from typing_extensions import override

from qualitykit.policy.allows import file_allows
from qualitykit.policy.rule import Hit, Rule

if TYPE_CHECKING:
    from collections.abc import Iterator

    from qualitykit.policy.project import PolicyProject
    from qualitykit.policy.rule import RuleOptions


class ReasonlessAllow(Rule):
    """An allow without a reason silences nothing and is reported."""

    id = "QK-POL-001"
    family = "policy"
    title = "an inline allow without a reason"
    fix = "say why the use is legitimate: `# qualitykit: allow[RULE] why`"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        for name in project.checked:
            for allow in file_allows(project, name):
                if not allow.reason:
                    rules = ", ".join(allow.rules) or "no rule"
                    yield Hit(name, allow.line, f"allow[{rules}] gives no reason")


class UnknownAllow(Rule):
    """An allow naming no known rule id (a typo silences nothing)."""

    id = "QK-POL-002"
    family = "policy"
    title = "an inline allow naming an unknown rule"
    fix = "name the rule's id exactly, e.g. allow[QK-INT-010] (see docs/policies.md)"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        # qualitykit: allow[QK-INT-070] imported here: the registry imports this module
        from qualitykit.policy.registry import rules  # noqa: PLC0415

        known = rules()
        for name in project.checked:
            for allow in file_allows(project, name):
                unknown = [rule for rule in allow.rules if rule not in known] or (
                    [] if allow.rules else ["(none)"]
                )
                if unknown:
                    yield Hit(name, allow.line, f"allow names unknown rule {unknown[0]!r}")


RULES: tuple[Rule, ...] = (ReasonlessAllow(), UnknownAllow())
