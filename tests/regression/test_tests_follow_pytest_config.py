"""Pinned: without ``[tool.qualitykit.coverage] tests``, the coverage step runs the project's tests
as the project runs them (its pytest ``testpaths`` and ``addopts``), and keys its cache on them.

Broke: on a real src-layout project whose pytest ``testpaths`` are ``src`` and ``tests`` (with
``--doctest-modules``), the coverage step's default test paths (``tests``) ran 893 of its 908
tests: every doctest silently dropped, and a project whose tests live elsewhere checked 0
files. Our default overrode the project's own setting.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from qualitykit.steps.pytest_config import (
    DEFAULT_PYTHON_FILES,
    PytestSettings,
    collection_roots,
    read_settings,
)

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Repo

DOCTESTED = '''\
"""A tiny module with a doctest."""


def double(value: int) -> int:
    """Twice ``value``.

    >>> double(21)
    42
    """
    return value * 2
'''
USAGE = """\
Usage
=====

>>> from pkg import double
>>> double(2)
4
"""


def _configure(repo: Repo, pytest_table: str) -> None:
    repo.configure(
        "[tool.qualitykit.coverage]\nratchet = false\n"
        '[tool.coverage.run]\nsource = ["src/pkg"]\n'
        f"{pytest_table}\n"
    )


def _coverage(repo: Repo) -> dict[str, object]:
    run = repo.qualitykit("check", "coverage", "--json")
    assert "Traceback" not in run.stderr, run.stderr
    result: dict[str, object] = json.loads(run.stdout)
    return result


def _tests(result: dict[str, object]) -> object:
    counts = result["counts"]
    assert isinstance(counts, dict)
    return counts["tests"]


def test_the_projects_testpaths_and_doctests_run(repo: Repo) -> None:
    """testpaths = src + tests with --doctest-modules: the doctest runs too (2 tests, not 1)."""
    _configure(
        repo,
        '[tool.pytest.ini_options]\ntestpaths = ["src", "tests"]\naddopts = "--doctest-modules"\n',
    )
    repo.write("src/pkg/core.py", DOCTESTED)
    result = _coverage(repo)
    assert result["status"] == "pass", result
    assert _tests(result) == 2
    command = result["command"]
    assert isinstance(command, list)
    assert "tests" not in command  # no paths of ours: pytest uses the project's testpaths


def test_tests_outside_tests_dir_are_found_and_keyed(repo: Repo) -> None:
    """pytest.ini testpaths = checks docs with a doctest glob: targets, run and cache follow it."""
    _configure(repo, "")
    repo.write("pytest.ini", "[pytest]\ntestpaths = checks docs\naddopts = --doctest-glob=*.rst\n")
    (repo.root / "tests/regression/test_core.py").rename(repo.root / "test_core_moved.py")
    repo.write("checks/test_core.py", (repo.root / "test_core_moved.py").read_text())
    (repo.root / "test_core_moved.py").unlink()
    repo.write("docs/usage.rst", USAGE)

    first = _coverage(repo)
    assert first["status"] == "pass", first
    assert _tests(first) == 2  # checks/test_core.py and the doctest in docs/usage.rst

    repo.write("docs/usage.rst", USAGE.replace("4\n", "5\n"))  # a failing doctest, not a .py
    second = _coverage(repo)
    assert second["cached"] is False
    assert second["status"] == "fail", second


def test_the_configuration_file_is_the_one_pytest_uses(tmp_path: Path) -> None:
    """pytest's precedence: the first file that configures pytest wins; the rest are ignored."""
    (tmp_path / "setup.cfg").write_text("[tool:pytest]\ntestpaths = from_setup_cfg\n")
    assert read_settings(tmp_path).testpaths == ("from_setup_cfg",)
    (tmp_path / "tox.ini").write_text("[tox]\nenvlist = py311\n")  # no [pytest]: not pytest's
    assert read_settings(tmp_path).testpaths == ("from_setup_cfg",)
    (tmp_path / "tox.ini").write_text("[pytest]\ntestpaths = a 'b c'\npython_files = check_*.py\n")
    assert read_settings(tmp_path) == PytestSettings(("a", "b c"), ("check_*.py",))
    (tmp_path / "pyproject.toml").write_text('[tool.pytest]\ntestpaths = ["native"]\n')
    assert read_settings(tmp_path).testpaths == ("native",)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\ntestpaths = "ini mode"\naddopts = ["--doctest-modules"]\n'
    )
    assert read_settings(tmp_path) == PytestSettings(
        ("ini", "mode"), DEFAULT_PYTHON_FILES, doctest_modules=True
    )
    (tmp_path / "pytest.ini").write_text("# pytest's own file, even without a [pytest] section\n")
    assert read_settings(tmp_path) == PytestSettings()
    (tmp_path / "pytest.toml").write_text('[pytest]\ntestpaths = ["t*s"]\n')
    (tmp_path / "tests").mkdir()
    (tmp_path / "tools").mkdir()
    settings = read_settings(tmp_path)
    assert collection_roots(tmp_path, settings) == ("tests", "tools")  # globbed as pytest does
    assert collection_roots(tmp_path, PytestSettings(("missing",))) == (".",)
