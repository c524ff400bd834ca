"""Pinned: check steps only look; they never change the project they check."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualitykit.config import load_config
from qualitykit.results import Status
from qualitykit.runner import run_steps
from qualitykit.steps import resolve
from qualitykit.workspace import Workspace

if TYPE_CHECKING:
    from pathlib import Path


def run_one(root: Path, name: str) -> Status:
    workspace = Workspace(root=root, config=load_config(root))
    (result,) = run_steps(workspace, resolve(workspace.config, (name,)), use_cache=False).steps
    return result.status


def test_ruff_format_check_never_rewrites_files(tmp_path: Path) -> None:
    """ruff-format reports an unformatted file and leaves its bytes (and mtime) as they were.

    Pinned because a gate that formats in place would pass on CI while the committed file stays
    unformatted, and would rewrite a developer's work tree behind their back.
    """
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    ugly = tmp_path / "ugly.py"
    ugly.write_bytes(b"x = {  'a':1 }\r\ny=[1,\n2]\n")
    before = (ugly.read_bytes(), ugly.stat().st_mtime_ns)

    assert run_one(tmp_path, "ruff-format") is Status.FAIL
    assert (ugly.read_bytes(), ugly.stat().st_mtime_ns) == before


def test_makefile_check_runs_no_recipe(tmp_path: Path) -> None:
    """The makefile step parses every Makefile but runs none of its recipes.

    Pinned because checking a Makefile must not build, deploy or delete anything. The recipes
    here include a ``+`` line, which ``make -n`` itself would still run for the goal it builds:
    the adapter's only goal is its own empty probe target, so no recipe of the file is reached.
    """
    (tmp_path / ".bake.toml").write_text(
        "[formatter]\nensure_final_newline = true\n", encoding="utf-8"
    )
    (tmp_path / "Makefile").write_text(
        ".PHONY: all\n\nall:\n\ttouch recipe-ran.txt\n\t+touch plus-ran.txt\n", encoding="utf-8"
    )

    assert run_one(tmp_path, "makefile") is Status.PASS
    assert not (tmp_path / "recipe-ran.txt").exists()
    assert not (tmp_path / "plus-ran.txt").exists()
