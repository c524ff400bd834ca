"""The package as a user gets it: ``uv build``, a fresh venv, the wheel installed from PyPI.

``uv add --dev qualitykit`` must bring every tool the default gate runs (they are runtime
dependencies, docs/packaging.md): a wheel that installs only qualitykit would make every step
of an installed gate error with "tool not found". So the wheel is built from this checkout,
installed with its dependencies into a venv that has nothing else, and run on a fixture
repository whose PATH holds only the system's directories: every tool the gate finds comes
from the fresh venv, or the step fails.
"""

from __future__ import annotations

import sys
import tomllib
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from e2e.conftest import uv_binary
from e2e.fixture_repo import ALL_STAGES, SYSTEM_PATH, build_fixture, run, user_environment

if TYPE_CHECKING:
    from e2e.fixture_repo import Run

pytestmark = pytest.mark.slow

PROJECT = Path(__file__).resolve().parents[2]
_DEFAULT_TOOLS = (
    "ruff",
    "mypy",
    "pyright",
    "vulture",
    "actionlint",
    "zizmor",
    "mbake",
    "coverage",
    "coverage-badge",
    "pytest",
)


def _checked(result: Run) -> Run:
    assert result.returncode == 0, result.explain()
    return result


@pytest.fixture(scope="module")
def built(built_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The wheel built from this checkout and the bin/ of a fresh venv it is installed in."""
    work = tmp_path_factory.mktemp("package")
    env = user_environment(work, UV_PYTHON_DOWNLOADS="never")
    venv = work / "venv"
    uv = uv_binary()
    _checked(run([uv, "venv", "--python", sys.executable, str(venv)], work, env))
    python = venv / "bin" / "python"
    _checked(run([uv, "pip", "install", "--python", str(python), str(built_wheel)], work, env))
    return built_wheel, venv / "bin"


def test_the_wheel_holds_the_package_and_nothing_else(built: tuple[Path, Path]) -> None:
    """Every module (the mutation workers run by path too) and py.typed; no tests/benchmarks."""
    wheel, _ = built
    names = set(zipfile.ZipFile(wheel).namelist())
    package = PROJECT / "tools"
    sources = [*package.glob("qualitykit/**/*.py"), package / "qualitykit" / "py.typed"]
    assert {path.relative_to(package).as_posix() for path in sources} <= names
    assert "qualitykit/mutation/worker.py" in names
    outside = {name.split("/")[0] for name in names} - {"qualitykit"}
    assert all(name.endswith(".dist-info") for name in outside), sorted(outside)


def test_installing_the_wheel_brings_every_tool_of_the_gate(built: tuple[Path, Path]) -> None:
    """Each tool a default step runs is a script of the fresh venv, next to qualitykit."""
    _, bin_dir = built
    missing = [tool for tool in _DEFAULT_TOOLS if not (bin_dir / tool).is_file()]
    assert not missing, f"the wheel's dependencies do not bring {missing}"


def test_version_is_the_built_distributions(built: tuple[Path, Path], tmp_path: Path) -> None:
    """``qualitykit --version`` of an installed wheel prints pyproject's version."""
    _, bin_dir = built
    expected = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    env = user_environment(tmp_path, PATH=SYSTEM_PATH)
    result = _checked(run([str(bin_dir / "qualitykit"), "--version"], tmp_path, env))
    assert result.stdout == f"qualitykit {expected['project']['version']}\n"


def test_the_installed_gate_passes_with_every_default_step(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    """The installed ``qualitykit gate`` runs every step on a clean repository, all pass."""
    _, bin_dir = built
    project = build_fixture(tmp_path / "project", tmp_path / "home")
    env = {**project.env, "PATH": SYSTEM_PATH}
    result = run([str(bin_dir / "qualitykit"), "gate"], project.root, env, timeout=600)
    assert result.returncode == 0, result.explain()
    statuses = {name: step["status"] for name, step in project.summary().items()}
    assert statuses == dict.fromkeys(ALL_STAGES, "pass"), result.explain()
