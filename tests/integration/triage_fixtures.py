"""A red suite for ``qualitykit triage``: 7 failures from 3 root causes, 2 passing tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.conftest import Repo

# Three bugs: each message varies by run-specific values (numbers, quoted values, tmp paths).
BUGGY = '''\
"""Three bugs, each hit by several tests."""

from pathlib import Path


def parse(text: str) -> int:
    """The number in ``text``: refuses everything (bug 1)."""
    raise ValueError(f"cannot parse {text!r} at position {len(text)}")


class Box:
    """A container whose size forgets it has no ``__len__`` (bug 2)."""

    def size(self) -> int:
        return len(self)  # type: ignore[arg-type]


def load(folder: Path, number: int) -> str:
    """A file that is never there (bug 3)."""
    return (folder / f"data-{number}.txt").read_text()
'''

RED_TESTS = """\
from pkg.buggy import Box, load, parse


def test_parse_one():
    assert parse("12") == 12


def test_parse_two():
    assert parse("345") == 345


def test_parse_three():
    assert parse("x") == 0


def test_box_size():
    assert Box().size() == 0


def test_box_size_again():
    assert Box().size() == 1


def test_load_first(tmp_path):
    assert load(tmp_path, 1)


def test_load_second(tmp_path):
    assert load(tmp_path, 22)


def test_fine():
    assert True


def test_fine_too():
    assert 1 + 1 == 2
"""


def make_red(repo: Repo) -> None:
    """Turn the ``repo`` fixture's project into the red suite (tests under ``tests/``)."""
    repo.write("src/pkg/buggy.py", BUGGY)
    repo.write("tests/test_red.py", RED_TESTS)
    repo.write("tests/regression/test_core.py", "def test_core():\n    assert True\n")
