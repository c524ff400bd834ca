"""Conflict markers (``QK-TXT-001``) in every project text file, on real git repositories.

The markers are built from single characters so that this file holds none itself.
"""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

import pytest

from integration.policy_cases import git, scan, where, write_repo
from qualitykit.policy.config import PolicyConfig

if TYPE_CHECKING:
    from pathlib import Path


OURS, BASE, SEPARATOR, THEIRS = "<" * 7, "|" * 7, "=" * 7, ">" * 7
MERGE = f"{OURS} HEAD\nvalue = 1\n{SEPARATOR}\nvalue = 2\n{THEIRS} feat/other\n"
DIFF3 = f"{OURS} ours\nx: 1\n{BASE} base\nx: 0\n{SEPARATOR}\nx: 2\n{THEIRS} theirs\n"


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("src/app.py", '"""App."""\n\n' + MERGE, 3),
        ("config.yml", "a: 1\n" + DIFF3, 2),
        ("docs/index.md", "# Title\n\n" + MERGE.replace("\n", "\r\n"), 3),
        ("notes", f"{OURS}\nmine\n{SEPARATOR}\ntheirs\n{THEIRS}\n", 1),
    ],
    ids=["merge-style", "diff3", "crlf-markdown", "no-labels"],
)
def test_conflict_is_red_naming_file_and_line(
    tmp_path: Path, name: str, text: str, line: int
) -> None:
    write_repo(tmp_path, {name: text})

    report = scan(tmp_path)

    assert where(report) == {("QK-TXT-001", name, line)}
    assert "unresolved merge conflict" in report.findings[0].message
    assert report.findings[0].fix.startswith("resolve the conflict")


@pytest.mark.parametrize(
    "text",
    [
        "Title\n=======\n\nText.\n",
        f"Title\n{SEPARATOR}\n\n> quoted\n{THEIRS} deeper quote\n",
        f"{OURS} only a start\ntext\n{THEIRS} and an end, no separator\n",
        f"{OURS}< eight characters\n{SEPARATOR}\n{THEIRS}> eight\n",
        f"{OURS} start\n{SEPARATOR}\nno end\n",
        f"{OURS} ours\n{SEPARATOR}\n{BASE} base after the separator\n{THEIRS} theirs\n",
        "value = 1\n",
    ],
    ids=[
        "rst-underline",
        "underline-and-quote",
        "no-separator",
        "longer",
        "no-end",
        "bad-order",
        "resolved",
    ],
)
def test_no_full_set_in_order_is_green(tmp_path: Path, text: str) -> None:
    write_repo(tmp_path, {"docs/page.rst": text})

    assert scan(tmp_path).findings == ()


def test_binary_files_are_skipped(tmp_path: Path) -> None:
    write_repo(tmp_path, {"README": "ok\n"})
    (tmp_path / "blob.bin").write_bytes(b"\0\1" + MERGE.encode())

    assert scan(tmp_path).findings == ()


def test_a_real_git_conflict_is_found(tmp_path: Path) -> None:
    write_repo(tmp_path, {"src/app.py": "value = 0\n"})
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "chore: start")
    git(tmp_path, "checkout", "-qb", "feat/app-two")
    (tmp_path / "src/app.py").write_text("value = 2\n", encoding="utf-8")
    git(tmp_path, "commit", "-qam", "feat(app): two")
    git(tmp_path, "checkout", "-q", "main")
    (tmp_path / "src/app.py").write_text("value = 1\n", encoding="utf-8")
    git(tmp_path, "commit", "-qam", "feat(app): one")
    merge = ["git", "-c", "merge.conflictStyle=diff3", "merge", "-q", "feat/app-two"]
    conflicted = subprocess.run(merge, cwd=tmp_path, capture_output=True, check=False)

    assert conflicted.returncode == 1, conflicted.stderr

    assert where(scan(tmp_path)) == {("QK-TXT-001", "src/app.py", 1)}


def test_reasoned_allow_and_exclude_are_green(tmp_path: Path) -> None:
    allowed = "# qualitykit: allow[QK-TXT-001] the parser's test input is a conflict\n" + MERGE
    write_repo(tmp_path, {"tests/test_parse.py": allowed, "tests/data/conflict.txt": MERGE})
    exclude = PolicyConfig(rules={"conflicts": {"exclude": ["tests/data/"]}})

    assert scan(tmp_path, exclude).findings == ()
    assert where(scan(tmp_path)) == {("QK-TXT-001", "tests/data/conflict.txt", 1)}
