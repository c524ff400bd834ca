"""Which pytest arguments the regression step may have besides the coverage step's."""

from __future__ import annotations

import pytest

from qualitykit.steps.regression import behaviour


@pytest.mark.parametrize(
    ("args", "kept"),
    [
        # This repository's coverage arguments: test choice and pytest-xdist only.
        (["-m", "not slow", "-p", "xdist", "-n", "2"], []),
        (["-mslow", "-kfoo", "-n=2", "--numprocesses", "3", "--dist", "loadfile"], []),
        (["--deselect", "tests/a.py::t", "--deselect=tests/b.py::t", "-pxdist"], []),
        # Anything else may change what a test does: it stays, and must match.
        (
            ["-x", "-p", "no:randomly", "--runslow", "-o", "x=1"],
            ["-x", "-p", "no:randomly", "--runslow", "-o", "x=1"],
        ),
        (["--maxfail=2", "-q"], ["--maxfail=2", "-q"]),
    ],
)
def test_only_the_choice_of_tests_and_their_spreading_is_left_out(
    args: list[str], kept: list[str]
) -> None:
    assert behaviour(args) == kept


def test_the_choice_of_tests_is_kept_when_asked() -> None:
    """Whether the store proves what pytest collects: the same choice of tests is needed."""
    args = ["-m", "not slow", "-p", "xdist", "-n", "2", "-kfoo"]
    assert behaviour(args, choice=False) == ["-m", "not slow", "-kfoo"]
