"""Makefile rules: ``.PHONY``, no ``$(MAKE) target VAR=…`` re-entry, required targets.

``.PHONY`` for targets that are no files, no re-entry into the same Makefile with other
variables, the targets a project requires present.

SHELL/pipefail and ``-`` recipe prefixes are gate-integrity rules (QK-INT-001/002/003).
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from typing_extensions import override

from qualitykit.config_table import PYPROJECT
from qualitykit.policy.makerules import Makefile, MakeRule, include_group, parse_makefile
from qualitykit.policy.rule import Hit, MakefileRule, Rule, RuleOptions
from qualitykit.policy.tomllines import toml_line

if TYPE_CHECKING:
    from collections.abc import Iterator

    from qualitykit.policy.project import PolicyProject

FAMILY = "makefile"
# A name that can only be a target, never a path: no dot, slash, wildcard or variable.
_PLAIN_TARGET = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_+-]*$")
# The recipe names its own output: `$@` (or `$(@)`, `${@D}`, …) anywhere.
_AUTOMATIC_TARGET = re.compile(r"\$(?:@|\(@[DF]?\)|\{@[DF]?\})")
_OUTPUT_BEFORE = r"(?:>>?|\btouch|\bmkdir(?:\s+-p)?|\s-o|--output[= ]|--outdir[= ]|\bvenv)\s*"
_MAKE_CALL = re.compile(r"^(?:\$\(MAKE\)|\$\{MAKE\}|make)\s+(?P<args>.*)$")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*[:+?]?=")
_SAME_DIRECTORY = frozenset({".", "./", "$(CURDIR)", "${CURDIR}"})
_OPTIONS_WITH_VALUE = frozenset({"-f", "--file", "--makefile", "-j", "--jobs", "-l", "-o", "-W"})
_RECIPE_SHOWN = 2


def _creates(rules: list[MakeRule], target: str) -> bool:
    """Whether a recipe of ``target`` names it as an output (so it may be a real file)."""
    named = re.compile(_OUTPUT_BEFORE + re.escape(target) + r"(?![\w.+-])")
    return any(
        _AUTOMATIC_TARGET.search(line.text) or named.search(line.text)
        for rule in rules
        for line in rule.recipe
    )


def _forcing(rules: list[MakeRule]) -> bool:
    """The ``FORCE:`` idiom: a rule with neither prerequisites nor recipe.

    Always out of date because no file has its name; declaring it phony changes nothing.
    """
    return all(not rule.prerequisites and not rule.recipe for rule in rules)


def _group_phony(group: list[Makefile]) -> frozenset[str]:
    return frozenset(name for makefile in group for name in makefile.phony)


class PhonyTargets(MakefileRule):
    """A target that is no file, missing from ``.PHONY``.

    No file: a plain name (no dot, slash, ``%`` or variable), no project file of that name
    next to the Makefile, no recipe that writes ``$@`` or the name, not the ``FORCE:`` idiom
    (no prerequisites, no recipe). A file or directory of
    that name would make make think it up to date and skip the recipe.
    """

    id = "QK-MK-001"
    family = FAMILY
    title = "Makefile target that is no file, missing from .PHONY"
    fix = "add the target to `.PHONY`"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        files = set(project.files)
        for name in project.makefiles:
            makefile = parse_makefile(project, name)
            phony = _group_phony(include_group(project, name))
            here = posixpath.dirname(name)
            for target, rules in makefile.targets().items():
                path = posixpath.join(here, target)
                if (
                    target in phony
                    or not _PLAIN_TARGET.match(target)
                    or path in files
                    or _creates(rules, target)
                    or _forcing(rules)
                ):
                    continue
                folder = any(other.startswith(f"{path}/") for other in files)
                why = (
                    f"the directory `{path}/` exists, so make thinks `{target}` is up to date"
                    if folder
                    else f"a file named `{target}` would make make skip it"
                )
                message = f"target `{target}` is not in .PHONY: {why}"
                yield Hit(name, rules[0].line, message, f"add `{target}` to `.PHONY`")


def _make_call(text: str) -> tuple[list[str], list[str]] | None:
    """``(targets, assignments)`` of a ``$(MAKE)`` call that re-enters the same Makefile."""
    match = _MAKE_CALL.match(text.strip())
    if match is None or any(char in match["args"] for char in ";|&<>`"):
        return None
    words = match["args"].split()
    targets: list[str] = []
    assignments: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word in {"-C", "--directory"}:
            if index >= len(words) or words[index] not in _SAME_DIRECTORY:
                return None  # another directory's Makefile
            index += 1
        elif word.startswith("--directory="):
            if word.split("=", 1)[1] not in _SAME_DIRECTORY:
                return None
        elif word in _OPTIONS_WITH_VALUE or word.startswith(("-f", "--file=", "--makefile=")):
            return None  # another Makefile (or options this rule does not judge)
        elif word.startswith("-"):
            continue
        elif _ASSIGNMENT.match(word):
            assignments.append(word)
        else:
            targets.append(word)
    return (targets, assignments) if targets and assignments else None


class MakeIndirection(MakefileRule):
    """``$(MAKE) target VAR=…`` calling a target of the same Makefile with other variables.

    A second make run whose effect is hidden in the target's recipe: the reader has to find
    that recipe and substitute the variables to know what runs.
    """

    id = "QK-MK-002"
    family = FAMILY
    title = "$(MAKE) target VAR=… indirection into the same Makefile"
    fix = "call the target's recipe directly, with the value written in (or a shared variable)"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        for name in project.makefiles:
            defined: dict[str, list[MakeRule]] = {}
            for makefile in include_group(project, name):
                for target, rules in makefile.targets().items():
                    defined.setdefault(target, []).extend(rules)
            for rule in parse_makefile(project, name).rules:
                for line in rule.recipe:
                    call = _make_call(line.text)
                    if call is None:
                        continue
                    targets, assignments = call
                    called = [target for target in targets if target in defined]
                    if not called or len(called) != len(targets):
                        continue
                    recipe = [step.text for r in defined[called[0]] for step in r.recipe]
                    shown = " && ".join(f"`{text}`" for text in recipe[:_RECIPE_SHOWN])
                    more = " …" if len(recipe) > _RECIPE_SHOWN else ""
                    direct = f"its recipe directly: {shown}{more}" if recipe else "it directly"
                    message = (
                        f"`{line.text}` re-runs make for `{' '.join(called)}` of this Makefile "
                        f"with {' '.join(assignments)}; call {direct}"
                    )
                    yield Hit(name, line.line, message)


class RequiredTargetsOptions(RuleOptions, frozen=True):
    """``required``: targets the project's top-level Makefile must define."""

    required: tuple[str, ...] = ()


class RequiredTargets(Rule):
    """Targets every contributor and CI rely on (``make quality``, ``make test``) present."""

    id = "QK-MK-003"
    family = FAMILY
    title = "required Makefile target missing"
    fix = "add the target to the top-level Makefile (or an included one)"
    options = RequiredTargetsOptions

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        if not isinstance(options, RequiredTargetsOptions):
            raise TypeError(options)  # the registry validates with this rule's own model
        if not options.required:
            return
        top = [name for name in ("GNUmakefile", "makefile", "Makefile") if name in project.files]
        if not top:
            where = toml_line(
                project.lines(PYPROJECT), f"tool.qualitykit.policy.rules.{self.id}", "required"
            )
            wanted = ", ".join(options.required)
            yield Hit(PYPROJECT, where, f"no top-level Makefile defines the required {wanted}")
            return
        defined: set[str] = set()
        for makefile in include_group(project, top[0]):
            defined.update(makefile.targets())
        for target in options.required:
            if target not in defined:
                yield Hit(top[0], 1, f"required target `{target}` is missing from {top[0]}")


RULES: tuple[Rule, ...] = (PhonyTargets(), MakeIndirection(), RequiredTargets())
