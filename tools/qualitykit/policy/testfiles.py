"""Which files of a project are its tests, as pytest sees them (``testpaths``, ``python_files``).

Read from the first pytest configuration pytest itself would use: ``pytest.ini``,
``pyproject.toml`` (``[tool.pytest.ini_options]`` or ``[tool.pytest]``), ``tox.ini``
(``[pytest]``), ``setup.cfg`` (``[tool:pytest]``), all at the project root.
"""

from __future__ import annotations

import configparser
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from qualitykit.policy.project import as_strings

if TYPE_CHECKING:
    from qualitykit.policy.project import PolicyProject

_DEFAULT_FILES = ("test_*.py", "*_test.py")
_TEST_DIRS = frozenset({"test", "tests", "testing"})
_INI_SECTIONS = (("pytest.ini", "pytest"), ("tox.ini", "pytest"), ("setup.cfg", "tool:pytest"))


@dataclass(frozen=True)
class PytestLayout:
    """Where the tests are: ``testpaths`` (empty: anywhere) and the test-module patterns."""

    testpaths: tuple[str, ...] = ()
    python_files: tuple[str, ...] = _DEFAULT_FILES


def _ini(project: PolicyProject, name: str, section: str) -> PytestLayout | None:
    text = project.text(name) if name in project.files else None
    if text is None:
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    if not parser.has_section(section):
        return None
    paths = tuple(parser.get(section, "testpaths", fallback="").split())
    files = tuple(parser.get(section, "python_files", fallback="").split()) or _DEFAULT_FILES
    return PytestLayout(paths, files)


def _toml(project: PolicyProject) -> PytestLayout | None:
    for table in (project.table("tool", "pytest", "ini_options"), project.table("tool", "pytest")):
        if not table:
            continue
        paths, files = table.get("testpaths"), table.get("python_files")
        return PytestLayout(
            tuple(paths.split() if isinstance(paths, str) else as_strings(paths)),
            tuple(files.split() if isinstance(files, str) else as_strings(files)) or _DEFAULT_FILES,
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


def find_test_files(project: PolicyProject) -> list[str]:
    """The Python files that are tests: test modules, conftest.py, modules in a test directory.

    Limited to ``testpaths`` when set. A helper module in a ``tests/`` directory counts (it is
    where a shared double belongs); a package's own modules under a ``testpaths`` that names
    the package (toolz: ``testpaths = ["toolz"]``) do not.
    """
    layout = pytest_layout(project)
    found: list[str] = []
    for name in project.files:
        if not name.endswith(".py"):
            continue
        if layout.testpaths and not any(_under(name, path) for path in layout.testpaths):
            continue
        parts = name.split("/")
        base = parts[-1]
        if (
            base == "conftest.py"
            or any(fnmatchcase(base, pattern) for pattern in layout.python_files)
            or _TEST_DIRS & set(parts[:-1])
        ):
            found.append(name)
    return found
