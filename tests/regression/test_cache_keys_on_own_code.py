"""Regression: a cached PASS is not reused once qualitykit's own code (an adapter) changed."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import qualitykit

if TYPE_CHECKING:
    from conftest import Repo


def test_an_edited_adapter_reruns_the_step(repo: Repo, tmp_path: Path) -> None:
    """The per-step key held qualitykit's version, not its code.

    The adapters (vulture, mypy, ruff, the Makefile check) and the policy rules are
    qualitykit's code: with a development install, an edit to one kept the step's verdict
    from before the edit, because the version string had not changed.
    """
    copy = tmp_path / "copy"
    shutil.copytree(Path(qualitykit.__file__).parent, copy / "qualitykit")
    env = {"PYTHONPATH": f"{copy}:src"}
    first = repo.qualitykit("check", "vulture", env=env)
    assert first.returncode == 0, first.stderr
    again = repo.qualitykit("check", "vulture", env=env)
    assert "(cached)" in again.stderr, again.stderr

    adapter = copy / "qualitykit" / "adapters" / "vulture_json.py"
    adapter.write_text(
        adapter.read_text(encoding="utf-8") + "\n# an edit that changes no behaviour\n",
        encoding="utf-8",
    )
    edited = repo.qualitykit("check", "vulture", env=env)

    assert edited.returncode == 0, edited.stderr
    assert "(cached)" not in edited.stderr, edited.stderr
