"""The project's own pytest settings that decide what a bare ``pytest`` run collects.

A suite step given no test paths runs ``pytest`` as the project does (its ``testpaths``,
``addopts``, ``python_files``); the step still has to know which files that run reads, for its
targets (0 is an error) and its cache key. This module finds the configuration file pytest
would use from the project root, in pytest's order (``pytest.toml``, ``.pytest.toml``,
``pytest.ini``, ``.pytest.ini``, ``pyproject.toml`` with ``[tool.pytest]`` or
``[tool.pytest.ini_options]``, ``tox.ini`` with ``[pytest]``, ``setup.cfg`` with
``[tool:pytest]``), and expands ``testpaths`` as pytest does (globs, relative to the root).

Only files in the root count: pytest applies ``testpaths`` only when its rootdir is the
directory it runs in, so a configuration found in a parent directory never sets them.
A file that does not parse gives no settings here; pytest reports it when the step runs.
"""

from __future__ import annotations

import configparser
import glob
import shlex
import tomllib
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

DEFAULT_PYTHON_FILES = ("test_*.py", "*_test.py")
# Config files pytest reads, as gitignore-style patterns anchored at the root (cache inputs).
CONFIG_FILES = (
    "/pytest.toml",
    "/.pytest.toml",
    "/pytest.ini",
    "/.pytest.ini",
    "/pyproject.toml",
    "/tox.ini",
    "/setup.cfg",
)

_Options = dict[str, object]


@dataclass(frozen=True)
class PytestSettings:
    """What a bare ``pytest`` in the root collects: where, which files, whether doctests."""

    testpaths: tuple[str, ...] = ()
    python_files: tuple[str, ...] = DEFAULT_PYTHON_FILES
    doctest_modules: bool = False


def _words(value: object) -> tuple[str, ...]:
    """An option as pytest reads it: a TOML list, or one string split like a shell line."""
    if isinstance(value, list):
        return tuple(str(item) for item in cast("list[object]", value))
    if isinstance(value, str):
        try:
            return tuple(shlex.split(value))
        except ValueError:
            return tuple(value.split())
    return ()


def _toml(path: Path) -> dict[str, object] | None:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    # qualitykit: allow[QK-EXC-002] pytest reads the file itself and reports it
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None


def _table(document: object, *keys: str) -> _Options | None:
    value = document
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = cast("_Options", value).get(key)
    return cast("_Options", value) if isinstance(value, dict) else None


def _pytest_toml(path: Path) -> _Options | None:
    # pytest.toml and .pytest.toml are pytest's configuration even when empty.
    return _table(_toml(path), "pytest") or {}


def _pyproject(path: Path) -> _Options | None:
    tool = _table(_toml(path), "tool", "pytest")
    if tool is None:
        return None
    native = {key: value for key, value in tool.items() if key != "ini_options"}
    return native or _table(tool, "ini_options")


def _ini(section: str, *, always: bool) -> Callable[[Path], _Options | None]:
    def load(path: Path) -> _Options | None:
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError):
            return {} if always else None
        if parser.has_section(section):
            return dict(parser.items(section))
        return {} if always else None

    return load


_LOADERS: tuple[tuple[str, Callable[[Path], _Options | None]], ...] = (
    ("pytest.toml", _pytest_toml),
    (".pytest.toml", _pytest_toml),
    ("pytest.ini", _ini("pytest", always=True)),
    (".pytest.ini", _ini("pytest", always=True)),
    ("pyproject.toml", _pyproject),
    ("tox.ini", _ini("pytest", always=False)),
    ("setup.cfg", _ini("tool:pytest", always=False)),
)


def read_settings(root: Path) -> PytestSettings:
    """The settings of the configuration file pytest would use in ``root`` (defaults if none)."""
    for name, load in _LOADERS:
        path = root / name
        options = load(path) if path.is_file() else None
        if options is not None:
            addopts = _words(options.get("addopts"))
            return PytestSettings(
                testpaths=_words(options.get("testpaths")),
                python_files=_words(options.get("python_files")) or DEFAULT_PYTHON_FILES,
                doctest_modules="--doctest-modules" in addopts,
            )
    return PytestSettings()


def collection_roots(root: Path, settings: PytestSettings) -> tuple[str, ...]:
    """Where a bare ``pytest`` collects: ``testpaths`` globbed from the root, else the root."""
    found: list[str] = []
    for pattern in settings.testpaths:
        # glob.glob, not Path.glob: the very call pytest makes, so the same matches.
        found.extend(sorted(glob.glob(pattern, root_dir=root, recursive=True)))  # noqa: PTH207
    # pytest falls back to the root when testpaths match nothing (it warns).
    return tuple(found) or (".",)
