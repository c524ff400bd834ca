"""Conventional Commits and branch names (``QK-GIT-0xx``) on real git repositories.

The commit-msg hook's check (a message file) and the CI check (every commit of a range, plus
the branch name) run in process on repositories built in tmp_path; the command line is run as
a subprocess for its exit codes and its one-line errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from qualitykit.errors import QualityKitError
from qualitykit.policy.commit_check import CommitsReport, check_message_file, check_range

if TYPE_CHECKING:
    from conftest import Repo

SCISSORS = "# ------------------------ >8 ------------------------"


def hook(repo: Repo, message: str, config: str = "") -> CommitsReport:
    if config:
        repo.configure(config)
    path = repo.root / ".git" / "COMMIT_EDITMSG"
    path.write_text(message, encoding="utf-8")
    return check_message_file(repo.root, path)


def found(report: CommitsReport) -> list[tuple[str, int]]:
    return [(finding.rule, finding.line) for finding in report.findings]


def commit(repo: Repo, message: str, name: str | None = None) -> str:
    repo.write(name or f"notes/{len(message)}-{message[:8].strip()}.txt", message)
    repo.git("add", "-A")
    repo.git("commit", "-q", "--cleanup=verbatim", "-m", message)
    return repo.git("rev-parse", "--short=7", "HEAD").strip()


@pytest.mark.parametrize(
    ("message", "config", "expected", "says"),
    [
        ("Added the parser", "", [("QK-GIT-001", 1)], "no `type:` or `type(scope):` prefix"),
        ("feat:add the parser", "", [("QK-GIT-001", 1)], "no space after the colon"),
        ("feat(cli) : add it", "", [("QK-GIT-001", 1)], "a space before the colon"),
        ("feat( ): add it", "", [("QK-GIT-001", 1)], "scope ' ' is empty or has spaces"),
        ("feat: ", "", [("QK-GIT-001", 1)], "no description after `: `"),
        ("feat: add it\nthe body", "", [("QK-GIT-001", 2)], "no blank line between"),
        ("# only a comment\n\n", "", [("QK-GIT-001", 1)], "the message is empty"),
        ("Feat: add it", "", [("QK-GIT-002", 1)], "type 'Feat' must be lowercase ('feat')"),
        ("wip: add it", "", [("QK-GIT-002", 1)], "type 'wip' is not one of feat, fix, docs"),
        (
            "feat(cli): add it",
            'scopes = ["policy", "gate"]',
            [("QK-GIT-003", 1)],
            "scope 'cli' is not one of policy, gate",
        ),
        ("feat: add it", "require-scope = true", [("QK-GIT-003", 1)], "no scope"),
        (
            "docs: " + "x" * 70,
            "",
            [("QK-GIT-004", 1)],
            "the header has 76 characters (at most 72)",
        ),
        ("docs: " + "x" * 70, "max-subject-length = 80", [], ""),
        ("wip: add it", 'types = ["wip"]', [], ""),
        ("feat(policy)!: drop the old ids\n\nBREAKING CHANGE: ids renumbered\n", "", [], ""),
        ("fix: keep the lock\n\n# Please enter the commit message\n", "", [], ""),
        (f"fix: keep the lock\n{SCISSORS}\nAdded everything\n", "", [], ""),
        ("fixup! feat(cli): add it", "", [], ""),
        ("squash! Added it", "", [("QK-GIT-001", 1)], "no `type:`"),
    ],
)
def test_commit_msg_hook(
    repo: Repo, message: str, config: str, expected: list[tuple[str, int]], says: str
) -> None:
    table = f"[tool.qualitykit.policy.rules.commits]\n{config}\n" if config else ""

    report = hook(repo, message, table)

    assert found(report) == expected, report.findings
    if expected:
        finding = report.findings[0]
        assert says in finding.message
        assert finding.file.endswith("COMMIT_EDITMSG")
        assert "e.g. `feat(policy): add banned-API rule`" in finding.fix or finding.line == 2


def test_git_merge_message_is_not_judged_in_the_hook(repo: Repo) -> None:
    report = hook(repo, "Merge branch 'feat/cli-x'\n\n# Conflicts:\n")

    assert (report.findings, report.commits, report.merges) == ((), 0, 1)


def test_one_rule_table_beats_the_family_table(repo: Repo) -> None:
    config = (
        "[tool.qualitykit.policy.rules.commits]\nmax-subject-length = 30\n\n"
        "[tool.qualitykit.policy.rules.QK-GIT-004]\nmax-subject-length = 200\n"
    )

    report = hook(repo, "docs: " + "x" * 50, config)

    assert report.findings == ()


def test_range_judges_every_commit_but_merges(repo: Repo) -> None:
    commit(repo, "chore: start")
    repo.git("checkout", "-q", "-b", "feat/cli-range")
    good = commit(repo, "feat(cli): add the range check")
    bad = commit(repo, "Added more things")
    fixup = commit(repo, "fixup! feat(cli): add the range check")
    repo.git("checkout", "-q", "main")
    commit(repo, "docs: meanwhile on main", "README.md")
    repo.git("checkout", "-q", "feat/cli-range")
    repo.git("merge", "-q", "--no-edit", "main")

    report = check_range(repo.root, "main..HEAD")

    assert (report.commits, report.merges, report.branch) == (3, 1, "feat/cli-range")
    assert [(f.rule, f.file, f.line) for f in report.findings] == [
        ("QK-GIT-001", f"commit {bad}", 1),
        ("QK-GIT-005", f"commit {fixup}", 1),
    ]
    assert good not in str(report.findings)
    repo.configure("[tool.qualitykit.policy.rules.commits]\nallow-fixup = true\n")
    repo.git("commit", "-qam", "build: allow fixups")
    assert found(check_range(repo.root, "main..HEAD")) == [("QK-GIT-001", 1)]


@pytest.mark.parametrize(
    ("branch", "config", "bad"),
    [
        ("feature-x", "", True),
        ("feat/x", "", True),
        ("feat/policy-banned-api", "", False),
        ("wip/commits", "", True),
        ("wip/commits", 'branch-pattern = "wip/[a-z]+"', False),
        ("release-1", 'exempt-branches = ["release-1"]', False),
        ("trunk", 'types = ["feat"]', True),
    ],
)
def test_branch_name(repo: Repo, branch: str, config: str, *, bad: bool) -> None:
    if config:
        repo.configure(f"[tool.qualitykit.policy.rules.commits]\n{config}\n")
    commit(repo, "chore: start")
    repo.git("checkout", "-q", "-b", branch)
    commit(repo, "feat(cli): add it")

    report = check_range(repo.root, "HEAD~1..HEAD")

    expected = [("QK-GIT-006", f"branch {branch}", 1)] if bad else []
    assert [(f.rule, f.file, f.line) for f in report.findings] == expected
    if bad:
        assert f"branch {branch!r} does not match" in report.findings[0].message
        assert "e.g. `feat/policy-banned-api`" in report.findings[0].fix


def test_main_detached_head_and_given_branch(repo: Repo) -> None:
    commit(repo, "chore: start")
    commit(repo, "feat(cli): add it")

    on_main = check_range(repo.root, "HEAD~1..HEAD")
    repo.git("checkout", "-q", "--detach")
    detached = check_range(repo.root, "HEAD~1..HEAD")
    given = check_range(repo.root, "HEAD~1..HEAD", branch="my-branch")

    assert (on_main.branch, on_main.findings) == ("main", ())
    assert (detached.branch, detached.findings) == (None, ())
    assert found(given) == [("QK-GIT-006", 1)]


@pytest.mark.parametrize(
    ("spec", "error"),
    [
        ("HEAD", "--range 'HEAD': expected BASE..HEAD (e.g. origin/main..HEAD)"),
        ("main...HEAD", "--range 'main...HEAD': expected BASE..HEAD"),
        ("--all..HEAD", "--range '--all..HEAD': expected BASE..HEAD"),
        ("nope..HEAD", "--range 'nope..HEAD': bad revision 'nope..HEAD'"),
        ("HEAD..HEAD", "--range 'HEAD..HEAD': no commits, so no commit message was checked"),
    ],
)
def test_bad_range_is_an_error(repo: Repo, spec: str, error: str) -> None:
    commit(repo, "chore: start")

    with pytest.raises(QualityKitError) as raised:
        check_range(repo.root, spec)

    assert str(raised.value).startswith(error)


def test_cli_commits_and_commit_msg(repo: Repo) -> None:
    commit(repo, "chore: start")
    commit(repo, "Added it")
    (repo.root / "msg.txt").write_text("feat(cli): add it\n", encoding="utf-8")

    failing = repo.qualitykit("policy", "commits", "--range", "HEAD~1..HEAD")
    passing = repo.qualitykit("policy", "commit-msg", "msg.txt")
    bad_range = repo.qualitykit("policy", "commits", "--range", "nope..HEAD")

    assert failing.returncode == 1, failing.stderr
    assert "QK-GIT-001 no `type:` or `type(scope):` prefix: `Added it`" in failing.stdout
    assert "policy commits: 1 commits, branch main, 6 rules: 1 findings" in failing.stdout
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert (bad_range.returncode, bad_range.stderr.strip()) == (
        2,
        "qualitykit: error: --range 'nope..HEAD': bad revision 'nope..HEAD'",
    )


def test_cli_bad_commits_configuration_is_one_line(repo: Repo) -> None:
    repo.configure('[tool.qualitykit.policy.rules.commits]\nbranch-pattern = "(unclosed"\n')

    done = repo.qualitykit("policy", "commits", "--range", "HEAD~1..HEAD")

    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "rules.commits.branch-pattern" in done.stderr
    assert "not a regular expression" in done.stderr


def test_a_file_named_commits_is_checked_after_double_dash(repo: Repo) -> None:
    """`policy` takes file names; the action words are files only after `--`."""
    repo.write("commits", "a text file\n")

    done = repo.qualitykit("policy", "--", "commits")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "policy: 1 files" in done.stdout


def test_an_unreadable_message_file_is_an_error(repo: Repo) -> None:
    path = Path(repo.root / ".git" / "COMMIT_EDITMSG")
    path.write_bytes(b"\xff\xfe not utf-8")

    with pytest.raises(QualityKitError, match="COMMIT_EDITMSG: commit message: not UTF-8"):
        check_message_file(repo.root, path)
    with pytest.raises(QualityKitError, match=r"missing\.txt: commit message: no such file"):
        check_message_file(repo.root, repo.root / "missing.txt")


def test_the_remotes_default_branch_is_exempt(repo: Repo, tmp_path: Path) -> None:
    repo.git("checkout", "-q", "-b", "trunk")
    commit(repo, "chore: start")
    commit(repo, "feat(cli): add it")
    clone = tmp_path / "clone"
    repo.git("clone", "-q", str(repo.root), str(clone))

    report = check_range(clone, "HEAD~1..HEAD")
    named = check_range(repo.root, "HEAD~1..HEAD")

    assert (report.branch, report.findings) == (None, ())
    assert found(named) == [("QK-GIT-006", 1)]


def test_every_commit_rule_disabled_is_an_error(repo: Repo) -> None:
    """`policy commits` in CI with the family disabled would judge nothing: never a pass."""
    repo.configure('[tool.qualitykit.policy]\ndisable = ["commits"]\n')
    commit(repo, "Added it")

    with pytest.raises(QualityKitError, match=r"every commit rule \(QK-GIT\) is disabled"):
        check_range(repo.root, "HEAD~1..HEAD")
