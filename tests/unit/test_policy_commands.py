"""The command-word analysis the shell rules share: what a command line really runs."""

from __future__ import annotations

import pytest

from qualitykit.policy.commands import command_word, is_check, last_command, simple_commands


@pytest.mark.parametrize(
    ("command", "word"),
    [
        ("pytest -q", "pytest"),
        ("CI=1 FOO=bar pytest", "pytest"),
        ("uv run --frozen ruff check .", "ruff"),
        ("python3.11 -m mypy src", "mypy"),
        ("$RUN pyright", "pyright"),
        (".venv/bin/pytest", "pytest"),
        ("sudo rm -rf build", "rm"),
        ("command -v ruff", "-v"),
        ("poetry run pre-commit run --all-files", "pre-commit"),
        ("", ""),
    ],
)
def test_command_word(command: str, word: str) -> None:
    assert command_word(command) == word


def test_simple_commands_split_on_operators_outside_quotes() -> None:
    text = "cd src && $(MAKE) lint | tee 'a | b; c' || { echo x; exit 1; }"

    assert simple_commands(text) == ["cd src", "$MAKE lint", "tee ''", "echo x", "exit 1"]


@pytest.mark.parametrize(
    ("text", "check"),
    [
        ("cd src && pytest", True),
        ("$(MAKE) test", True),
        ("pip install ruff", False),
        ("echo 'pytest'", False),
        ("if ! tox -e py", True),
    ],
)
def test_last_command_is_check(text: str, *, check: bool) -> None:
    assert is_check(last_command(text)) is check
