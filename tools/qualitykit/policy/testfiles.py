"""Which files of a project are its tests, as pytest sees them.

``testpaths``, ``python_files`` and ``norecursedirs`` are read from the first pytest
configuration pytest itself would use: ``pytest.ini``, ``pyproject.toml``
(``[tool.pytest.ini_options]`` or ``[tool.pytest]``), ``tox.ini`` (``[pytest]``), ``setup.cfg``
(``[tool:pytest]``), all at the project root.
"""

from __future__ import annotations

import ast
import configparser
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from qualitykit.policy.project import as_strings

if TYPE_CHECKING:
    from qualitykit.policy.project import PolicyProject

_DEFAULT_FILES = ("test_*.py", "*_test.py")
_DEFAULT_NORECURSE = ("*.egg", ".*", "_darcs", "build", "CVS", "dist", "node_modules", "venv")
_TEST_DIRS = frozenset({"test", "tests", "testing"})
_INI_SECTIONS = (("pytest.ini", "pytest"), ("tox.ini", "pytest"), ("setup.cfg", "tool:pytest"))


@dataclass(frozen=True)
class PytestLayout:
    """Where the tests are: ``testpaths`` (empty: anywhere) and the test-module patterns."""

    testpaths: tuple[str, ...] = ()
    python_files: tuple[str, ...] = _DEFAULT_FILES
    norecursedirs: tuple[str, ...] = _DEFAULT_NORECURSE


def _ini(project: PolicyProject, name: str, section: str) -> PytestLayout | None:
    text = project.text(name) if name in project.files else None
    if text is None:
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    # qualitykit: allow[QK-EXC-002] pytest reports its broken config; here pytest's defaults
    except configparser.Error:
        return None
    if not parser.has_section(section):
        return None
    paths = tuple(parser.get(section, "testpaths", fallback="").split())
    files = tuple(parser.get(section, "python_files", fallback="").split()) or _DEFAULT_FILES
    skip = tuple(parser.get(section, "norecursedirs", fallback="").split()) or _DEFAULT_NORECURSE
    return PytestLayout(paths, files, skip)


def _strings(value: object) -> tuple[str, ...]:
    return tuple(value.split() if isinstance(value, str) else as_strings(value))


def _toml(project: PolicyProject) -> PytestLayout | None:
    for table in (project.table("tool", "pytest", "ini_options"), project.table("tool", "pytest")):
        if not table:
            continue
        return PytestLayout(
            _strings(table.get("testpaths")),
            _strings(table.get("python_files")) or _DEFAULT_FILES,
            _strings(table.get("norecursedirs")) or _DEFAULT_NORECURSE,
        )
    return None


def pytest_layout(project: PolicyProject) -> PytestLayout:
    """The project's pytest layout (pytest's defaults when nothing configures it)."""
    first = _ini(project, "pytest.ini", "pytest")
    if first is not None:
        return first
    for found in (_toml(project), *(_ini(project, n, s) for n, s in _INI_SECTIONS[1:])):
        if found is not None:
            return found
    return PytestLayout()


def _under(name: str, path: str) -> bool:
    path = path.rstrip("/").removeprefix("./")
    return name == path or name.startswith(f"{path}/") or fnmatchcase(name, path)


def _matches(path: str, pattern: str) -> bool:
    """Whether ``path`` matches ``pattern`` as pytest's ``fnmatch_ex`` does.

    A pattern without ``/`` matches the base name, one with ``/`` the end of the path.
    """
    if "/" not in pattern:
        return fnmatchcase(path.rsplit("/", 1)[-1], pattern)
    return fnmatchcase(path, pattern) or fnmatchcase(path, f"*/{pattern}")


def _modules(name: str) -> set[str]:
    """The dotted names the file ``name`` can be imported as.

    ``tests/lib/wheel.py``: ``wheel``, ``lib.wheel``, ``tests.lib.wheel``; a package's
    ``__init__.py`` by its directory.
    """
    parts = name.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return {".".join(parts[index:]) for index in range(len(parts))}


def _imported(project: PolicyProject, names: list[str]) -> set[str]:
    """Every module name the files ``names`` import, and each ``from X import y`` as ``X.y``."""
    found: set[str] = set()
    for name in names:
        tree = project.python(name)
        for node in ast.walk(tree) if tree is not None else ():
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                found.add(base)
                found.update(f"{base}.{alias.name}".lstrip(".") for alias in node.names)
    return {module for module in found if module}


def _candidates(project: PolicyProject) -> tuple[list[str], list[str]]:
    """(test modules and conftests, possible helpers): from names and pytest settings only."""
    layout = pytest_layout(project)
    tests: list[str] = []
    helpers: list[str] = []
    for name in project.files:
        if not name.endswith(".py"):
            continue
        if layout.testpaths and not any(_under(name, path) for path in layout.testpaths):
            continue
        folders = name.split("/")[:-1]
        if any(
            _matches("/".join(folders[: index + 1]), pattern)
            for index in range(len(folders))
            for pattern in layout.norecursedirs
        ):
            continue
        if name.rsplit("/", 1)[-1] == "conftest.py" or any(
            _matches(name, pattern) for pattern in layout.python_files
        ):
            tests.append(name)
        elif _TEST_DIRS & set(folders):
            helpers.append(name)
    return tests, helpers


def may_be_test_file(project: PolicyProject, name: str) -> bool:
    """Whether ``name`` can be a test file (no file is parsed: the commit stage asks this)."""
    tests, helpers = project.memo("testfiles.candidates", lambda: _candidates(project))
    return name in tests or name in helpers


def find_test_files(project: PolicyProject) -> list[str]:
    """The Python files that are tests: test modules, conftest.py, the helpers they import.

    Limited to ``testpaths`` when set, never in a ``norecursedirs`` directory. A helper module
    in a ``test``/``tests``/``testing`` directory counts when a test module or conftest imports
    it (it is where a shared double belongs); data files there (a formatter's sample inputs,
    a package's ``setup.py`` fixture) and a package's own modules do not.
    """
    tests, helpers = project.memo("testfiles.candidates", lambda: _candidates(project))
    tests = list(tests)
    imported = _imported(project, tests)
    tests.extend(name for name in helpers if _modules(name) & imported)
    return sorted(tests)
