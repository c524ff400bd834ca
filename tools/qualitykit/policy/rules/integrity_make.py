"""Gate integrity in Makefiles: bash with -e and pipefail, no ignored recipe failures."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from typing_extensions import override

from qualitykit.policy.rule import Hit, MakefileRule, Rule
from qualitykit.policy.shell import CommandLineRule, all_shell_lines, make_recipes

if TYPE_CHECKING:
    from collections.abc import Iterator

    from qualitykit.policy.project import PolicyProject
    from qualitykit.policy.rule import RuleOptions

_SHELL = re.compile(r"^\s*(?:override\s+)?SHELL\s*:?=\s*(?P<value>.*)$")
_FLAGS = re.compile(r"^\s*(?:override\s+)?\.SHELLFLAGS\s*:?=\s*(?P<value>.*)$")
_IGNORE = re.compile(r"^\.IGNORE\s*:")
_MAKEFLAGS_IGNORE = re.compile(
    r"^\s*(?:export\s+)?MAKEFLAGS\s*[+:]?=.*(?:\s|^)(?:-\w*i\w*|--ignore-errors)\b"
)
_MAKE_IGNORE = re.compile(
    r"(?:\$\(MAKE\)|\$\{MAKE\}|\bmake)\s+(?:[^|;&]*\s)?(?:-i|--ignore-errors)\b"
)


def _assignment(
    project: PolicyProject, name: str, pattern: re.Pattern[str]
) -> tuple[int, str] | None:
    found = None
    for number, line in enumerate(project.lines(name), start=1):
        match = pattern.match(line)
        if match:
            found = (number, match["value"].split("#", 1)[0].strip())
    return found


_QUOTED = re.compile(r"'[^']*'|\"(?:[^\"\\]|\\.)*\"")
_MASKING = re.compile(r"(?<![|])\|(?![|])|;")


def masking_recipe(project: PolicyProject, name: str) -> str | None:
    """The first recipe line whose failure a shell without -e/pipefail can hide (a pipe, `;`)."""
    for line in make_recipes(project, name):
        if _MASKING.search(_QUOTED.sub("''", line.text)):
            return line.text
    return None


class MakeShell(MakefileRule):
    """Recipes that pipe or chain commands, run by /bin/sh (no -e, no pipefail)."""

    id = "QK-INT-001"
    family = "integrity"
    title = "Makefile without SHELL := bash"
    fix = "add `SHELL := bash` and `.SHELLFLAGS := -eu -o pipefail -c` at the top"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        for name in project.makefiles:
            masking = masking_recipe(project, name)
            if masking is None or name.endswith(".mk"):
                continue
            shell = _assignment(project, name, _SHELL)
            hidden = f"`{masking}` can hide a failure"
            if shell is None:
                yield Hit(name, 1, f"no `SHELL := bash`: recipes run in /bin/sh; {hidden}")
            elif "bash" not in shell[1]:
                yield Hit(name, shell[0], f"SHELL is {shell[1]!r}, not bash; {hidden}")


class MakePipefail(MakefileRule):
    """SHELL is bash, .SHELLFLAGS lacks -e or pipefail, and a recipe pipes or chains commands."""

    id = "QK-INT-002"
    family = "integrity"
    title = "Makefile .SHELLFLAGS without -e and pipefail"
    fix = "set `.SHELLFLAGS := -eu -o pipefail -c`"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        for name in project.makefiles:
            shell = _assignment(project, name, _SHELL)
            masking = masking_recipe(project, name)
            if shell is None or "bash" not in shell[1] or masking is None:
                continue
            flags = _assignment(project, name, _FLAGS)
            value = flags[1] if flags else "-c"
            missing = [
                what
                for what, present in (
                    ("-e", bool(re.search(r"(?:^|\s)-\w*e", value)) or "errexit" in value),
                    ("pipefail", "pipefail" in value),
                )
                if not present
            ]
            if missing:
                line = flags[0] if flags else shell[0]
                lacking = " and ".join(missing)
                message = (
                    f".SHELLFLAGS is {value!r}: without {lacking}, `{masking}` can hide a failure"
                )
                yield Hit(name, line, message)


class MakeIgnorePrefix(MakefileRule):
    """A ``-`` recipe prefix: make ignores that command's failure."""

    id = "QK-INT-003"
    family = "integrity"
    title = "Makefile recipe with a `-` prefix"
    fix = "remove the `-`; if the failure is expected, test for it explicitly"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        for name in project.makefiles:
            for line in make_recipes(project, name):
                if "-" in line.prefix:
                    yield Hit(name, line.line, f"`-{line.text}` ignores the command's exit code")


class MakeIgnoreTarget(MakefileRule):
    """The ``.IGNORE`` special target: make ignores every failure of the named targets."""

    id = "QK-INT-004"
    family = "integrity"
    title = "Makefile with .IGNORE"
    fix = "remove .IGNORE; a failing recipe must fail the target"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        for name in project.makefiles:
            for number, line in enumerate(project.lines(name), start=1):
                if _IGNORE.match(line):
                    yield Hit(name, number, ".IGNORE makes make ignore failing recipes")


class MakeIgnoreErrors(CommandLineRule):
    """``make -i``/``--ignore-errors`` (in MAKEFLAGS or a sub-make): every failure ignored."""

    id = "QK-INT-005"
    family = "integrity"
    title = "make run with -i / --ignore-errors"
    fix = "drop -i/--ignore-errors"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        for name in project.makefiles:
            for number, text in enumerate(project.lines(name), start=1):
                if _MAKEFLAGS_IGNORE.match(text.split("#", 1)[0]):
                    yield Hit(name, number, "MAKEFLAGS has -i/--ignore-errors")
        for command in all_shell_lines(project):
            if _MAKE_IGNORE.search(command.text):
                message = f"`{command.text}` ignores every recipe's failure"
                yield Hit(command.file, command.line, message)


RULES: tuple[Rule, ...] = (
    MakeShell(),
    MakePipefail(),
    MakeIgnorePrefix(),
    MakeIgnoreTarget(),
    MakeIgnoreErrors(),
)
