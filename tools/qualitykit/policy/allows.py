"""Inline allows: ``# qualitykit: allow[QK-INT-010] why this use is legitimate``.

An allow covers its own line and, written alone on a comment line, the line below it. It
names rule ids (comma-separated) and must give a reason; a reasonless allow covers nothing and
is itself a finding. Python files are read with ``tokenize``, so only real comments count (a
test's string literal that contains an allow is not one); YAML, TOML, Makefiles and shell
scripts use ``#`` comments.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from qualitykit.policy.project import PolicyProject

MARKER = "qualitykit:"
_ALLOW = re.compile(r"qualitykit:\s*allow\[(?P<rules>[^\]]*)\](?P<reason>.*)")
_HASH_ALLOW = re.compile(r"#.*?(?P<allow>qualitykit:\s*allow\[.*)")
_REASON_TRIM = " \t-:\u2014\u2013,;"  # dashes too: "allow[X] — why"
# Prose files: a `#` there is a heading or an example, never a comment.
_PROSE = (".md", ".rst", ".txt", ".adoc", ".html")


@dataclass(frozen=True)
class Allow:
    """One inline allow: where it is written, the rules it names, its reason."""

    file: str
    line: int
    rules: tuple[str, ...]
    reason: str
    alone: bool

    @property
    def covers(self) -> tuple[int, ...]:
        """The lines it applies to (none without a reason)."""
        if not self.reason:
            return ()
        return (self.line, self.line + 1) if self.alone else (self.line,)


def _parse(file: str, line: int, comment: str, *, alone: bool) -> Allow | None:
    match = _ALLOW.search(comment)
    if match is None:
        return None
    rules = tuple(part.strip() for part in match["rules"].split(",") if part.strip())
    reason = match["reason"].strip(_REASON_TRIM)
    has_word = any(char.isalnum() for char in reason)
    return Allow(file=file, line=line, rules=rules, reason=reason if has_word else "", alone=alone)


def _python_comments(text: str) -> Iterator[tuple[int, str, bool]]:
    lines = text.splitlines()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT and MARKER in token.string:
                row = token.start[0]
                yield row, token.string, lines[row - 1].lstrip().startswith("#")
    # qualitykit: allow[QK-EXC-002] untokenizable text: the comments read so far are all
    except (tokenize.TokenError, SyntaxError):
        return


def _hash_comments(text: str) -> Iterator[tuple[int, str, bool]]:
    for row, line in enumerate(text.splitlines(), start=1):
        if MARKER in line:
            match = _HASH_ALLOW.search(line)
            if match is not None:
                yield row, match["allow"], line.lstrip().startswith("#")


def file_allows(project: PolicyProject, name: str) -> list[Allow]:
    """Every allow written in ``name``."""
    return text_allows(name, project.text(name))


def text_allows(name: str, text: str | None) -> list[Allow]:
    """Every allow written in ``text``, the content of ``name`` (at any version)."""
    if text is None or MARKER not in text or name.endswith(_PROSE):
        return []
    comments = _python_comments(text) if name.endswith((".py", ".pyi")) else _hash_comments(text)
    found = (_parse(name, row, comment, alone=alone) for row, comment, alone in comments)
    return [allow for allow in found if allow is not None]


class AllowIndex:
    """The allows of a project, read per file on first use."""

    def __init__(self, project: PolicyProject) -> None:
        """Index ``project``'s allows lazily."""
        self._project = project
        self._by_file: dict[str, list[Allow]] = {}

    def of(self, name: str) -> list[Allow]:
        """The allows written in ``name``."""
        if name not in self._by_file:
            self._by_file[name] = file_allows(self._project, name)
        return self._by_file[name]

    def allows(self, rule: str, name: str, line: int) -> bool:
        """Whether a reasoned allow for ``rule`` covers ``name``:``line``."""
        return any(rule in allow.rules and line in allow.covers for allow in self.of(name))
