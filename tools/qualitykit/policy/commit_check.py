"""The commit rules run: one commit-msg file (the hook) or every commit of a range (CI).

Findings are :class:`PolicyFinding` objects whose ``file`` names the commit
(``commit 1a2b3c4``), the branch (``branch NAME``) or, in the hook, the message file; their
line is the line of the message. A merge commit (two parents or more) is not judged: its
message is git's, and the commits it brings in are judged in their own range.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualitykit.errors import QualityKitError
from qualitykit.files import find_root
from qualitykit.fingerprints import fingerprint
from qualitykit.policy.config import load_policy_config
from qualitykit.policy.findings import Frozen, PolicyFinding
from qualitykit.policy.gitlog import clean_message, commits_in, current_branch, default_branch
from qualitykit.policy.registry import enabled
from qualitykit.policy.rules.commits import CommitOptions, CommitRule, Message
from qualitykit.state import read_text

if TYPE_CHECKING:
    from pathlib import Path

    from qualitykit.policy.rule import Hit

_SHORT = 7


class CommitsReport(Frozen, frozen=True, kw_only=True):
    """One run of the commit rules: what was judged, which rules ran, what they found."""

    commits: int
    merges: int = 0
    # The branch judged (an exempt name passes); None on a detached HEAD and in the hook.
    branch: str | None = None
    rules: tuple[str, ...]
    findings: tuple[PolicyFinding, ...] = ()


def _lines(message: str) -> str:
    """A stored message with CRLF line ends made LF and no blank lines around it."""
    return message.replace("\r\n", "\n").strip("\n")


def _rules(root: Path) -> list[tuple[CommitRule, CommitOptions]]:
    chosen: list[tuple[CommitRule, CommitOptions]] = []
    for rule, options in enabled(load_policy_config(root)):
        if isinstance(rule, CommitRule) and isinstance(options, CommitOptions):
            chosen.append((rule, options))
    if not chosen:
        raise QualityKitError("every commit rule (QK-GIT) is disabled: nothing would be judged")
    return chosen


def _finding(rule: CommitRule, hit: Hit, text: str) -> PolicyFinding:
    lines = text.split("\n")
    code = lines[hit.line - 1] if 0 < hit.line <= len(lines) else ""
    return PolicyFinding(
        rule=rule.id,
        file=hit.file,
        line=hit.line,
        message=hit.message,
        fix=hit.fix or rule.fix,
        fingerprint=fingerprint(rule.id, hit.file, code, 0),
    )


def _judge(
    chosen: list[tuple[CommitRule, CommitOptions]], messages: list[Message], branch: str | None
) -> list[PolicyFinding]:
    findings: list[PolicyFinding] = []
    for rule, options in chosen:
        for message in messages:
            findings.extend(
                _finding(rule, hit, message.text) for hit in rule.check_message(message, options)
            )
        if branch is not None:
            findings.extend(_finding(rule, hit, "") for hit in rule.check_branch(branch, options))
    return findings


def check_message_file(start: Path, path: Path) -> CommitsReport:
    """Judge the commit message in ``path`` (the commit-msg hook's argument)."""
    root = find_root(start)
    text = read_text(path, "commit message", cache=False)
    if text is None:
        raise QualityKitError(f"{path}: commit message: no such file")
    chosen = _rules(root)
    message = Message(where=str(path), text=clean_message(text), hook=True)
    findings = _judge(chosen, [message], None)
    return CommitsReport(
        commits=0 if message.skipped else 1,
        merges=1 if message.skipped else 0,
        rules=tuple(rule.id for rule, _ in chosen),
        findings=tuple(findings),
    )


def check_range(start: Path, spec: str, *, branch: str | None = None) -> CommitsReport:
    """Judge every commit of ``spec`` (``BASE..HEAD``) and the branch name.

    ``branch`` (CI passes the pull request's head branch) else the checked-out branch; none on
    a detached HEAD. A range with no commit to judge is an error: nothing was checked.
    """
    root = find_root(start)
    chosen = _rules(root)
    logged = commits_in(root, spec)
    judged = [commit for commit in logged if commit.parents <= 1]  # more: a merge
    if not judged:
        what = "only merge commits" if logged else "no commits"
        raise QualityKitError(f"--range {spec!r}: {what}, so no commit message was checked")
    name = branch or current_branch(root)
    exempt = default_branch(root)
    if name is not None and name == exempt:
        name = None
    messages = [
        Message(where=f"commit {commit.sha[:_SHORT]}", text=_lines(commit.message), hook=False)
        for commit in judged
    ]
    return CommitsReport(
        commits=len(judged),
        merges=len(logged) - len(judged),
        branch=name,
        rules=tuple(rule.id for rule, _ in chosen),
        findings=tuple(_judge(chosen, messages, name)),
    )
