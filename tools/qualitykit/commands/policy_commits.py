"""``qualitykit policy commit-msg FILE`` and ``qualitykit policy commits --range BASE..HEAD``.

The commit-msg hook judges the message being committed; CI judges every commit of a pull
request and its branch name. Exit 0 when nothing is found, 1 with findings, 2 on bad
configuration or input (a missing message file, a range git refuses, a range without commits).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualitykit.policy.commit_check import CommitsReport, check_message_file, check_range

if TYPE_CHECKING:
    from pathlib import Path


def _print(report: CommitsReport, action: str, *, as_json: bool) -> int:
    if as_json:
        print(report.to_json(indent=2))
    else:
        for finding in report.findings:
            print(f"{finding.file}:{finding.line}: {finding.rule} {finding.message}")
            print(f"    fix: {finding.fix}")
        merges = f" ({report.merges} merges not judged)" if report.merges else ""
        branch = f", branch {report.branch}" if report.branch else ""
        verdict = f"{len(report.findings)} findings" if report.findings else "no findings"
        judged = f"{report.commits} commits{merges}{branch}, {len(report.rules)} rules"
        print(f"policy {action}: {judged}: {verdict}")
    return 1 if report.findings else 0


def commit_msg(root: Path, message_file: Path, *, as_json: bool) -> int:
    """Judge the commit message in ``message_file`` (what pre-commit passes the hook)."""
    return _print(check_message_file(root, message_file), "commit-msg", as_json=as_json)


def commits(root: Path, spec: str, *, branch: str | None, as_json: bool) -> int:
    """Judge every commit of ``spec`` and the branch name."""
    return _print(check_range(root, spec, branch=branch), "commits", as_json=as_json)
