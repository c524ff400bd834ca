"""Task ledgers (``QK-LED-0xx``) on real git repositories: off until configured, then every
entry's heading, fields, dates and PR number."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from integration.policy_cases import where, write_repo
from qualitykit.policy.config import PolicyConfig
from qualitykit.policy.engine import run_policy
from qualitykit.policy.project import PolicyProject

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Repo
    from qualitykit.policy.findings import PolicyReport

LEDGER = "docs/ledger.md"
GOOD = """\
# Task ledger

Entries read `### Status · tv-YYYY-MM-DD:PR### · Title`.

### Open · tv-2026-03-14:PR??? · Cache keys on our own code
- Owner: ana
- Why: a stale pass after an upgrade

### Deferred · tv-2026-02-28:PR### · SARIF upload
- Owner: bo
- Why: needs the schema
- Due: 2026-04-30

### Done · tv-2024-02-29:PR123 · One gate at a time
#### Notes
- Owner: cy
- Why: two gates wrote one summary

```markdown
### not an entry: inside a fence
```

## Archive
"""
OPTIONS: dict[str, Any] = {"paths": [LEDGER], "fields": ["Owner", "Why"]}


def scan(root: Path, rules: dict[str, dict[str, Any]] | None = None, **config: Any) -> PolicyReport:
    table = {"ledger": OPTIONS} if rules is None else rules
    return run_policy(PolicyProject.load(root), PolicyConfig(rules=table, **config))


def test_a_good_ledger_is_green(tmp_path: Path) -> None:
    write_repo(tmp_path, {LEDGER: GOOD})

    report = scan(tmp_path)

    assert report.findings == ()
    assert {"QK-LED-001", "QK-LED-002", "QK-LED-003", "QK-LED-004"} <= set(report.rules)


@pytest.mark.parametrize(
    ("old", "new", "rule", "line", "says"),
    [
        (
            "### Done · tv-2024-02-29:PR123 · One gate",
            "### Done - tv-2024-02-29:PR123 - One gate",
            "QK-LED-001",
            14,
            "is not an entry heading in the form",
        ),
        ("### Open · tv-2026-03-14:PR???", "### Open · 2026-03-14:PR42", "QK-LED-001", 5, ""),
        ("- Why: two gates wrote one summary\n", "", "QK-LED-002", 14, "has no `- Why:`"),
        ("- Owner: ana", "- Owner:  ", "QK-LED-002", 5, "has no `- Owner:`"),
        ("tv-2026-02-28", "tv-2026-02-30", "QK-LED-003", 9, "2026-02-30 is not a calendar date"),
        ("- Due: 2026-04-30", "- Due: 2026-04-31", "QK-LED-003", 12, "2026-04-31"),
        ("tv-2024-02-29", "tv-2023-02-29", "QK-LED-003", 14, "2023-02-29"),
        ("PR123", "PR000", "QK-LED-004", 14, "status Done with placeholder PR000"),
        ("PR123", "PR???", "QK-LED-004", 14, "placeholder PR???"),
        ("PR123", "PR###", "QK-LED-004", 14, "placeholder PR###"),
    ],
)
def test_each_broken_entry_is_red_naming_file_line_and_rule(
    tmp_path: Path, old: str, new: str, *, rule: str, line: int, says: str
) -> None:
    assert old in GOOD
    write_repo(tmp_path, {LEDGER: GOOD.replace(old, new)})

    report = scan(tmp_path)

    assert where(report) == {(rule, LEDGER, line)}
    assert says in report.findings[0].message
    assert report.findings[0].fix


def test_off_until_configured(tmp_path: Path) -> None:
    write_repo(tmp_path, {LEDGER: GOOD.replace("PR123", "PR000")})

    report = scan(tmp_path, rules={})

    assert not any(rule.startswith("QK-LED") for rule in report.rules)
    assert report.findings == ()


@pytest.mark.parametrize(
    ("rules", "files", "message"),
    [
        ({}, {}, "the ledger rules are on but no ledger `paths` is set"),
        ({"ledger": {"paths": ["TASKS.md"]}}, {}, "the configured ledger 'TASKS.md' is no"),
        ({"ledger": {"paths": ["TASKS.md"]}}, {"TASKS.md": "# Tasks\n"}, "no entry heading"),
    ],
)
def test_nothing_to_check_is_a_finding(
    tmp_path: Path, rules: dict[str, dict[str, Any]], files: dict[str, str], message: str
) -> None:
    write_repo(tmp_path, {"pyproject.toml": "[project]\nname = 'x'\n", **files})

    report = scan(tmp_path, rules=rules, enable=("ledger",))

    assert [finding.rule for finding in report.findings] == ["QK-LED-001"]
    assert message in report.findings[0].message


def test_own_heading_pattern_entry_prefix_and_statuses(tmp_path: Path) -> None:
    ledger = (
        "## [x] 2026-01-31 #17 Ship it\n- Owner: ana\n\n"
        "## [x] 2026-01-32 #0 Ship more\n- Owner: bo\n\n"
        "## [ ] 2026-02-01 #0 Later\n- Owner: cy\n"
    )
    write_repo(tmp_path, {"TASKS.md": ledger})
    options = {
        "paths": ["*.md"],
        "entry": "## ",
        "heading": r"## \[(?P<status>[x ])\] (?P<date>\S+) #(?P<pr>\d+) .+",
        "done-statuses": ["x"],
        "fields": ["Owner"],
    }

    report = scan(tmp_path, rules={"ledger": options})

    assert where(report) == {("QK-LED-003", "TASKS.md", 4), ("QK-LED-004", "TASKS.md", 4)}


def test_bad_ledger_configuration_is_one_line_and_exit_2(repo: Repo) -> None:
    table = '[tool.qualitykit.policy.rules.ledger]\npaths = ["TASKS.md"]\n'
    repo.configure(table + 'heading = "### (?P<date>.*)"\n')

    done = repo.qualitykit("policy")

    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "rules.ledger.heading: the pattern has no (?P<status>…) group" in (done.stderr)
