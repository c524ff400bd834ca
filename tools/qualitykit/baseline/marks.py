"""The fingerprints a baseline matches findings on (``qualitykit.fingerprints``' recipe).

Rule (step name + the tool's code) + file + the normalised code line + which occurrence of
that same (rule, file, line text) it is, counted in line order; never the line number, so
lines inserted or removed elsewhere in the file change no fingerprint. The code line is read
from the file as it is now, at the finding's line.

A finding that names no file or no line, or whose line cannot be read, is fingerprinted on
(rule, file or "", its message with every run of digits replaced): counts and sizes in a
message ("3 errors", "line 12") must not make a known finding new.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from qualitykit.baseline.model import BaselineEntry
from qualitykit.fingerprints import fingerprint, normalise_code_line

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

    from qualitykit.results import Finding
    from qualitykit.steps.base import Step

# The line breaks Python's tokenizer (and so every Python tool's line numbers) counts; not
# str.splitlines, which also breaks at form feeds and other separators.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_DIGITS = re.compile(r"[0-9]+")


class SourceLines:
    """The lines of the project's files as they are now, each file read once."""

    def __init__(self, root: Path) -> None:
        """Lines of files below ``root``."""
        self._root = root
        self._files: dict[str, list[str] | None] = {}

    def line(self, file: str, number: int) -> str | None:
        """Line ``number`` (1-based) of ``file``; None when the file or the line is not there."""
        if file not in self._files:
            try:
                data = (self._root / file).read_bytes()
            # qualitykit: allow[QK-EXC-002] an unreadable file: the message fingerprint is used
            except OSError:
                self._files[file] = None
            else:
                # Bytes-safe: a file that is not UTF-8 still has lines to compare.
                self._files[file] = _LINE_BREAK.split(data.decode("utf-8", errors="replace"))
        lines = self._files[file]
        if lines is None or not 0 < number <= len(lines):
            return None
        return lines[number - 1]


def rule_of(step: str, finding: Finding) -> str:
    """The baseline's rule of a finding: ``step:code`` (the step alone without a code)."""
    return f"{step}:{finding.code}" if finding.code else step


def message_key(message: str) -> str:
    """A message as compared when there is no code line: digits and spacing left out."""
    return normalise_code_line(_DIGITS.sub("#", message))


def entries_for(
    step: str, findings: Sequence[Finding], lines: SourceLines, *, by_line: bool = True
) -> list[BaselineEntry]:
    """One baseline entry per finding of ``step``, in the order of ``findings``.

    ``by_line`` False: every finding is fingerprinted on its message, as one without a line.
    """
    keyed: list[tuple[str, str, str, str]] = []  # rule, file, code line, compared text
    for finding in findings:
        file = finding.file or ""
        text = lines.line(file, finding.line) if by_line and file and finding.line else None
        code = normalise_code_line(text) if text is not None else ""
        compared = code if text is not None else "message:" + message_key(finding.message)
        keyed.append((rule_of(step, finding), file, code, compared))
    # Occurrences are counted in line order, whatever order the tool reported in.
    order = sorted(
        range(len(findings)),
        key=lambda index: (keyed[index][1], findings[index].line or 0, findings[index].col or 0),
    )
    occurrences: dict[tuple[str, str, str], int] = {}
    marks: dict[int, str] = {}
    for index in order:
        rule, file, _, compared = keyed[index]
        seen = occurrences.get((rule, file, compared), 0)
        occurrences[rule, file, compared] = seen + 1
        # The policy fingerprints its findings with the same recipe; its own mark is kept.
        marks[index] = findings[index].fingerprint or fingerprint(rule, file, compared, seen)
    return [
        BaselineEntry(
            fingerprint=marks[index],
            rule=rule,
            file=file,
            code=code,
            message=findings[index].message,
        )
        for index, (rule, file, code, _) in enumerate(keyed)
    ]


class Marker:
    """Fingerprints the findings of one run's steps, each file's lines read once."""

    def __init__(self, root: Path, steps: Iterable[Step]) -> None:
        """For the project at ``root``; ``steps`` say how their findings are fingerprinted."""
        self._lines = SourceLines(root)
        self._by_file = {step.name for step in steps if not step.baseline_by_line}

    def entries(self, step: str, findings: Sequence[Finding]) -> list[BaselineEntry]:
        """One baseline entry per finding of ``step`` (see :func:`entries_for`)."""
        return entries_for(step, findings, self._lines, by_line=step not in self._by_file)
