"""Python versions: one declared range, and every place that names a version inside it.

The range is ``requires-python`` (else the first other place stating one, see
:mod:`qualitykit.policy.pyversions`); without one the family says nothing. Each disagreeing
place is reported where it is written, with the value to write.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

from typing_extensions import override

from qualitykit.policy.project import as_strings, dig
from qualitykit.policy.pyversions import (
    RANGE_FILES,
    declared,
    impossible_bound,
    ini_value,
    judge,
    parse_value,
    running_python,
    statements,
    usable,
)
from qualitykit.policy.rule import Hit, Rule
from qualitykit.policy.rules.versions_ci import CiVersions
from qualitykit.policy.rules.versions_docs import DocVersions
from qualitykit.policy.tomllines import toml_line

if TYPE_CHECKING:
    from collections.abc import Iterator

    from qualitykit.policy.project import PolicyProject
    from qualitykit.policy.pyversions import Declared
    from qualitykit.policy.rule import RuleOptions

FAMILY = "versions"
# pyenv and uv read `.python-version`; uv reads `.python-versions` (several) too.
PYTHON_VERSION_FILES = (".python-version", ".python-versions")
_CLASSIFIER = re.compile(r"^Programming Language :: Python :: (?P<version>\d+(?:\.\d+)?)\s*$")
_RAW_VALUE = re.compile(r"=\s*[\"']?(?P<value>[^\"'#\s]+)")


class _StatedIn(Rule):
    """A rule that reports only on the files it reads the value from (``stated_in``).

    With staged files only, a commit of Python code runs none of them: the declared range
    (and packaging, which reads it) is not even computed.
    """

    stated_in: ClassVar[tuple[str, ...]]

    @override
    def reports_on(self, project: PolicyProject, name: str) -> bool:
        return name in self.stated_in


class DeclaredRange(_StatedIn):
    """The declared range itself: a valid specifier naming real Pythons, not an empty set."""

    id = "QK-PY-001"
    family = FAMILY
    title = "declared Python range invalid, impossible or empty"
    fix = 'state the oldest Python the project supports, e.g. `requires-python = ">=3.11"`'
    stated_in = RANGE_FILES

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        found = declared(project)
        if found is None:
            return
        fix = f"write a range of real Pythons, e.g. `{running_python()}`"
        if found.spec is None:
            yield Hit(found.file, found.line, f"{found.where} is not a version range", fix)
            return
        bound = impossible_bound(found.spec)
        if bound is not None:
            message = f"{found.where} names an impossible version `{bound[0]}`: {bound[1]}"
            yield Hit(found.file, found.line, message, fix)
            return
        if not found.series:
            yield Hit(found.file, found.line, f"{found.where} admits no Python at all", fix)


def _series(range_: Declared, others: Declared) -> str:
    names = [
        f"{major}.{minor}" for major, minor in range_.series if (major, minor) not in others.series
    ]
    return ", ".join(names)


class RangeStatements(_StatedIn):
    """A second statement of the range (Poetry, setup.cfg, setup.py) admitting other Pythons."""

    id = "QK-PY-009"
    family = FAMILY
    title = "a second statement of the Python range disagrees"
    fix = "state the same range everywhere (or only in requires-python)"
    stated_in = RANGE_FILES

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        range_ = usable(project)
        if range_ is None:
            return
        for other in statements(project)[1:]:
            fix = f"write `{range_.text}`"
            if other.spec is None:
                yield Hit(other.file, other.line, f"{other.where} is not a version range", fix)
                continue
            extra, missing = _series(other, range_), _series(range_, other)
            if extra or missing:
                what = "; ".join(
                    part
                    for part in (extra and f"admits {extra}", missing and f"excludes {missing}")
                    if part
                )
                message = f"{other.where} disagrees with {range_.where}: it {what}"
                yield Hit(other.file, other.line, message, fix)


def _version_lines(project: PolicyProject, name: str) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(project.lines(name), start=1):
        text = line.split("#", 1)[0].strip()
        if text:
            yield number, text


class PythonVersionFile(_StatedIn):
    """``.python-version`` (pyenv, uv): each version a member of the range (not equal to it)."""

    id = "QK-PY-002"
    family = FAMILY
    title = ".python-version outside the declared range"
    fix = "write a version inside the declared range in .python-version"
    stated_in = PYTHON_VERSION_FILES

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        range_ = usable(project)
        if range_ is None:
            return
        for name in PYTHON_VERSION_FILES:
            if name in project.files:
                yield from _version_file(project, name, range_)


def _version_file(project: PolicyProject, name: str, range_: Declared) -> Iterator[Hit]:
    for number, text in _version_lines(project, name):
        value = parse_value(text)
        if value is None:
            if text != "system":
                message = f"`{text}` names no Python version this rule can judge"
                yield Hit(name, number, message, note=True)
            continue
        wrong = judge(value, range_)
        if wrong is not None:
            yield Hit(name, number, wrong, _write(range_, "`{}`"))


def _write(range_: Declared, form: str) -> str:
    suggestion = range_.suggestion()
    return f"write {form.format(suggestion)}" if suggestion else "write a version in the range"


def _classifiers(project: PolicyProject) -> Iterator[tuple[str, int, str]]:
    """(file, line, classifier) of pyproject.toml's and setup.cfg's classifiers."""
    listed = set(as_strings(project.table("project").get("classifiers")))
    for number, line in enumerate(project.lines("pyproject.toml"), start=1):
        for item in listed:
            if f'"{item}"' in line or f"'{item}'" in line:
                yield "pyproject.toml", number, item
    setup_cfg = ini_value(project, "setup.cfg", "metadata", "classifiers")
    if setup_cfg is None:
        return
    lines = project.lines("setup.cfg")
    for number in range(setup_cfg[0], len(lines) + 1):
        text = lines[number - 1].strip()
        if number > setup_cfg[0] and lines[number - 1][:1] not in {" ", "\t"} and text:
            break
        item = text.split("=", 1)[1].strip() if number == setup_cfg[0] else text
        if item:
            yield "setup.cfg", number, item


class Classifiers(_StatedIn):
    """``Programming Language :: Python :: 3.X`` trove classifiers inside the range."""

    id = "QK-PY-003"
    family = FAMILY
    title = "Python classifier outside the declared range"
    fix = "remove the classifier (classifiers list the versions the range admits)"
    stated_in = ("pyproject.toml", "setup.cfg")

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        range_ = usable(project)
        if range_ is None:
            return
        for file, line, item in _classifiers(project):
            match = _CLASSIFIER.match(item)
            value = parse_value(match["version"]) if match else None
            if value is None:
                continue
            wrong = judge(value, range_)
            if wrong is not None:
                yield Hit(file, line, f"classifier {wrong}", f"remove `{item}`")


def _setting(
    project: PolicyProject, tables: tuple[str, ...], key: str, files: tuple[tuple[str, str], ...]
) -> tuple[str, int, str] | None:
    """(file, line, raw value) of a tool setting in pyproject.toml or the tool's own file."""
    for table in tables:
        if key in dig(project.pyproject, *table.split(".")):
            line = toml_line(project.lines("pyproject.toml"), table, key)
            raw = _RAW_VALUE.search(project.lines("pyproject.toml")[line - 1])
            if raw:
                return "pyproject.toml", line, raw["value"]
    for name, section in files:
        if name.endswith(".json"):
            found = _json_value(project, name, key)
        elif section:
            found = ini_value(project, name, section, key)
        else:
            found = _toml_file_value(project, name, key)
        if found is not None:
            return name, *found
    return None


def _json_value(project: PolicyProject, name: str, key: str) -> tuple[int, str] | None:
    # pyrightconfig.json is JSON with comments: read the key's line, not the document.
    pattern = re.compile(rf'"{re.escape(key)}"\s*:\s*"(?P<value>[^"]*)"')
    for number, line in enumerate(project.lines(name), start=1):
        match = pattern.search(line)
        if match:
            return number, match["value"]
    return None


def _toml_file_value(project: PolicyProject, name: str, key: str) -> tuple[int, str] | None:
    for number, line in enumerate(project.lines(name), start=1):
        if re.match(rf"^\s*{re.escape(key)}\s*=", line):
            raw = _RAW_VALUE.search(line)
            if raw:
                return number, raw["value"]
    return None


class RuffTarget(_StatedIn):
    """ruff ``target-version`` equal to the range's lower bound (``py311`` for ``>=3.11``)."""

    id = "QK-PY-005"
    family = FAMILY
    title = "ruff target-version is not the range's lower bound"
    fix = "set ruff's target-version to the lower bound (or remove it: ruff reads requires-python)"
    files = (("ruff.toml", ""), (".ruff.toml", ""))
    stated_in = ("pyproject.toml", *[name for name, _ in files])

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        range_ = usable(project)
        lower = range_.lower if range_ is not None else None
        if range_ is None or lower is None:
            return
        found = _setting(project, ("tool.ruff",), "target-version", self.files)
        if found is None:
            return
        file, line, raw = found
        value = parse_value(raw)
        want = f"py{lower[0]}{lower[1]}"
        if value is None or value.series != lower:
            message = (
                f"ruff target-version `{raw}` is not {want}, the lower bound of {range_.where}"
            )
            yield Hit(file, line, message, f'target-version = "{want}"')


class _CheckerVersion(_StatedIn):
    """A type checker's Python version inside the range (the lower bound is the right value)."""

    tool: str
    key: str
    tables: tuple[str, ...]
    files: tuple[tuple[str, str], ...]

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        range_ = usable(project)
        if range_ is None:
            return
        found = _setting(project, self.tables, self.key, self.files)
        if found is None:
            return
        file, line, raw = found
        value = parse_value(raw)
        if value is None:
            yield Hit(file, line, f"{self.tool} {self.key} `{raw}` is no Python version", note=True)
            return
        wrong = judge(value, range_)
        if wrong is not None:
            if file.endswith(".json"):
                form = f'`"{self.key}": "{{}}"`'
            else:
                quote = '"' if file.endswith(".toml") else ""
                form = f"`{self.key} = {quote}{{}}{quote}`"
            yield Hit(file, line, f"{self.tool} {self.key} {wrong}", _write(range_, form))


class MypyVersion(_CheckerVersion):
    """mypy ``python_version`` inside the range."""

    id = "QK-PY-006"
    family = FAMILY
    title = "mypy python_version outside the declared range"
    fix = "set mypy's python_version to the range's lower bound"
    tool = "mypy"
    key = "python_version"
    tables = ("tool.mypy",)
    files = (("mypy.ini", "mypy"), (".mypy.ini", "mypy"), ("setup.cfg", "mypy"))
    stated_in = ("pyproject.toml", *[name for name, _ in files])


class PyrightVersion(_CheckerVersion):
    """pyright/basedpyright ``pythonVersion`` inside the range."""

    id = "QK-PY-007"
    family = FAMILY
    title = "pyright pythonVersion outside the declared range"
    fix = "set pyright's pythonVersion to the range's lower bound"
    tool = "pyright"
    key = "pythonVersion"
    tables = ("tool.pyright", "tool.basedpyright")
    files = (("pyrightconfig.json", ""),)
    stated_in = ("pyproject.toml", *[name for name, _ in files])


RULES: tuple[Rule, ...] = (
    DeclaredRange(),
    PythonVersionFile(),
    Classifiers(),
    CiVersions(),
    RuffTarget(),
    MypyVersion(),
    PyrightVersion(),
    DocVersions(),
    RangeStatements(),
)
