"""Pinned: ``coverage ratchet --update`` says what it does, never FAIL before succeeding.

Broke: the command measured through the coverage step and printed the step's status line,
``FAIL coverage ... no coverage baseline`` (or ``ratchet-drop``), then wrote the baseline and
exited 0. The first run of the very command the FAIL message recommends printed FAIL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Repo


def test_the_first_update_and_a_lowered_baseline_print_no_fail(repo: Repo) -> None:
    """No baseline yet, then a baseline above the measured figure: both updates succeed."""
    repo.configure(
        '[tool.qualitykit.coverage]\ntests = ["tests"]\n[tool.coverage.run]\nsource = ["src/pkg"]\n'
    )
    first = repo.qualitykit("coverage", "ratchet", "--update")
    assert first.returncode == 0, first.stderr
    assert "FAIL" not in first.stdout + first.stderr
    assert "coverage baseline coverage-baseline.json: none -> 100.00%" in first.stderr

    repo.write("src/pkg/more.py", "def extra(flag: bool) -> int:\n    return 1 if flag else 2\n")
    lowered = repo.qualitykit("coverage", "ratchet", "--update")
    assert lowered.returncode == 0, lowered.stderr
    assert "FAIL" not in lowered.stdout + lowered.stderr
    assert "100.00% ->" in lowered.stderr
    assert "lowered" in lowered.stderr
    assert "measured" in lowered.stderr
