"""A Makefile's explicit rules: targets, prerequisites, recipes, ``.PHONY`` and includes.

Read line by line as make reads them, enough for the policy rules: continuations joined,
comments stripped, ``define … endef`` bodies and conditional directives skipped, the rule
separator found outside ``$(…)`` (so ``$(error see http://…)`` is no rule), target-specific
variable lines (``test: VAR = 1``) kept apart from rules. Recipes come from
:func:`qualitykit.policy.shell.make_recipes` semantics: tab-indented lines after a rule line.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qualitykit.policy.shell import ShellLine, join_continuations, strip_comment

if TYPE_CHECKING:
    from collections.abc import Iterator

    from qualitykit.policy.project import PolicyProject

_DIRECTIVES = frozenset(
    {
        "include",
        "-include",
        "sinclude",
        "export",
        "unexport",
        "override",
        "private",
        "vpath",
        "undefine",
    }
)
_CONDITIONALS = frozenset({"ifeq", "ifneq", "ifdef", "ifndef", "else", "endif"})
_INCLUDE = re.compile(r"^\s*(?:-include|sinclude|include)\s+(?P<names>.+)$")
_TARGET_VARIABLE = re.compile(
    r"^\s*(?:(?:export|override|private)\s+)*[^\s=:]+\s*(?:[:+?!]|::)?=(?!=)"
)
_RECIPE_PREFIX = re.compile(r"^[@+\-\s]*")


@dataclass
class MakeRule:
    """One explicit rule line: its targets, prerequisites and recipe lines."""

    file: str
    line: int
    targets: tuple[str, ...]
    prerequisites: tuple[str, ...]
    recipe: list[ShellLine] = field(default_factory=list[ShellLine])


@dataclass(frozen=True)
class Makefile:
    """The rules of one Makefile, its ``.PHONY`` names and the files it includes."""

    name: str
    rules: tuple[MakeRule, ...]
    phony: frozenset[str]
    includes: tuple[str, ...]

    def targets(self) -> dict[str, list[MakeRule]]:
        """Each explicit target with the rules that name it (special targets left out)."""
        found: dict[str, list[MakeRule]] = {}
        for rule in self.rules:
            for target in rule.targets:
                if not target.startswith("."):
                    found.setdefault(target, []).append(rule)
        return found


def _rule_split(line: str) -> tuple[str, str] | None:
    """``(targets, rest)`` when ``line`` is a rule line (its first ``:`` outside ``$(…)``)."""
    depth = 0
    for index, char in enumerate(line):
        if char in "({" and index > 0 and line[index - 1] == "$":
            depth += 1
        elif char in ")}" and depth:
            depth -= 1
        elif char == "=" and depth == 0:
            return None  # an assignment (`A = b:c`, `A := 1`)
        elif char == ":" and depth == 0:
            after = line[index + 1 :]
            if after.startswith(("=", ":=", ":::=")):
                return None  # `:=`, `::=`, `:::=` assignments
            rest = after.lstrip(":&")  # double-colon and grouped (`&:`) rules
            return line[:index], rest
    return None


def _words(text: str) -> list[str]:
    """Whitespace-separated words, a ``$(…)`` reference kept whole."""
    words: list[str] = []
    current: list[str] = []
    depth = 0
    for index, char in enumerate(text):
        if char in "({" and index > 0 and text[index - 1] == "$":
            depth += 1
        elif char in ")}" and depth:
            depth -= 1
        if char.isspace() and depth == 0:
            if current:
                words.append("".join(current))
                current = []
            continue
        current.append(char)
    if current:
        words.append("".join(current))
    return words


def _recipe_line(number: int, text: str, name: str) -> ShellLine | None:
    prefix = _RECIPE_PREFIX.match(text)
    flags = prefix.group(0).replace(" ", "").replace("\t", "") if prefix else ""
    body = text[prefix.end() if prefix else 0 :].replace("$$", "$")
    return ShellLine(name, number, body, flags) if body else None


def parse_makefile(project: PolicyProject, name: str) -> Makefile:
    """The explicit rules of the Makefile ``name`` (cached per project)."""
    return project.memo(f"makefile:{name}", lambda: _parse(project, name))


def _logical_lines(lines: list[str]) -> Iterator[tuple[int, str, bool]]:
    """``(line number, text, is a recipe line)``: directive lines joined, ``define`` skipped.

    A recipe line is a tab-indented line after a rule line (or a recipe's continuation); a
    conditional directive does not end the recipe it is written in.
    """
    in_rule = in_define = continued = False
    index = 0
    while index < len(lines):
        number, raw = index + 1, lines[index]
        index += 1
        if continued or (in_rule and raw.startswith("\t") and not in_define):
            continued = raw.rstrip().endswith("\\")
            yield number, raw if continued else raw.removeprefix("\t"), True
            continue
        words = raw.split()
        first = words[0] if words else ""
        if in_define or ("define" in words[:2] and first in {"define", "override", "export"}):
            in_define = first != "endef"
            continue
        if not first or first.startswith("#") or first in _CONDITIONALS:
            continue
        while raw.rstrip().endswith("\\") and index < len(lines):
            raw = raw.rstrip()[:-1] + " " + lines[index].strip()
            index += 1
        in_rule = first not in _DIRECTIVES and _rule_split(strip_comment(raw)) is not None
        yield number, raw, False


def _parse(project: PolicyProject, name: str) -> Makefile:
    rules: list[MakeRule] = []
    includes: list[str] = []
    recipe: list[tuple[int, str]] = []
    current: MakeRule | None = None

    def flush() -> None:
        for number, text in join_continuations(recipe):
            line = _recipe_line(number, text, name)
            if line is not None and current is not None:
                current.recipe.append(line)
        recipe.clear()

    for number, raw, in_recipe in _logical_lines(project.lines(name)):
        if in_recipe:
            recipe.append((number, raw))
            continue
        flush()
        include = _INCLUDE.match(raw)
        if include:
            includes.extend(_words(strip_comment(include["names"])))
        first = raw.split(None, 1)[0]
        current = None if first in _DIRECTIVES else _rule(name, number, strip_comment(raw))
        if current is not None:
            rules.append(current)
    flush()
    phony = {word for rule in rules if ".PHONY" in rule.targets for word in rule.prerequisites}
    return Makefile(name, tuple(rules), frozenset(phony), tuple(includes))


def _rule(name: str, number: int, logical: str) -> MakeRule | None:
    split = _rule_split(logical)
    if split is None:
        return None
    targets, rest = split
    if _TARGET_VARIABLE.match(rest):
        return None  # a target-specific variable, not a rule of its own
    inline = rest.split(";", 1)
    rule = MakeRule(name, number, tuple(_words(targets)), tuple(_words(inline[0])))
    if len(inline) > 1:
        line = _recipe_line(number, inline[1].strip(), name)
        if line is not None:
            rule.recipe.append(line)
    return rule


def include_group(project: PolicyProject, name: str) -> list[Makefile]:
    """``name`` and every project Makefile connected to it by ``include`` (either way)."""

    def resolve(makefile: Makefile) -> set[str]:
        here = posixpath.dirname(makefile.name)
        named = {posixpath.normpath(posixpath.join(here, word)) for word in makefile.includes}
        return named & set(project.makefiles)

    def edges() -> dict[str, set[str]]:
        graph: dict[str, set[str]] = {n: set() for n in project.makefiles}
        for other in project.makefiles:
            for target in resolve(parse_makefile(project, other)):
                graph[other].add(target)
                graph[target].add(other)
        return graph

    graph = project.memo("makefile-includes", edges)
    seen = {name}
    pending = [name]
    while pending:
        for neighbour in graph.get(pending.pop(), set()):
            if neighbour not in seen:
                seen.add(neighbour)
                pending.append(neighbour)
    return [parse_makefile(project, other) for other in sorted(seen)]
