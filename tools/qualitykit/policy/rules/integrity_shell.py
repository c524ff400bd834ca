"""Gate integrity in command lines: swallowed exit codes, disabled checks, weak shell modes.

The command lines come from every place a gate runs commands (``shell.all_shell_lines``):
Makefile recipes, shell scripts the gate or CI runs, workflow ``run:`` blocks, pre-commit
hook entries.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from typing_extensions import override

from qualitykit.policy.commands import (
    BENIGN,
    blank_quotes,
    command_word,
    first_command,
    is_check,
    last_command,
)
from qualitykit.policy.rule import Hit, Rule
from qualitykit.policy.shell import (
    CommandLineRule,
    ShellLine,
    all_shell_lines,
    script_lines,
    workflow_runs,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from qualitykit.policy.project import PolicyProject
    from qualitykit.policy.rule import RuleOptions

_SWALLOW = r"(?:true|:|(?:exit|return)\s+0)(?=\s*(?:$|[;&|)}]))"
_FAILING = re.compile(r"\b(?:exit|return)\s+(?:[1-9]|\$)|\bfalse\b|::error|\bexit\s*\)?\s*$")


class ShellPattern(CommandLineRule):
    """A regular expression over every gate command line."""

    family = "integrity"

    # Matches inside quoted strings count: `bash -c "ruff --exit-zero"` runs the flag.
    in_quotes = True

    def __init__(self, rule_id: str, title: str, pattern: str, message: str, fix: str) -> None:
        """A rule reporting each command line ``pattern`` matches, with ``message``."""
        self.id = rule_id
        self.title = title
        self.pattern = re.compile(pattern)
        self.message = message
        self.fix = fix

    def exempt(self, line: ShellLine, match: re.Match[str]) -> bool:
        """Whether this match is not a finding: housekeeping (``rm -f x || true``) is not."""
        return command_word(last_command(line.text[: match.start()])) in BENIGN

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        for line in all_shell_lines(project):
            match = self.pattern.search(line.text if self.in_quotes else blank_quotes(line.text))
            if match is not None and not self.exempt(line, match):
                yield Hit(
                    line.file,
                    line.line,
                    self.message.format(match=match.group(0).strip(), text=line.text),
                )


class FlagPattern(ShellPattern):
    """A pattern of flags, never inside a quoted string (a commit message saying "-n")."""

    in_quotes = False


class SetPlusE(ShellPattern):
    """``set +e`` is fine when the script captures the status right after (``rc=$?``)."""

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        lines = all_shell_lines(project)
        for index, line in enumerate(lines):
            match = self.pattern.search(line.text)
            if match is None:
                continue
            following = [other for other in lines[index + 1 : index + 6] if other.file == line.file]
            if not any("$?" in other.text for other in following):
                message = self.message.format(match=match.group(0), text=line.text)
                yield Hit(line.file, line.line, message)


class CheckFallback(ShellPattern):
    """A check tool followed by ``||`` and a command that does not fail."""

    @override
    def exempt(self, line: ShellLine, match: re.Match[str]) -> bool:
        if not is_check(last_command(line.text[: match.start()])):
            return True
        right = match.group("rhs").strip()
        # `|| true`, `|| exit 0` and `|| { …; exit 0; }` have rules of their own (010, 011, 021).
        swallowed = re.match(_SWALLOW, right) or _EXIT0.search(right)
        return bool(swallowed or _FAILING.search(right))


_IF = re.compile(r"^\s*(?:el)?if\s+(?P<negated>!\s*)?(?P<condition>.*?)(?:;?\s*\bthen\b.*)?$")
_STATUS_FAILED = re.compile(r"\$\?\D*(?:-ne|!=|-gt)\s*\"?0")
_BRACE_FALLBACK = re.compile(r"^(?P<left>.*?)\|\|\s*\{(?P<body>[^}]*)\}?\s*$")
_EXIT0 = re.compile(r"(?:^|[;&{]\s*)exit\s+0\b")


def _branch_states(text: str) -> tuple[str, str]:
    """For an ``if``/``elif`` line: the state of its ``then`` branch and of its ``else``."""
    match = _IF.match(text)
    if match is None:
        return "other", "other"
    condition = match["condition"]
    if _STATUS_FAILED.search(condition) or (
        match["negated"] and is_check(first_command(condition))
    ):
        return "fail", "other"
    if is_check(first_command(condition)):
        return "other", "fail"
    return "other", "other"


def _track_if(text: str, stack: list[tuple[str, str]]) -> bool:
    """Follow ``if``/``elif``/``else``/``fi`` lines on ``stack``; False for any other line."""
    if text.startswith("if "):
        stack.append(_branch_states(text))
    elif text.startswith("elif ") and stack:
        stack[-1] = (_branch_states(text)[0], stack[-1][1])
    elif re.match(r"^else\b", text) and stack:
        stack[-1] = (stack[-1][1], "other")
    elif re.match(r"^(?:fi|\})(?:\s|;|$)", text) and stack:
        stack.pop()
    else:
        return False
    return True


def _failing_exit_zero(lines: list[ShellLine]) -> Iterator[ShellLine]:
    # Per open if/brace block: (state of the current branch, state of the else branch), where
    # "fail" marks the branch that runs after a check failed.
    stack: list[tuple[str, str]] = []
    for line in lines:
        text = line.text.strip()
        brace = _BRACE_FALLBACK.match(text)
        if text.startswith("if ") and re.search(r"\bfi\s*$", text):
            if _branch_states(text)[0] == "fail" and _EXIT0.search(text.split("then", 1)[-1]):
                yield line
        elif brace is not None:
            failing = is_check(last_command(brace["left"]))
            if failing and _EXIT0.search(brace["body"]):
                yield line
            elif not text.endswith("}"):
                stack.append(("fail" if failing else "other", "other"))
        elif _track_if(text, stack):
            continue
        elif _EXIT0.search(text) and any(state == "fail" for state, _ in stack):
            yield line


class ExitZeroOnFailure(CommandLineRule):
    """``exit 0`` in the branch that runs when a check failed: the failure reads as success."""

    id = "QK-INT-021"
    family = "integrity"
    title = "`exit 0` in a failure branch"
    fix = "exit non-zero (`exit 1`) when the check failed"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        blocks = [script_lines(project, name) for name in project.gate_scripts]
        for name in project.workflows:
            blocks.extend(list(block.lines) for block in workflow_runs(project, name))
        for block in blocks:
            for line in _failing_exit_zero(block):
                yield Hit(line.file, line.line, f"`{line.text}` exits 0 after a failure")


_ERREXIT = re.compile(r"^\s*set\s+(?:-[a-zA-Z]*e[a-zA-Z]*\b|.*-o\s+errexit)")
_PIPEFAIL = re.compile(r"^\s*set\s+.*-[a-zA-Z]*o\s+pipefail|^\s*set\s+-o\s+pipefail")
_PIPE = re.compile(r"(?<![|>&])\|(?![|&])")


def _shebang(project: PolicyProject, name: str) -> str:
    first = project.lines(name)[:1]
    return first[0] if first and first[0].startswith("#!") else ""


_HANDLED = re.compile(r"^\s*(?:if|elif|while|until|!)\s|\|\||&&")


def unchecked_check(lines: list[ShellLine]) -> ShellLine | None:
    """The first check-tool command whose exit code nothing looks at (not the last command)."""
    for line in lines[:-1]:
        if is_check(first_command(line.text)) and not _HANDLED.search(line.text):
            return line
    return None


class ScriptErrexit(CommandLineRule):
    """A gate script without ``set -e`` running a check whose failure the next command hides."""

    id = "QK-INT-023"
    family = "integrity"
    title = "gate shell script without set -e"
    fix = "start the script with `set -euo pipefail`"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        for name in project.gate_scripts:
            shebang = _shebang(project, name)
            if re.search(r"\s-\w*e", shebang) or any(
                _ERREXIT.match(line) for line in project.lines(name)
            ):
                continue
            check = unchecked_check(script_lines(project, name))
            if check is None:
                continue
            # Where `set -euo pipefail` belongs: right below the shebang.
            line = 2 if shebang else 1
            message = (
                f"no `set -e`: when `{check.text}` (line {check.line}) fails, the script goes on"
            )
            yield Hit(name, line, message)


class ScriptPipefail(CommandLineRule):
    """A bash gate script with pipes, no ``pipefail``: ``pytest | tee`` passes if pytest fails."""

    id = "QK-INT-024"
    family = "integrity"
    title = "bash gate script with pipes but no pipefail"
    fix = "add `set -o pipefail` (or `set -euo pipefail`)"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        for name in project.gate_scripts:
            shebang = _shebang(project, name)
            if shebang and "bash" not in shebang:
                continue  # POSIX sh has no pipefail
            if "pipefail" in shebang or any(_PIPEFAIL.match(line) for line in project.lines(name)):
                continue
            piped = [line for line in script_lines(project, name) if _PIPE.search(line.text)]
            if piped:
                yield Hit(name, piped[0].line, f"`{piped[0].text}` pipes without pipefail")


RULES: tuple[Rule, ...] = (
    ShellPattern(
        "QK-INT-010",
        "`|| true` / `|| :` after a command",
        r"\|\|\s*(?:true|:)(?=\s*(?:$|[;&|)}]))",
        "`{match}` swallows the exit code: `{text}`",
        "remove `|| true`; if a failure is expected, test for that exact case",
    ),
    ShellPattern(
        "QK-INT-011",
        "`|| exit 0` / `|| return 0`",
        r"\|\|\s*(?:exit|return)\s+0\b",
        "`{match}` turns a failure into success: `{text}`",
        "remove it, or exit non-zero",
    ),
    SetPlusE(
        "QK-INT-013",
        "`set +e` without checking the status",
        r"\bset\s+\+[a-zA-Z]*e|\bset\s+\+o\s+errexit\b",
        "`{match}` turns errexit off and no `$?` check follows: `{text}`",
        "keep `set -e`; to inspect a status use `if ! cmd; then …; fi` or `rc=$?` right after",
    ),
    ShellPattern(
        "QK-INT-014",
        "`set +o pipefail`",
        r"\bset\s+\+o\s+pipefail\b",
        "`{match}` lets a failing pipe stage pass: `{text}`",
        "keep pipefail on",
    ),
    ShellPattern(
        "QK-INT-015",
        "`--exit-zero`",
        r"--exit-zero(?![\w-])",
        "`--exit-zero` makes the check pass whatever it finds: `{text}`",
        "remove --exit-zero",
    ),
    FlagPattern(
        "QK-INT-016",
        "git hooks bypassed (`--no-verify`, `git commit -n`)",
        r"--no-verify\b|\bgit\s+commit\b[^|;&]*\s-n\b",
        "`{match}` skips the git hooks: `{text}`",
        "let the hooks run",
    ),
    ShellPattern(
        "QK-INT-017",
        "pre-commit hooks skipped with SKIP=",
        r"\bSKIP=\S+[^|;&]*\bpre-commit\b",
        "`{match}` skips pre-commit hooks: `{text}`",
        "run every hook (remove SKIP=)",
    ),
    CheckFallback(
        "QK-INT-018",
        "a check tool with a non-failing `||` fallback",
        r"\|\|(?!\|)(?P<rhs>.*)$",
        "a failing check falls back to `{match}`, which succeeds: `{text}`",
        "let the check's failure fail the step (or exit non-zero in the fallback)",
    ),
    ShellPattern(
        "QK-INT-019",
        "a zero threshold on the command line",
        r"--(?:cov-)?fail-under(?:=|\s+)0(?:\.0*)?(?![\d.])",
        "`{match}` makes the threshold unreachable to miss: `{text}`",
        "use the project's configured threshold",
    ),
    ShellPattern(
        "QK-INT-020",
        "flags that ignore errors",
        r"--(?:continue-on-collection-errors|suppress-no-test-exit-code|ignore-failures)\b"
        r"|(?<!make)(?<!\$\(MAKE\))\s--ignore-errors\b",
        "`{match}` ignores errors: `{text}`",
        "remove the flag; fix or explicitly deselect what fails",
    ),
    ExitZeroOnFailure(),
    ScriptErrexit(),
    ScriptPipefail(),
)
