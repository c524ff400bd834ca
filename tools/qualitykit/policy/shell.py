"""The shell command lines a gate runs, from every place they are written.

Makefile recipes, shell scripts the gate or CI runs, workflow ``run:`` blocks, pre-commit
hook entries and the gate's configured commands and step arguments (pyproject.toml) become
:class:`ShellLine` objects (comment stripped, continuations joined, make's ``$$`` unescaped),
so one pattern rule checks them all and reports the line it is written on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from typing_extensions import override

from qualitykit.config_table import PYPROJECT
from qualitykit.policy import yamlnodes as y
from qualitykit.policy.project import as_strings, dig
from qualitykit.policy.rule import Rule
from qualitykit.policy.tomllines import toml_line

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    import yaml

    from qualitykit.policy.project import PolicyProject

# A GitHub expression is not shell: its `||` is the expression's (`${{ a || 'b' }}`).
_EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
_RULE_LINE = re.compile(r"^[^\s#=:][^=]*?:(?![=:]?=)")
_RECIPE_PREFIX = re.compile(r"^[@+\-\s]*")


@dataclass(frozen=True)
class ShellLine:
    """One logical command line: where it is written and its text."""

    file: str
    line: int
    text: str
    prefix: str = ""  # a Makefile recipe's @, -, + prefix characters


@dataclass(frozen=True)
class RunBlock:
    """A workflow ``run:`` script, its lines and the shell it runs in (None: the default)."""

    file: str
    lines: tuple[ShellLine, ...]
    shell: str | None
    node: yaml.Node


def strip_comment(line: str) -> str:
    """``line`` without its shell comment (a ``#`` outside quotes, at a word start)."""
    quote = ""
    previous = " "
    for index, char in enumerate(line):
        if quote:
            if char == quote and previous != "\\":
                quote = ""
        elif char in {"'", '"'} and previous != "\\":
            quote = char
        elif char == "#" and previous in {" ", "\t", ";"}:
            return line[:index].rstrip()
        previous = char
    return line.rstrip()


def join_continuations(numbered: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """Logical lines: a line ending in a backslash continues on the next one."""
    start, parts = 0, list[str]()
    for number, raw in numbered:
        text = strip_comment(raw)
        if not parts:
            start = number
        if text.endswith("\\"):
            parts.append(text[:-1].strip())
            continue
        parts.append(text.strip())
        yield start, " ".join(part for part in parts if part)
        parts = []
    if parts:
        yield start, " ".join(part for part in parts if part)


def script_lines(project: PolicyProject, name: str) -> list[ShellLine]:
    """The command lines of a shell script."""
    numbered = enumerate(project.lines(name), start=1)
    return [ShellLine(name, number, text) for number, text in join_continuations(numbered) if text]


def make_recipes(project: PolicyProject, name: str) -> list[ShellLine]:
    """The recipe lines of a Makefile (``$$`` unescaped, prefixes kept apart)."""
    recipe: list[tuple[int, str]] = []
    in_rule = continued = False
    for number, raw in enumerate(project.lines(name), start=1):
        if continued or (in_rule and raw.startswith("\t")):
            recipe.append((number, raw.removeprefix("\t") if not continued else raw))
            continued = raw.rstrip().endswith("\\")
            continue
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        in_rule = bool(_RULE_LINE.match(raw)) and not raw.startswith(("export ", "override "))
    found: list[ShellLine] = []
    for number, text in join_continuations(recipe):
        prefix = _RECIPE_PREFIX.match(text)
        flags = prefix.group(0).replace(" ", "").replace("\t", "") if prefix else ""
        body = text[prefix.end() if prefix else 0 :].replace("$$", "$")
        if body:
            found.append(ShellLine(name, number, body, flags))
    return found


def _effective_shell(*candidates: yaml.Node | None) -> str | None:
    for node in candidates:
        if (shell := y.scalar(node)) is not None:
            return shell
    return None


def workflow_runs(project: PolicyProject, name: str) -> list[RunBlock]:
    """The ``run:`` scripts of a workflow, each with its effective shell."""
    root = project.yaml_node(name)
    source = project.lines(name)
    workflow_shell = y.get(y.get(y.get(root, "defaults"), "run"), "shell")
    blocks: list[RunBlock] = []
    for _, _, job in y.items(y.get(root, "jobs")):
        job_shell = y.get(y.get(y.get(job, "defaults"), "run"), "shell")
        for step in y.elements(y.get(job, "steps")):
            run = y.get(step, "run")
            if not y.is_scalar(run):
                continue
            lines = tuple(
                ShellLine(name, number, text)
                for number, text in join_continuations(
                    (number, _EXPRESSION.sub("GH_EXPRESSION", raw))
                    for number, raw in y.scalar_lines(run, source)
                )
                if text
            )
            shell = _effective_shell(y.get(step, "shell"), job_shell, workflow_shell)
            blocks.append(RunBlock(name, lines, shell, step))
    return blocks


def hook_entries(project: PolicyProject) -> list[ShellLine]:
    """Each pre-commit hook's entry and arguments as one command line."""
    name = project.pre_commit
    if name is None:
        return []
    found: list[ShellLine] = []
    for repo in y.elements(y.get(project.yaml_node(name), "repos")):
        for hook in y.elements(y.get(repo, "hooks")):
            entry = y.get(hook, "entry")
            where = entry if entry is not None else y.get(hook, "id")
            words = [*y.strings(entry), *y.strings(y.get(hook, "args"))]
            if where is not None and words:
                found.append(ShellLine(name, y.line_of(where), " ".join(words)))
    return found


def configured_commands(project: PolicyProject) -> list[ShellLine]:
    """The gate's configured command steps and built-in steps' extra arguments, as lines."""
    lines = project.lines(PYPROJECT)
    found: list[ShellLine] = []
    qualitykit = project.table("tool", "qualitykit")
    # Joined with spaces, not re-quoted: a `bash -c "…"` script is read as the shell reads it.
    for name in dig(qualitykit, "commands"):
        words = as_strings(dig(qualitykit, "commands", name).get("command"))
        if words:
            where = toml_line(lines, f"tool.qualitykit.commands.{name}", "command")
            found.append(ShellLine(PYPROJECT, where, " ".join(words)))
    for name in dig(qualitykit, "steps"):
        args = as_strings(dig(qualitykit, "steps", name).get("args"))
        if args:
            where = toml_line(lines, f"tool.qualitykit.steps.{name}", "args")
            found.append(ShellLine(PYPROJECT, where, f"qualitykit check {name} {' '.join(args)}"))
    return found


def runs_commands(project: PolicyProject, name: str) -> bool:
    """Whether ``name`` is a file :func:`all_shell_lines` reads command lines from."""
    return (
        name in project.makefiles
        or name in project.workflows
        or name in {project.pre_commit, PYPROJECT}
        or project.is_shell_script(name)
    )


class CommandLineRule(Rule):
    """A rule over the command lines the gate or CI runs (reports only on files holding them)."""

    @override
    def reports_on(self, project: PolicyProject, name: str) -> bool:
        return runs_commands(project, name)


def all_shell_lines(project: PolicyProject) -> list[ShellLine]:
    """Every command line the gate or CI runs (cached per project)."""

    def compute() -> list[ShellLine]:
        lines: list[ShellLine] = []
        for name in project.makefiles:
            lines.extend(make_recipes(project, name))
        for name in project.gate_scripts:
            lines.extend(script_lines(project, name))
        for name in project.workflows:
            for block in workflow_runs(project, name):
                lines.extend(block.lines)
        lines.extend(hook_entries(project))
        lines.extend(configured_commands(project))
        return lines

    return project.memo("shell-lines", compute)
