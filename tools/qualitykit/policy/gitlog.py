"""Commits and branch names as the commit rules read them: one ``git log`` per range.

The log is read in a machine format (``%H``, ``%P``, ``%B`` separated by NUL, records ended by
NUL with ``-z``): a commit message cannot hold a NUL byte, so no message text can be mistaken
for a separator. A commit-msg hook's file is cleaned the way ``git commit`` cleans it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualitykit.changes import run_git
from qualitykit.errors import QualityKitError

if TYPE_CHECKING:
    from pathlib import Path

# `git commit --verbose` writes the diff below this line; git drops it and everything after.
_SCISSORS = re.compile(r"^# -+ >8 -+$")
_LOG_FORMAT = "--format=%H%x00%P%x00%B"
_FIELDS = 3


@dataclass(frozen=True)
class LoggedCommit:
    """One commit of a range: its id, how many parents it has, its message."""

    sha: str
    parents: int
    message: str


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def commits_in(root: Path, spec: str) -> list[LoggedCommit]:
    """The commits of ``BASE..HEAD`` (oldest first); exit 2 naming ``spec`` when git refuses."""
    if ".." not in spec or "..." in spec or spec.startswith(("-", "..")):
        raise QualityKitError(f"--range {spec!r}: expected BASE..HEAD (e.g. origin/main..HEAD)")
    done = run_git(root, "log", "-z", "--reverse", _LOG_FORMAT, "--end-of-options", spec, "--")
    if done.returncode != 0:
        lines = _text(done.stderr).strip().splitlines()
        detail = lines[0].removeprefix("fatal: ") if lines else f"exit code {done.returncode}"
        raise QualityKitError(f"--range {spec!r}: {detail}")
    fields = _text(done.stdout).split("\0")
    # With -z every record ends with NUL: the split leaves one empty string at the end.
    fields = fields[:-1] if fields and not fields[-1] else fields
    if len(fields) % _FIELDS:
        raise QualityKitError(f"--range {spec!r}: cannot parse git log's output")
    return [
        LoggedCommit(sha=sha.strip(), parents=len(parents.split()), message=message)
        for sha, parents, message in (
            fields[index : index + _FIELDS] for index in range(0, len(fields), _FIELDS)
        )
    ]


def current_branch(root: Path) -> str | None:
    """The checked-out branch's short name; None on a detached HEAD (or outside git)."""
    done = run_git(root, "symbolic-ref", "--quiet", "--short", "HEAD")
    name = _text(done.stdout).strip()
    return name if done.returncode == 0 and name else None


def default_branch(root: Path) -> str | None:
    """The remote's default branch (``origin/HEAD``), when the clone knows it."""
    done = run_git(root, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD")
    name = _text(done.stdout).strip()
    return name.split("/", 1)[-1] if done.returncode == 0 and name else None


def clean_message(text: str) -> str:
    """A commit-msg hook's message as git will store it (``--cleanup=strip``).

    Everything from the scissors line on is dropped, then comment lines (``#``, git's default
    ``core.commentChar``); trailing spaces go, runs of blank lines become one, and blank lines
    at the start and the end are removed.
    """
    kept: list[str] = []
    for line in text.splitlines():
        if _SCISSORS.match(line):
            break
        if not line.startswith("#"):
            kept.append(line.rstrip())
    cleaned: list[str] = []
    for line in kept:
        if line or (cleaned and cleaned[-1]):
            cleaned.append(line)
    while cleaned and not cleaned[-1]:
        cleaned.pop()
    return "\n".join(cleaned)
