"""Gate integrity against ``--base``: thresholds lowered, checks weakened, ignore lists grown.

Each finding says what changed, from what to what.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from typing_extensions import override

from qualitykit.config_table import PYPROJECT
from qualitykit.policy.project import as_list, as_strings, dig
from qualitykit.policy.rule import Hit, Rule
from qualitykit.policy.rules.integrity_base import BaseRule, number, pyprojects
from qualitykit.policy.rules.integrity_pyproject import ruff_lint
from qualitykit.policy.tomllines import toml_line

if TYPE_CHECKING:
    from collections.abc import Iterator

    from qualitykit.policy.project import PolicyProject
    from qualitykit.policy.rule import RuleOptions


@dataclass(frozen=True)
class _Settings:
    """The base and current pyproject.toml, compared key by key."""

    lines: list[str]
    base: dict[str, Any]
    now: dict[str, Any]

    def lowered(self, table: str, key: str, *, higher_is_stricter: bool = True) -> Iterator[Hit]:
        """A number made weaker (lower, or higher for a tolerance) or removed."""
        keys = table.split(".")
        before = number(dig(self.base, *keys).get(key))
        after = number(dig(self.now, *keys).get(key))
        if before is None:
            return
        if after is None or (after < before if higher_is_stricter else after > before):
            shown = "removed" if after is None else f"{after:g}"
            yield Hit(
                PYPROJECT,
                toml_line(self.lines, table, key),
                f"[{table}] {key}: {before:g} → {shown}",
            )

    def changed_from(self, table: str, key: str, *, strict: object) -> Iterator[Hit]:
        """A setting that had its strict value and no longer has it."""
        keys = table.split(".")
        before, after = dig(self.base, *keys).get(key), dig(self.now, *keys).get(key)
        if before == strict and after != strict:
            message = f"[{table}] {key}: {before!r} → {after!r}"
            yield Hit(PYPROJECT, toml_line(self.lines, table, key), message)


def _settings(project: PolicyProject) -> _Settings | None:
    pair = pyprojects(project)
    return None if pair is None else _Settings(project.lines(PYPROJECT), *pair)


class CoverageLowered(BaseRule):
    """A coverage floor lowered, a ratchet tolerance raised or the ratchet turned off."""

    id = "QK-INT-063"
    title = "coverage floor lowered or ratchet loosened"
    fix = "keep the floor; raise coverage instead (or lower it in its own reviewed change)"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        settings = _settings(project)
        if settings is None:
            return
        table = "tool.qualitykit.coverage"
        yield from settings.lowered(table, "floor")
        yield from settings.lowered(table, "diff-fail-under")
        yield from settings.lowered(table, "tolerance", higher_is_stricter=False)
        yield from settings.changed_from(table, "ratchet", strict=True)
        for group in dig(settings.base, "tool", "qualitykit", "coverage", "groups"):
            yield from settings.lowered(f"{table}.groups.{group}", "floor")
        yield from settings.lowered("tool.coverage.report", "fail_under")


class MutationLowered(BaseRule):
    """The mutation threshold lowered, its tolerance raised, its ratchet turned off."""

    id = "QK-INT-064"
    title = "mutation threshold lowered"
    fix = "keep the threshold; kill the surviving mutants instead"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        settings = _settings(project)
        if settings is None:
            return
        table = "tool.qualitykit.mutation"
        yield from settings.lowered(table, "threshold")
        yield from settings.lowered(table, "tolerance", higher_is_stricter=False)
        yield from settings.changed_from(table, "ratchet", strict=True)
        yield from settings.changed_from(table, "allow-errors", strict=False)


_codes = as_strings


def _selected(lint: dict[str, Any]) -> list[str]:
    """The rule prefixes a ruff lint table selects; ``ALL`` when it names no ``select``.

    Without ``select`` ruff applies its default set, which changes between ruff versions
    (E4/E7/E9/F in older releases, 409 rules in 0.17.6): any code newly ignored then may be one
    that ran, so every one counts (fail closed; a reasoned allow covers a moot one).
    """
    select = _codes(lint["select"]) if "select" in lint else ["ALL"]
    return [*select, *_codes(lint.get("extend-select"))]


_CODE = re.compile(r"^([A-Z]+)(\d*)$")


def _selects(selector: str, code: str) -> bool:
    """Whether a ruff selector (`B`, `PLR09`, `ALL`) covers a code: same linter, number prefix."""
    if "ALL" in {selector, code}:
        return True
    wanted, given = _CODE.match(selector), _CODE.match(code)
    if wanted is None or given is None:
        return selector == code
    return wanted[1] == given[1] and given[2].startswith(wanted[2])


def _newly_ignored(codes: list[str], before: list[str], selection: list[str]) -> list[str]:
    """Codes ignored now and not before that the base did select (ignoring others is moot)."""
    return [
        code
        for code in codes
        if code not in before and any(_selects(selector, code) for selector in selection)
    ]


class RuffIgnoresGrown(BaseRule):
    """ruff rules the base selected, newly ignored (globally or per file) or dropped from select."""

    id = "QK-INT-065"
    title = "ruff ignore lists grown"
    fix = "fix the code instead, or ignore on the line with `# noqa: CODE` and a reason"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        pair = pyprojects(project)
        if pair is None:
            return
        base, now = ruff_lint(pair[0]), ruff_lint(pair[1])
        lines = project.lines(PYPROJECT)
        selection = _selected(base)
        for key in ("ignore", "extend-ignore"):
            added = _newly_ignored(_codes(now.get(key)), _codes(base.get(key)), selection)
            if added:
                line = toml_line(lines, "tool.ruff.lint", key)
                yield Hit(
                    PYPROJECT,
                    line,
                    f"ruff {key} grew by {added}: {_codes(base.get(key))} → {_codes(now.get(key))}",
                )
        for key in ("select", "extend-select"):
            removed = [code for code in _codes(base.get(key)) if code not in _codes(now.get(key))]
            if removed and now.get(key) is not None:
                line = toml_line(lines, "tool.ruff.lint", key)
                yield Hit(PYPROJECT, line, f"ruff {key} lost {removed}")
        for key in ("per-file-ignores", "extend-per-file-ignores"):
            before, after = dig(base, key), dig(now, key)
            for pattern, codes in after.items():
                added = _newly_ignored(_codes(codes), _codes(before.get(pattern)), selection)
                if added:
                    line = toml_line(lines, f"tool.ruff.lint.{key}", pattern)
                    yield Hit(
                        PYPROJECT,
                        line,
                        f"ruff {key} {pattern!r} grew by {added}: "
                        f"{_codes(before.get(pattern))} → {_codes(codes)}",
                    )


_MYPY_STRICT = (
    "strict",
    "disallow_",
    "warn_",
    "strict_",
    "check_untyped_defs",
    "no_implicit",
    "extra_checks",
)


def _ignored_modules(document: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    overrides = dig(document, "tool", "mypy").get("overrides", [])
    for item in as_list(overrides):
        override_ = cast("dict[str, object]", item) if isinstance(item, dict) else {}
        if override_.get("ignore_errors") is True:
            modules = override_.get("module", [])
            found.update([modules] if isinstance(modules, str) else _codes(modules))
    return found


class MypyWeakened(BaseRule):
    """mypy: strict flags turned off, error codes disabled, modules' errors ignored."""

    id = "QK-INT-066"
    title = "mypy checks weakened"
    fix = "keep the flag; fix the errors (or ignore one line with `# type: ignore[code]`)"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        pair = pyprojects(project)
        if pair is None:
            return
        base, now = dig(pair[0], "tool", "mypy"), dig(pair[1], "tool", "mypy")
        lines = project.lines(PYPROJECT)
        for key, value in base.items():
            # A flag removed while `strict` stays on is one strict mode (or mypy's default)
            # already sets: mypy 2 made several of them defaults and deprecated the flags.
            removed_under_strict = key not in now and now.get("strict") is True
            weakened = now.get(key) is not True and not removed_under_strict
            if value is True and key.startswith(_MYPY_STRICT) and weakened:
                yield Hit(
                    PYPROJECT,
                    toml_line(lines, "tool.mypy", key),
                    f"mypy {key}: true → {now.get(key)!r}",
                )
        added = [
            code
            for code in _codes(now.get("disable_error_code"))
            if code not in _codes(base.get("disable_error_code"))
        ]
        if added:
            yield Hit(
                PYPROJECT,
                toml_line(lines, "tool.mypy", "disable_error_code"),
                f"mypy disable_error_code grew by {added}",
            )
        new = sorted(_ignored_modules(pair[1]) - _ignored_modules(pair[0]))
        if new:
            line = toml_line(lines, "tool.mypy.overrides", "ignore_errors")
            yield Hit(PYPROJECT, line, f"mypy ignore_errors overrides grew by {new}")


_MODES = {"off": 0, "basic": 1, "standard": 2, "strict": 3, "recommended": 3, "all": 4}
_SEVERITY = {"none": 0, "false": 0, "information": 1, "warning": 2, "error": 3, "true": 3}


def _severity(value: object) -> int | None:
    if value is None:
        return None
    return _SEVERITY.get(str(value).lower())


class PyrightWeakened(BaseRule):
    """pyright: type checking mode lowered, rules switched off or made warnings, ignores grown."""

    id = "QK-INT-067"
    title = "pyright rules switched off"
    fix = "keep the rule; fix the errors (or `# pyright: ignore[rule]` one line, with a reason)"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        pair = pyprojects(project)
        if pair is None:
            return
        lines = project.lines(PYPROJECT)
        for tool in ("pyright", "basedpyright"):
            base, now = dig(pair[0], "tool", tool), dig(pair[1], "tool", tool)
            table = f"tool.{tool}"
            mode_before, mode_after = (
                base.get("typeCheckingMode"),
                now.get("typeCheckingMode", "standard"),
            )
            if mode_before in _MODES and _MODES.get(str(mode_after), 0) < _MODES[str(mode_before)]:
                yield Hit(
                    PYPROJECT,
                    toml_line(lines, table, "typeCheckingMode"),
                    f"{tool} typeCheckingMode: {mode_before!r} → {mode_after!r}",
                )
            for key, value in now.items():
                if not key.startswith("report"):
                    continue
                before, after = _severity(base.get(key)), _severity(value)
                if after is not None and after < 2 and (before is None or before > after):
                    was = repr(base[key]) if key in base else "the mode's default"
                    yield Hit(
                        PYPROJECT,
                        toml_line(lines, table, key),
                        f"{tool} {key}: {was} → {value!r}",
                    )
            added = [
                path for path in _codes(now.get("ignore")) if path not in _codes(base.get("ignore"))
            ]
            if added:
                yield Hit(
                    PYPROJECT, toml_line(lines, table, "ignore"), f"{tool} ignore grew by {added}"
                )


RULES: tuple[Rule, ...] = (
    CoverageLowered(),
    MutationLowered(),
    RuffIgnoresGrown(),
    MypyWeakened(),
    PyrightWeakened(),
)
