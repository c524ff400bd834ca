"""Merge conflict markers left in a text file (family ``conflicts``, id ``QK-TXT-001``).

Only the full set, in order, is a conflict: a ``<<<<<<<`` line, optionally a ``|||||||`` line
(diff3 and zdiff3 styles), a line that is exactly ``=======``, then a ``>>>>>>>`` line. A lone
``=======`` (a reStructuredText or Markdown underline) or a ``>>>>>>>`` quote is not one.
Markers are git's default seven characters (``conflict-marker-size`` is not read).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from typing_extensions import override

from qualitykit.policy.rule import Hit, Rule

if TYPE_CHECKING:
    from collections.abc import Iterator

    from qualitykit.policy.project import PolicyProject
    from qualitykit.policy.rule import RuleOptions

_SIZE = 7
# Built from single characters so that this file holds no marker itself.
_OURS, _BASE, _SEPARATOR, _THEIRS = ("<" * _SIZE, "|" * _SIZE, "=" * _SIZE, ">" * _SIZE)


def _is_marker(line: str, marker: str) -> bool:
    """``marker`` alone, or followed by a space and a label (``<<<<<<< HEAD``)."""
    return line.startswith(marker) and (len(line) == _SIZE or line[_SIZE] in " \t")


def conflicts(lines: list[str]) -> Iterator[tuple[int, int]]:
    """The first and last line numbers of every complete conflict in ``lines``."""
    start: int | None = None
    separated = False
    for number, line in enumerate(lines, start=1):
        if _is_marker(line, _OURS):
            start, separated = number, False  # a new start: an unfinished one was no conflict
        elif start is None:
            continue
        elif line.rstrip() == _SEPARATOR:
            separated = True
        elif _is_marker(line, _BASE) and separated:
            start = None  # base after the separator: not git's order
        elif _is_marker(line, _THEIRS):
            if separated:
                yield start, number
            start = None


class ConflictMarkers(Rule):
    """A ``<<<<<<<`` … ``=======`` … ``>>>>>>>`` block in a project text file."""

    id = "QK-TXT-001"
    family = "conflicts"
    title = "merge conflict markers"
    fix = "resolve the conflict: keep the right text, delete the marker lines"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        for name in project.checked:
            text = project.text(name)  # None for a binary, too large or non-UTF-8 file
            if text is None or _OURS not in text:
                continue
            for first, last in conflicts(text.splitlines()):
                message = f"an unresolved merge conflict (lines {first}-{last})"
                yield Hit(name, first, message)


RULES: tuple[Rule, ...] = (ConflictMarkers(),)
