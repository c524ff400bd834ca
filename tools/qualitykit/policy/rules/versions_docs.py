"""Python versions named in prose: README and setup guides ("Python ≥ 3.11", "python3.11")."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

from typing_extensions import override

from qualitykit.policy.pyversions import judge, parse_value, usable
from qualitykit.policy.rule import Hit, Rule, RuleOptions

if TYPE_CHECKING:
    from collections.abc import Iterator

    from qualitykit.policy.project import PolicyProject
    from qualitykit.policy.pyversions import Declared

_VERSION = r"\d+\.\d+(?:\.\d+)?"
# "Python 3.11", "CPython 3.11.7", "Python ≥ 3.11", "Python >= 3.11", "Python 3.10-3.14" (any dash).
_NAMED = re.compile(
    rf"\bC?Python\s*(?:version\s*)?(?:≥|>=|>|v)?\s*(?P<v>{_VERSION})\b"
    r"(?:\s*(?:\N{EN DASH}|-|to|through)\s*(?P<v2>"
    rf"{_VERSION})\b)?",
    re.IGNORECASE,
)
# "3.11+", with Python named on the line or in the heading above (``python3.11`` is _NAMED).
_PLUS = re.compile(rf"(?<![\w.])(?P<v>{_VERSION})\+")
# A line about the past (a changelog entry, a dropped version) claims nothing about today.
_HISTORY = re.compile(
    r"\b(?:fix(?:es|ed)?|drop(?:s|ped)?|remov(?:e|ed|es)|deprecat\w*|no longer|unsupported|"
    r"end[- ]of[- ]life|EOL|was|were|until|prior to|used to|thanks)\b",
    re.IGNORECASE,
)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
_PYTHON = re.compile(r"python", re.IGNORECASE)


class DocOptions(RuleOptions, frozen=True):
    """Which prose files name versions (paths relative to the project root)."""

    files: tuple[str, ...] = (
        "README.md",
        "README.rst",
        "README.txt",
        "README",
        "SETUP.md",
        ".dev-guidelines/SETUP.md",
    )


def mentions(lines: list[str]) -> Iterator[tuple[int, str, str]]:
    """(line, phrase, version) of each Python version a prose file names as a claim."""
    heading = ""
    for number, line in enumerate(lines, start=1):
        if _HEADING.match(line):
            heading = line
        if _HISTORY.search(line):
            continue
        found: dict[int, tuple[str, str]] = {}
        if _PYTHON.search(line) or _PYTHON.search(heading):
            found.update((m.start("v"), (m[0], m["v"])) for m in _PLUS.finditer(line))
        for match in _NAMED.finditer(line):
            for group in ("v", "v2"):
                if match[group]:
                    found[match.start(group)] = (match[0].strip(), match[group])
        for _, (phrase, text) in sorted(found.items()):
            yield number, phrase, text


class DocVersions(Rule):
    """Versions named in README / SETUP.md inside the range."""

    id = "QK-PY-008"
    family = "versions"
    title = "Python version in the docs outside the declared range"
    fix = "name a version inside the declared range"
    options: ClassVar[type[RuleOptions]] = DocOptions

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        if not isinstance(options, DocOptions):
            return
        # The files are options, which `reports_on` does not see: one out of scope (not staged)
        # would have its hits dropped, so the range (and packaging) is computed only for others.
        names = [n for n in options.files if n in project.files and project.in_scope(n)]
        range_ = usable(project) if names else None
        if range_ is None:
            return
        for name in names:
            yield from _file(project, name, range_)


def _file(project: PolicyProject, name: str, range_: Declared) -> Iterator[Hit]:
    for line, phrase, text in mentions(project.lines(name)):
        value = parse_value(text)
        wrong = judge(value, range_) if value is not None else None
        if wrong is not None:
            suggestion = range_.suggestion()
            fix = f"replace `{text}` with `{suggestion}`" if suggestion else DocVersions.fix
            yield Hit(name, line, f"`{phrase}`: {wrong}", fix)
