"""Imports policy (opt-in): future annotations everywhere and no relative imports, by ruff.

The policy does not re-implement ruff's checks; it verifies that ruff's effective
configuration keeps them on (``qualitykit.policy.ruffconfig``), so deleting one from the
configuration fails the gate, at the line that deleted it.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, ClassVar, Literal

from typing_extensions import override

from qualitykit.policy.project import as_strings
from qualitykit.policy.ruffconfig import load
from qualitykit.policy.ruffkept import KeptOnOptions, kept_on
from qualitykit.policy.rule import Hit, Rule

if TYPE_CHECKING:
    from collections.abc import Iterator

    from qualitykit.policy.project import PolicyProject
    from qualitykit.policy.rule import RuleOptions

FUTURE = "from __future__ import annotations"


class _KeptOn(Rule):
    """A rule that keeps ruff ``codes`` on."""

    family = "imports"
    default = False
    codes: tuple[str, ...] = ()
    options: ClassVar[type[RuleOptions]] = KeptOnOptions

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        kept = options if isinstance(options, KeptOnOptions) else KeptOnOptions()
        yield from kept_on(project, self.codes, kept)


class FutureAnnotationsRules(_KeptOn):
    """ruff's flake8-future-annotations (FA100, FA102) switched off."""

    id = "QK-IMP-001"
    title = "ruff FA (future annotations) kept on"
    fix = 'add "FA" to ruff\'s `select`'
    codes = ("FA100", "FA102")


def _is_future_annotations(entry: str) -> bool:
    try:
        tree = ast.parse(entry)
    # qualitykit: allow[QK-EXC-002] an entry that is not Python is not the future import
    except SyntaxError:
        return False
    return any(
        isinstance(node, ast.ImportFrom)
        and node.module == "__future__"
        and any(alias.name == "annotations" for alias in node.names)
        for node in tree.body
    )


class RequiredFutureImport(_KeptOn):
    """ruff's I002 switched off, or its ``required-imports`` without the future import."""

    id = "QK-IMP-002"
    title = "ruff I002 requires `from __future__ import annotations`"
    fix = f'[tool.ruff.lint.isort] required-imports = ["{FUTURE}"], and "I" in `select`'
    codes = ("I002",)

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        yield from super().check(project, options)
        config = load(project)
        if config.problem is not None:
            return
        found = config.setting("isort", "required-imports")
        if found is not None and any(_is_future_annotations(e) for e in as_strings(found[0])):
            return
        if found is None:
            layer = config.layers[-1] if config.layers else None
            place = layer.table_place("isort") if layer else None
            file, line = (place.file, place.line) if place else (config.main, 1)
            message = f"ruff's isort `required-imports` is not set: I002 never asks for `{FUTURE}`"
        else:
            place = found[1].option_place("isort", "required-imports")
            file, line = place.file, place.line
            message = f"ruff's isort `required-imports` lacks `{FUTURE}`: {as_strings(found[0])}"
        yield Hit(file, line, message, f'add "{FUTURE}" to `required-imports`')


class RelativeOptions(KeptOnOptions, frozen=True):
    """QK-IMP-003's options: the weakest ``ban-relative-imports`` accepted."""

    ban_relative_imports: Literal["all", "parents"] = "all"


class RelativeImportsBanned(_KeptOn):
    """ruff's TID252 switched off, or ``ban-relative-imports`` weaker than the policy asks."""

    id = "QK-IMP-003"
    title = 'ruff TID252 with ban-relative-imports = "all"'
    fix = '[tool.ruff.lint.flake8-tidy-imports] ban-relative-imports = "all", and "TID" selected'
    codes = ("TID252",)
    options: ClassVar[type[RuleOptions]] = RelativeOptions

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        yield from super().check(project, options)
        wanted = options.ban_relative_imports if isinstance(options, RelativeOptions) else "all"
        config = load(project)
        if config.problem is not None or wanted == "parents":
            return
        found = config.setting("flake8-tidy-imports", "ban-relative-imports")
        if found is not None and found[0] == "all":
            return
        if found is None:
            layer = config.layers[-1] if config.layers else None
            place = layer.table_place("flake8-tidy-imports") if layer else None
            file, line = (place.file, place.line) if place else (config.main, 1)
            message = (
                'ruff\'s `ban-relative-imports` is not set: its default "parents" still allows '
                "`from .sibling import name`"
            )
        else:
            place = found[1].option_place("flake8-tidy-imports", "ban-relative-imports")
            file, line = place.file, place.line
            message = f'ruff\'s `ban-relative-imports` is {found[0]!r}, not "all"'
        yield Hit(file, line, message, 'set `ban-relative-imports = "all"`')


RULES: tuple[Rule, ...] = (
    FutureAnnotationsRules(),
    RequiredFutureImport(),
    RelativeImportsBanned(),
)
