"""Odd inputs never crash the policy: unparseable files are skipped, the rest is still checked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from integration.policy_cases import make, write_repo
from qualitykit.policy.config import PolicyConfig
from qualitykit.policy.engine import run_policy
from qualitykit.policy.project import PolicyProject

if TYPE_CHECKING:
    from pathlib import Path


def rules_found(root: Path) -> set[tuple[str, str]]:
    report = run_policy(PolicyProject.load(root), PolicyConfig())
    return {(finding.rule, finding.file) for finding in report.findings}


def test_broken_files_are_skipped_and_the_rest_is_checked(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            ".github/workflows/broken.yml": "jobs: [unclosed\n  - {\n",
            ".pre-commit-config.yaml": "repos: !!python/object:os.system {}\n",
            "pyproject.toml": "[tool.mypy\nstrict = true\n",
            "src/broken.py": "def f(:\n    # qualitykit: allow[QK-INT-010]\n",
            **make("pytest || true"),
        },
    )
    (tmp_path / "data.bin").write_bytes(b"\x00\x01# qualitykit: allow[X]\xff")
    (tmp_path / "latin1.sh").write_bytes(b"#!/bin/sh\necho caf\xe9 || true\n")

    assert rules_found(tmp_path) == {("QK-INT-010", "Makefile"), ("QK-POL-001", "src/broken.py")}


def test_outside_git_every_file_is_walked(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    root.mkdir()
    (root / "Makefile").write_text(make("pytest || true")["Makefile"], encoding="utf-8")
    (root / ".venv").mkdir()
    (root / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")
    (root / ".venv" / "Makefile").write_text("x:\n\t-rm y\n", encoding="utf-8")

    assert rules_found(root) == {("QK-INT-010", "Makefile")}
