"""End-to-end fixtures: a fresh, complete fixture repository per test."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from e2e.fixture_repo import build_fixture, run, user_environment

if TYPE_CHECKING:
    from e2e.fixture_repo import FixtureRepo


@pytest.fixture
def project(tmp_path: Path) -> FixtureRepo:
    """A clean fixture repository on which every stage passes (cheap: files, one commit)."""
    return build_fixture(tmp_path / "project", tmp_path / "home")


PROJECT = Path(__file__).resolve().parents[2]


def uv_binary() -> str:
    """uv from PATH, else the copy the Makefile bootstraps when PATH has none."""
    bootstrapped = PROJECT / ".qualitykit" / "bootstrap" / "bin" / "uv"
    uv = shutil.which("uv") or (str(bootstrapped) if bootstrapped.is_file() else None)
    assert uv is not None, "no uv on PATH or in .qualitykit/bootstrap: it builds and installs"
    return uv


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel ``uv build`` makes of this checkout (once per session)."""
    work = tmp_path_factory.mktemp("wheel")
    env = user_environment(work, UV_PYTHON_DOWNLOADS="never")
    built = run([uv_binary(), "build", "--wheel", "--out-dir", str(work), str(PROJECT)], work, env)
    assert built.returncode == 0, built.explain()
    (wheel,) = work.glob("qualitykit-*.whl")
    return wheel
