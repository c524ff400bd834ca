"""Opt-in policy rules run once configured; the commit rules never judge files.

Before: a rule off by default ran only when listed in `enable`, so a project that wrote
`[tool.qualitykit.policy.rules.ledger] paths = [...]` got a green policy step from rules that
never ran (fail-open: configured, yet nothing checked). And a rule about commits, had it run over
files, would have reported nothing and been listed as run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualitykit.policy.config import PolicyConfig
from qualitykit.policy.engine import run_policy
from qualitykit.policy.project import PolicyProject

if TYPE_CHECKING:
    from conftest import Repo


def test_configuring_an_opt_in_family_turns_it_on(repo: Repo) -> None:
    repo.write("TASKS.md", "# Tasks\n\n### Done · tv-2026-02-30:PR000 · Ship\n")
    config = PolicyConfig(rules={"ledger": {"paths": ["TASKS.md"]}})

    report = run_policy(PolicyProject.load(repo.root), config)

    assert {(f.rule, f.file, f.line) for f in report.findings} == {
        ("QK-LED-003", "TASKS.md", 3),
        ("QK-LED-004", "TASKS.md", 3),
    }


def test_commit_rules_are_not_run_over_files(repo: Repo) -> None:
    report = run_policy(PolicyProject.load(repo.root), PolicyConfig())

    assert not [rule for rule in report.rules if rule.startswith("QK-GIT")]
    assert "QK-TXT-001" in report.rules
