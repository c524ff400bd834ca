"""Regression: a step whose tool checked no file is an error, counted from the tool's output."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Repo


def add_to_table(repo: Repo, table: str, line: str) -> None:
    """Add ``line`` at the top of ``[table]`` in the fixture's pyproject.toml."""
    path = repo.root / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    if f"[{table}]\n" not in text:
        text += f"\n[{table}]\n"
    path.write_text(text.replace(f"[{table}]\n", f"[{table}]\n{line}\n"), encoding="utf-8")


@pytest.mark.parametrize("step", ["ruff-lint", "ruff-format"])
def test_ruff_excluding_every_file_is_an_error(repo: Repo, step: str) -> None:
    """``[tool.ruff] extend-exclude`` covering every file made ruff-lint PASS "3 files".

    It broke: ruff skips an excluded file named on its command line (``--force-exclude``) in
    silence, and the step counted the files *it gave* ruff, not the ones ruff read. Now ruff's
    own file list decides, and an empty one is the step's error naming the paths.
    """
    repo.configure(f'gate = ["{step}"]')
    add_to_table(repo, "tool.ruff", 'extend-exclude = ["src", "tests"]')

    run = repo.gate()

    assert run.returncode == 1, run.stderr
    result = repo.summary()[step]
    assert result["status"] == "error", result
    assert result["summary"].startswith("checked 0 files: ruff's own configuration"), result


def test_vulture_excluding_every_file_is_an_error(repo: Repo) -> None:
    """vulture's own ``exclude`` covering the source made the vulture step PASS.

    It broke the same way: vulture drops excluded modules in silence and the step counted the
    paths it passed. The adapter now reports the modules vulture itself scanned.
    """
    repo.configure('gate = ["vulture"]')
    add_to_table(repo, "tool.vulture", 'exclude = ["src/"]')

    run = repo.gate()

    assert run.returncode == 1, run.stderr
    result = repo.summary()["vulture"]
    assert result["status"] == "error", result
    assert result["summary"].startswith("checked 0 files: vulture's own configuration"), result
    assert "under src" in result["summary"]


@pytest.mark.parametrize("where", ["config", "args"])
def test_the_counts_are_the_tools_own(repo: Repo, where: str) -> None:
    """With one of three files excluded, ruff says 2 files, not the 3 the step handed it.

    The exclusion may come from ruff's configuration or from the step's own ``args``.
    """
    if where == "config":
        repo.configure('gate = ["ruff-lint"]')
        add_to_table(repo, "tool.ruff", 'extend-exclude = ["tests"]')
    else:
        repo.configure(
            'gate = ["ruff-lint"]\n[tool.qualitykit.steps.ruff-lint]\n'
            'args = ["--extend-exclude", "tests"]\n'
        )

    run = repo.gate()

    assert run.returncode == 0, run.stderr
    assert repo.summary()["ruff-lint"]["counts"]["files"] == 2
