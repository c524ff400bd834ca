"""Every policy rule, by id; which ones a configuration enables, with their options."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import msgspec

from qualitykit.policy.config import describe
from qualitykit.policy.rules import (
    banned,
    commits,
    conflicts,
    doubles,
    exceptions,
    imports,
    integrity_base,
    integrity_ci,
    integrity_counts,
    integrity_make,
    integrity_pyproject,
    integrity_settings,
    integrity_shell,
    ledger,
    makefile,
    meta,
    mocks,
    versions,
)

if TYPE_CHECKING:
    from qualitykit.policy.config import PolicyConfig
    from qualitykit.policy.rule import Rule, RuleOptions

_MODULES = (
    meta,
    integrity_make,
    integrity_shell,
    integrity_ci,
    integrity_pyproject,
    integrity_base,
    integrity_settings,
    integrity_counts,
    makefile,
    doubles,
    mocks,
    banned,
    imports,
    exceptions,
    commits,
    conflicts,
    ledger,
    versions,
)


@cache
def rules() -> dict[str, Rule]:
    """Every rule, keyed by id, in id order."""
    found = [rule for module in _MODULES for rule in module.RULES]
    registry = {rule.id: rule for rule in sorted(found, key=lambda rule: rule.id)}
    if len(registry) != len(found):
        msg = "two policy rules share an id"
        raise AssertionError(msg)
    return registry


def families() -> set[str]:
    """The rule families (usable wherever a rule id is)."""
    return {rule.family for rule in rules().values()}


def _setting(rule: Rule, config: PolicyConfig) -> bool:
    for name in (rule.id, rule.family):
        if name in config.disable:
            return False
        if name in config.enable:
            return True
    # Configuring a rule, or its family's shared options, turns an opt-in rule on.
    return rule.default or rule.id in config.rules or rule.family in config.rules


def validate(config: PolicyConfig) -> None:
    """Raise ValueError naming the first unknown rule, family or option in ``config``."""
    known = rules()
    names = families() | set(known)
    for key in ("enable", "disable"):
        for name in getattr(config, key):
            if name not in names:
                choices = ", ".join(sorted(families()))
                msg = f"{key}: unknown rule or family {name!r} (families: {choices})"
                raise ValueError(msg)
    both = set(config.enable) & set(config.disable)
    if both:
        msg = f"{min(both)!r} is both enabled and disabled"
        raise ValueError(msg)
    for rule_id in config.rules:
        if rule_id not in names:
            raise ValueError(f"rules.{rule_id}: unknown rule id or family")
    enabled(config)


def enabled(config: PolicyConfig) -> list[tuple[Rule, RuleOptions]]:
    """The rules ``config`` turns on, each with its validated options."""
    chosen: list[tuple[Rule, RuleOptions]] = []
    for rule in rules().values():
        # A family's table holds options every rule of the family shares; the rule's own
        # table wins key by key.
        shared = config.rules.get(rule.family, {})
        own = config.rules.get(rule.id, {})
        try:
            options = (
                msgspec.convert({**shared, **own}, rule.options)
                if shared or own
                else rule.options()
            )
        except msgspec.ValidationError as error:
            where = describe(error, "")
            key = where.split(".", 1)[0].split(":", 1)[0]
            table = rule.family if key in shared and key not in own else rule.id
            raise ValueError(describe(error, f"rules.{table}")) from None
        if _setting(rule, config):
            chosen.append((rule, options))
    return chosen
