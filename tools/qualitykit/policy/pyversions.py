"""Python versions as the ``versions`` rules read them: the declared range and each value.

The declared range is ``requires-python``; without it, the first other place that states a
range (Poetry's ``python`` dependency, setup.cfg's or setup.py's ``python_requires``). Values
are read with ``packaging`` (the same specifier semantics pip applies), never by comparing
strings, so ``3.11.7`` is inside ``>=3.11`` and ``3.10`` is not.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from qualitykit.policy.project import PolicyProject, dig
from qualitykit.policy.tomllines import toml_line

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

# The newest CPython minor that exists or is scheduled (3.16 is in development late 2026):
# a version beyond it is reported as impossible, not merely outside the range.
NEWEST_MINOR = 16
LAST_PY2_MINOR = 7
# A minor series overlaps a range when one of its micro releases is inside it.
_MICROS = range(100)
_FULL_RELEASE = 3  # major.minor.micro: one release, not a series
_LOWER_OPERATORS = frozenset({">=", ">", "==", "~=", "==="})
_VALUE = re.compile(
    r"^(?:(?P<impl>pypy|cpython|python)[-_]?)?"
    r"(?P<version>\d+(?:\.\d+){0,2})"
    r"(?P<rest>(?:t|[-.]?(?:dev|a|b|rc)\d*|-[\w.+-]*)?)$",
    re.IGNORECASE,
)

Series = tuple[int, int]


# packaging is imported on use (~0.04 s): the registry imports this module at every commit,
# and a commit that stages no file stating a Python version never reads one.
def _version(text: str) -> Version:
    # qualitykit: allow[QK-INT-070] imported on use: see above
    from packaging.version import Version  # noqa: PLC0415

    return Version(text)


def _specifiers(text: str) -> SpecifierSet | None:
    """``text`` as a specifier set (None when it is not one)."""
    # qualitykit: allow[QK-INT-070] imported on use: see above
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # noqa: PLC0415

    try:
        return SpecifierSet(text)
    # qualitykit: allow[QK-EXC-002] not a range: a None spec, which QK-PY-001 reports
    except InvalidSpecifier:
        return None


def _spec_or_all(spec: SpecifierSet | None) -> SpecifierSet:
    """``spec``, or the set holding every version when there is none (or it is empty)."""
    # qualitykit: allow[QK-INT-070] imported on use: see above
    from packaging.specifiers import SpecifierSet  # noqa: PLC0415

    return spec or SpecifierSet()


def known_series() -> list[Series]:
    """Every Python minor series that exists or is scheduled, oldest first."""
    return [(2, minor) for minor in range(LAST_PY2_MINOR + 1)] + [
        (3, minor) for minor in range(NEWEST_MINOR + 1)
    ]


def impossible(version: Version) -> str | None:
    """Why ``version`` is no Python at all (None when it could be one)."""
    major, minor = version.major, version.minor
    if major not in {2, 3}:
        return f"there is no Python {major}"
    if major == 2 and minor > LAST_PY2_MINOR:
        return f"Python 2 ended with 2.{LAST_PY2_MINOR}"
    if major == 3 and minor > NEWEST_MINOR:
        return f"there is no Python 3.{minor} (the newest is 3.{NEWEST_MINOR})"
    return None


@dataclass(frozen=True)
class Value:
    """A Python version as written somewhere: ``3.11``, ``3.11.7``, ``pypy3.10``, ``py311``."""

    text: str
    version: Version
    # Whether only major.minor (or major) was written: then it names a series, not a release.
    parts: int

    @property
    def series(self) -> Series:
        """Its major and minor."""
        return (self.version.major, self.version.minor)


def parse_value(text: str) -> Value | None:
    """The Python version ``text`` names (None when it names none: ``3.x``, ``system``).

    GraalPy and other implementations number their own releases (``graalpy-24.1``): None.
    """
    cleaned = text.strip().strip("\"'")
    ruff = re.fullmatch(r"py(\d)(\d+)", cleaned)
    if ruff:
        cleaned = f"{ruff[1]}.{ruff[2]}"
    match = _VALUE.match(cleaned)
    if not match:
        return None
    version = _version(match["version"])  # the pattern admits only valid release numbers
    return Value(text=cleaned, version=version, parts=len(version.release))


@dataclass(frozen=True)
class Declared:
    """The range a project declares, where, and what it contains."""

    text: str
    what: str
    file: str
    line: int
    spec: SpecifierSet | None

    @property
    def where(self) -> str:
        """How messages name it: ``requires-python '>=3.11' (pyproject.toml:6)``."""
        return f"{self.what} {self.text!r} ({self.file}:{self.line})"

    def contains(self, value: Value) -> bool:
        """Whether ``value`` is inside the range (a series: one of its releases is)."""
        # Only a usable range is judged against; an invalid one (None) holds everything.
        spec = _spec_or_all(self.spec)
        if value.parts >= _FULL_RELEASE:
            return spec.contains(value.version, prereleases=True)
        if value.parts == 1:
            return any(s in self.series for s in known_series() if s[0] == value.version.major)
        return self._overlaps(value.series)

    def _overlaps(self, series: Series) -> bool:
        spec = _spec_or_all(self.spec)
        return any(
            spec.contains(_version(f"{series[0]}.{series[1]}.{micro}"), prereleases=True)
            for micro in _MICROS
        )

    @cached_property
    def series(self) -> list[Series]:
        """The known series inside the range, oldest first."""
        return [series for series in known_series() if self._overlaps(series)]

    @property
    def lower(self) -> Series | None:
        """The oldest series inside the range, when the range has a lower bound."""
        spec = self.spec
        if spec is None or not any(s.operator in _LOWER_OPERATORS for s in spec):
            return None
        inside = self.series
        return inside[0] if inside else None

    def suggestion(self) -> str | None:
        """The version to write instead of one outside the range: its lower bound, else newest."""
        inside = self.series
        best = self.lower or (inside[-1] if inside else None)
        return None if best is None else f"{best[0]}.{best[1]}"


def _poetry_range(text: str) -> str:
    """Poetry's ``^3.9``/``~3.9`` as a PEP 440 range (other forms are PEP 440 already)."""
    match = re.fullmatch(r"\s*([\^~])\s*(\d+)\.(\d+)(?:\.\d+)?\s*", text)
    if not match:
        return text
    major, minor = int(match[2]), int(match[3])
    upper = f"{major + 1}" if match[1] == "^" else f"{major}.{minor + 1}"
    return f">={text.strip()[1:].strip()},<{upper}"


def _ini_value(text: str | None, section: str, key: str) -> tuple[int, str] | None:
    """(line, value) of ``key`` in ``[section]`` of an INI file (None when absent).

    Read line by line (configparser gives no line numbers); keys are case-insensitive as there.
    """
    current = None
    pattern = re.compile(rf"^{re.escape(key)}\s*[=:]\s*(?P<value>.*)$", re.IGNORECASE)
    for number, line in enumerate((text or "").splitlines(), start=1):
        header = re.match(r"^\s*\[(.+)\]\s*$", line)
        if header:
            current = header[1].strip()
            continue
        match = pattern.match(line) if current == section else None
        if match:
            return number, match["value"].strip()
    return None


def ini_value(project: PolicyProject, name: str, section: str, key: str) -> tuple[int, str] | None:
    """(line, value) of ``key`` in ``[section]`` of the project's INI file ``name``."""
    if name not in project.files:
        return None
    return _ini_value(project.text(name), section, key)


def _setup_py(project: PolicyProject) -> tuple[int, str] | None:
    tree = project.python("setup.py") if "setup.py" in project.files else None
    if tree is None:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "python_requires":
            value = node.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                return value.lineno, value.value
    return None


# Every file `_sources` reads a range from: the only files the range's own rules report on.
RANGE_FILES = ("pyproject.toml", "setup.cfg", "setup.py")


def _sources(project: PolicyProject) -> list[tuple[str, str, int, str]]:
    """(what, file, line, text) of each place that states a range, in order of authority."""
    found: list[tuple[str, str, int, str]] = []
    lines = project.lines("pyproject.toml")
    requires = project.table("project").get("requires-python")
    if isinstance(requires, str):
        line = toml_line(lines, "project", "requires-python")
        found.append(("requires-python", "pyproject.toml", line, requires))
    poetry = dig(project.pyproject, "tool", "poetry", "dependencies").get("python")
    if isinstance(poetry, str):
        line = toml_line(lines, "tool.poetry.dependencies", "python")
        found.append(("Poetry's python", "pyproject.toml", line, _poetry_range(poetry)))
    setup_cfg = ini_value(project, "setup.cfg", "options", "python_requires")
    if setup_cfg is not None:
        found.append(("python_requires", "setup.cfg", *setup_cfg))
    setup_py = _setup_py(project)
    if setup_py is not None:
        found.append(("python_requires", "setup.py", *setup_py))
    return found


def _statement(what: str, file: str, line: int, text: str) -> Declared:
    return Declared(text=text, what=what, file=file, line=line, spec=_specifiers(text))


def statements(project: PolicyProject) -> list[Declared]:
    """Every place that states a range, the authoritative one first, computed once."""
    return project.memo(
        "versions-statements", lambda: [_statement(*source) for source in _sources(project)]
    )


def declared(project: PolicyProject) -> Declared | None:
    """The project's declared range (None when no place states one)."""
    found = statements(project)
    return found[0] if found else None


def usable(project: PolicyProject) -> Declared | None:
    """The declared range when the other places can be judged against it.

    None when there is none, or when it is invalid or holds no real Python: QK-PY-001 reports
    that, and judging every other place against it would only repeat it.
    """
    found = declared(project)
    if found is None or found.spec is None or not found.series:
        return None
    if impossible_bound(found.spec) is not None:
        return None
    return found


def impossible_bound(spec: SpecifierSet) -> tuple[str, str] | None:
    """(specifier, why) of the first lower bound or pin in ``spec`` naming no real Python.

    Upper bounds and exclusions are not judged: ``<4`` (Poetry's ``^3.9``) is a sound range.
    """
    for specifier in spec:
        # `===` compares strings (any text, no version); the others hold a valid version.
        if specifier.operator not in _LOWER_OPERATORS or specifier.operator == "===":
            continue
        why = impossible(_version(specifier.version.removesuffix(".*")))
        if why is not None:
            return str(specifier), why
    return None


def running_python() -> str:
    """A range to suggest when the declared one is unusable: the Python running this check."""
    return f">={sys.version_info.major}.{sys.version_info.minor}"


def judge(value: Value, range_: Declared) -> str | None:
    """What is wrong with ``value`` against ``range_`` (None when it is inside)."""
    why = impossible(value.version)
    if why is not None:
        return f"`{value.text}` is impossible: {why}; the range is {range_.where}"
    if not range_.contains(value):
        return f"`{value.text}` is outside {range_.where}"
    return None
