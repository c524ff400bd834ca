"""Corrupt state and bad command lines: exit 2, one line naming the path, nothing created.

Issue 10 ("the gate never lies" — bad input). Each case below ended in a traceback, a wrong
exit code, output followed by an error, or a state directory made where none should be:

- a binary ``.qualitykit/summary.json`` crashed the no-op replay (UnicodeDecodeError);
- ``qualitykit summary`` showed an unreadable stored result as "has not run" (exit 1) instead of
  naming the corrupt file;
- ``.qualitykit`` being a file, or ``summary.json`` a directory, surfaced only after every step
  ran ("gate passed" then an error);
- ``gate --root MISSING`` exited 1 and created ``MISSING/.qualitykit/``;
- argparse printed a multi-line usage block; there was no ``--version``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Repo

QUICK = """\
gate = ["quick"]
[tool.qualitykit.commands.quick]
command = ["true"]
inputs = ["src/**/*.py"]
"""


def one_line(stderr: str, *fragments: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("qualitykit: error: "), stderr
    for fragment in fragments:
        assert fragment in lines[0], stderr
    return lines[0]


def test_binary_summary_json_is_rewritten_by_the_replay(repo: Repo) -> None:
    repo.configure(QUICK)
    assert repo.gate().returncode == 0
    summary = repo.root / ".qualitykit" / "summary.json"
    summary.write_bytes(b"\xff\xfe\x00binary")
    run = repo.gate()
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert "no input changed" in run.stderr  # replayed, and summary.json is a cache: rewritten
    assert repo.summary()["quick"]["status"] == "pass"


def test_summary_names_a_corrupt_stored_result(repo: Repo) -> None:
    repo.configure(QUICK)
    assert repo.gate().returncode == 0
    (repo.root / ".qualitykit" / "results" / "quick.json").write_bytes(b"\x80\x81")
    run = repo.qualitykit("summary")
    assert run.returncode == 2, run.stderr
    one_line(run.stderr, "results/quick.json", "not UTF-8")


def test_summary_json_that_is_a_directory_stops_before_any_step(repo: Repo) -> None:
    repo.configure(QUICK)
    (repo.root / ".qualitykit" / "summary.json").mkdir(parents=True)
    run = repo.gate("--no-cache")
    assert run.returncode == 2, run.stderr
    one_line(run.stderr, "summary.json", "is a directory")
    assert not (repo.root / ".qualitykit" / "results").exists()


def test_missing_root_is_exit_2_and_creates_nothing(tmp_path: Path, repo: Repo) -> None:
    missing = tmp_path / "nowhere"
    for command in (["gate"], ["check", "quick"], ["summary"], ["steps"]):
        run = repo.qualitykit(*command, "--root", str(missing))
        assert run.returncode == 2, run.stderr
        one_line(run.stderr, "--root", "nowhere")
    assert not missing.exists()


def test_usage_errors_are_one_line_exit_2(repo: Repo) -> None:
    for argv in (["gate", "--jobs", "x"], ["frobnicate"], [], ["check"]):
        run = repo.qualitykit(*argv)
        assert run.returncode == 2, run.stderr
        one_line(run.stderr)


def test_version(repo: Repo) -> None:
    run = repo.qualitykit("--version")
    assert run.returncode == 0, run.stderr
    assert re.fullmatch(r"qualitykit \d+\.\d+\.\d+\S*\n", run.stdout), run.stdout


def test_badge_path_that_is_a_directory_is_named(repo: Repo) -> None:
    """A directory at the badge path was reported as "no committed badge: run make badge",
    after the whole coverage run; the fix is to move the directory, so name it, at once."""
    repo.configure('gate = ["badge"]')
    (repo.root / "docs" / "assets" / "coverage.svg").mkdir(parents=True)
    run = repo.qualitykit("check", "badge")
    assert run.returncode == 2, run.stderr
    one_line(run.stderr, "coverage.svg", "is a directory")
    assert not (repo.root / ".qualitykit" / "results").exists()
