"""QK-INT-069 on real git repositories: a baseline of known findings that grew since the base."""

from __future__ import annotations

from typing import TYPE_CHECKING

from integration.integrity_base_cases import BASELINE, baseline_json
from integration.policy_cases import line_of, pyproject, where
from integration.test_policy_integrity import branch, scan

if TYPE_CHECKING:
    from pathlib import Path

RULE = "QK-INT-069"


def test_a_step_new_to_the_baseline_is_growth_too(tmp_path: Path) -> None:
    grown = baseline_json(ruff_lint=1, mypy=2)
    root = branch(
        tmp_path,
        {**pyproject(""), BASELINE: baseline_json(ruff_lint=1)},
        {**pyproject(""), BASELINE: grown},
    )

    assert where(scan(root, base="main")) == {(RULE, BASELINE, line_of(grown, '"mypy"'))}


def test_renaming_the_baseline_file_does_not_hide_growth(tmp_path: Path) -> None:
    moved = baseline_json(ruff_lint=2)
    root = branch(
        tmp_path,
        {**pyproject(""), BASELINE: baseline_json(ruff_lint=1)},
        {
            **pyproject('[tool.qualitykit]\nbaseline-file = "ci/known.json"\n'),
            "ci/known.json": moved,
        },
    )

    assert where(scan(root, base="main")) == {
        (RULE, "ci/known.json", line_of(moved, '"ruff-lint"'))
    }


def test_a_shrunk_or_newly_adopted_baseline_is_green(tmp_path: Path) -> None:
    """Shrinking is the point; a baseline created on the branch is an adoption, not growth."""
    shrunk = branch(
        tmp_path / "shrunk",
        {**pyproject(""), BASELINE: baseline_json(ruff_lint=3, mypy=1)},
        {**pyproject(""), BASELINE: baseline_json(ruff_lint=1)},
    )
    adopted = branch(
        tmp_path / "adopted", pyproject(""), {**pyproject(""), BASELINE: baseline_json(ruff_lint=9)}
    )
    broken = branch(
        tmp_path / "broken",
        {**pyproject(""), BASELINE: baseline_json(ruff_lint=1)},
        {**pyproject(""), BASELINE: "{not json"},
    )

    for root in (shrunk, adopted, broken):
        assert scan(root, base="main").findings == (), root
