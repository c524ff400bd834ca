"""End-to-end fixtures: a fresh, complete fixture repository per test."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from e2e.fixture_repo import build_fixture

if TYPE_CHECKING:
    from pathlib import Path

    from e2e.fixture_repo import FixtureRepo


@pytest.fixture
def project(tmp_path: Path) -> FixtureRepo:
    """A clean fixture repository on which every stage passes (cheap: files, one commit)."""
    return build_fixture(tmp_path / "project", tmp_path / "home")
