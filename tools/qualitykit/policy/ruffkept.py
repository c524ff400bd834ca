"""Findings for ruff rules a policy wants kept on: where the configuration switches them off.

A code is *kept on* when ruff's effective selection (``qualitykit.policy.ruffconfig``)
includes it by the configuration's own ``select``/``extend-select`` (ruff's default selection
does not count: it changes with the ruff version) and no ``per-file-ignores`` entry switches
it off for a Python file of the project outside the rule's ``ignored-in`` patterns (empty by
default: tests are held to the same rules; a team that exempts its tests says so with
``ignored-in = ["tests/"]``). An entry whose pattern
matches no project file switches nothing off today and is not reported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualitykit.policy.pathglobs import spec
from qualitykit.policy.ruffconfig import file_ignores, load, verdict
from qualitykit.policy.rule import Hit, RuleOptions

if TYPE_CHECKING:
    from collections.abc import Iterator

    from qualitykit.policy.project import PolicyProject
    from qualitykit.policy.ruffconfig import RuffConfig, Verdict

_PYTHON = (".py", ".pyi")
_SHOWN = 3


class KeptOnOptions(RuleOptions, frozen=True):
    """Options of the rules that keep ruff codes on."""

    # gitignore-style patterns of files for which per-file-ignores may switch the codes off.
    ignored_in: tuple[str, ...] = ()


def _quoted(codes: list[str]) -> str:
    return ", ".join(f'"{code}"' for code in codes)


def _off_hit(verdict_: Verdict, codes: list[str]) -> Hit:
    names = ", ".join(codes)
    place = verdict_.place
    if verdict_.how == "ignored":
        message = f'ruff `{verdict_.key}` has "{verdict_.selector}", which switches {names} off'
        if verdict_.selector in codes:
            fix = f"remove {_quoted(codes)} from `{verdict_.key}`"
        else:
            fix = (
                f'replace "{verdict_.selector}" in `{verdict_.key}` by the codes you mean, '
                f"without {names}"
            )
        return Hit(place.file, place.line, message, fix)
    if verdict_.how == "unselected":
        message = f"ruff `select` does not include {names} (nor a prefix of it)"
        return Hit(place.file, place.line, message, f"add {_quoted(codes)} to `select`")
    message = (
        f"the configuration does not select {names}: only ruff's default selection could, and "
        "it changes between ruff releases (E4, E7, E9, F through 0.15; 413 rules since 0.16)"
    )
    fix = f"add {_quoted(codes)} to `extend-select` in [tool.ruff.lint] (or `select`)"
    return Hit(place.file, place.line, message, fix)


def kept_on(
    project: PolicyProject, codes: tuple[str, ...], options: KeptOnOptions
) -> Iterator[Hit]:
    """A finding for every setting that switches one of ``codes`` off (codes grouped by place)."""
    config: RuffConfig = load(project)
    if config.problem is not None:
        place, problem = config.problem
        message = f"ruff's configuration cannot be read, so {', '.join(codes)} are unverified: "
        yield Hit(place.file, place.line, message + problem, "make `extend` name a readable file")
        return
    off: dict[tuple[str, int, str, str, str], list[str]] = {}
    on: list[str] = []
    for code in codes:
        state = verdict(config, code)
        if state.on:
            on.append(code)
        else:
            key = (state.place.file, state.place.line, state.how, state.key, state.selector)
            off.setdefault(key, []).append(code)
    for group in off.values():
        yield _off_hit(verdict(config, group[0]), group)
    yield from _per_file(project, config, on, options)


def _per_file(
    project: PolicyProject, config: RuffConfig, codes: list[str], options: KeptOnOptions
) -> Iterator[Hit]:
    python = [name for name in project.files if name.endswith(_PYTHON)]
    exempt = spec(options.ignored_in)
    grouped: dict[tuple[str, int, str, str], tuple[list[str], list[str]]] = {}
    for code in codes:
        for entry in file_ignores(config, code, python):
            files = [name for name in entry.files if not exempt.match_file(name)]
            if files:
                where = (entry.place.file, entry.place.line, entry.key, entry.pattern)
                grouped.setdefault(where, ([], files))[0].append(code)
    for (file, line, key, pattern), (off, files) in grouped.items():
        more = len(files) - _SHOWN
        shown = ", ".join(files[:_SHOWN]) + (f" and {more} more" if more > 0 else "")
        message = (
            f'ruff `{key}` "{pattern}" switches {", ".join(off)} off for {len(files)} '
            f"file(s): {shown}"
        )
        fix = (
            f'remove {_quoted(off)} from "{pattern}" (a prefix there: list the codes you mean); '
            'for test files only, set `ignored-in = ["tests/"]` in this rule\'s options'
        )
        yield Hit(file, line, message, fix)
