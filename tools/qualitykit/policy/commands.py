"""What a shell command line runs: its simple commands and their command words.

Rules ask "is this a check tool?" of the command word, not of any word on the line, so
``pip install ruff || pip install --user ruff`` is not a check with a fallback while
``uv run pytest || echo failed`` and ``$(RUN) mypy src || true`` are.
"""

from __future__ import annotations

import re

CHECK_TOOLS = frozenset(
    {
        "pytest",
        "py.test",
        "ruff",
        "mypy",
        "pyright",
        "basedpyright",
        "flake8",
        "pylint",
        "black",
        "isort",
        "tox",
        "nox",
        "coverage",
        "qualitykit",
        "pre-commit",
        "pre_commit",
        "bandit",
        "vulture",
        "mutmut",
        "cosmic-ray",
        "unittest",
        "make",
        "$MAKE",
        "actionlint",
        "zizmor",
        "shellcheck",
        "diff-cover",
        "interrogate",
        "pydocstyle",
        "codespell",
    }
)
# Housekeeping whose failure a gate may ignore: removing what is not there, killing what has
# ended, searching for what may be absent.
BENIGN = frozenset({"rm", "rmdir", "mkdir", "kill", "pkill", "killall", "unlink", "ln", "grep"})
_QUOTED = re.compile(r"'[^']*'|\"(?:[^\"\\]|\\.)*\"")
_SEPARATOR = re.compile(r"\|\||&&|[;|&(){}]|\bthen\b|\bdo\b|\belse\b|^\s*(?:if|while|until|!)\s")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=\S*$")
# Runners whose next word is the command: `uv run pytest`, `python -m pytest`, `$(RUN) pytest`.
_RUNNERS = frozenset(
    {"uv", "poetry", "pipenv", "pdm", "hatch", "rye", "npx", "exec", "time", "env"}
)
_RUNNER_WORDS = frozenset({"run", "exec", "--frozen", "--locked", "--no-sync", "-m"})


def blank_quotes(text: str) -> str:
    """``text`` with quoted strings emptied (their separators are not the shell's)."""
    return _QUOTED.sub("''", text)


_VARIABLE = re.compile(r"\$[({](\w+)[)}]")


def simple_commands(text: str) -> list[str]:
    """The simple commands of a command line, in order (quotes emptied, ``$(VAR)`` → ``$VAR``)."""
    parts = _SEPARATOR.split(_VARIABLE.sub(r"$\1", blank_quotes(text)))
    return [part.strip() for part in parts if part and part.strip()]


def command_word(command: str) -> str:
    """The program a simple command runs, past env assignments, runners and ``python -m``."""
    words = command.split()
    while words:
        word = words[0]
        base = word.rsplit("/", 1)[-1]
        if _ASSIGNMENT.match(word) or word in {"sudo", "command", "builtin", "!"}:
            words = words[1:]
        elif base in _RUNNERS or re.fullmatch(r"python[\d.]*|\$(?:RUN|PYTHON|UV)", base):
            words = words[1:]
            while words and (words[0] in _RUNNER_WORDS or words[0].startswith("--")):
                words = words[1:]
        else:
            return base
    return ""


def is_check(command: str) -> bool:
    """Whether the simple command runs a check tool."""
    return command_word(command) in CHECK_TOOLS


def last_command(text: str) -> str:
    """The simple command at the end of ``text`` (what a following ``||`` applies to)."""
    commands = simple_commands(text)
    return commands[-1] if commands else ""


def first_command(text: str) -> str:
    """The first simple command of ``text``."""
    commands = simple_commands(text)
    return commands[0] if commands else ""
