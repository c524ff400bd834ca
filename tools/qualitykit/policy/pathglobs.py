"""Gitignore-style path patterns of rule options: does one match, which one is most specific."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pathspec

_WILDCARDS = frozenset("*?[]!")


@cache
def spec(patterns: tuple[str, ...]) -> pathspec.GitIgnoreSpec:
    """The gitignore-style ``patterns`` compiled (pathspec is imported on first use)."""
    # qualitykit: allow[QK-INT-070] imported on use: most commit-stage checks never match paths
    import pathspec  # noqa: PLC0415

    return pathspec.GitIgnoreSpec.from_lines(patterns)


def matches(pattern: str, file: str) -> bool:
    """Whether the gitignore-style ``pattern`` matches the project file ``file``."""
    return spec((pattern,)).match_file(file)


def specificity(pattern: str) -> int:
    """Its literal characters: ``tests/integration/**`` is more specific than ``tests/**``."""
    return sum(char not in _WILDCARDS for char in pattern)


def most_specific(patterns: list[str], file: str) -> str | None:
    """The matching pattern with the most literal characters (the later one on a tie)."""
    found = [(specificity(p), index, p) for index, p in enumerate(patterns) if matches(p, file)]
    return max(found)[2] if found else None
