"""What changed since a base ref: one module for every capability that asks.

Used by diff coverage, mutation ``--changed`` (and, as they land, policy ``--base`` and the
incremental gate). Changed lines are numbered as the work tree is: committed, staged and
unstaged changes against the merge-base of ``base`` and HEAD, plus every line of untracked files.

Paths and contents are bytes to git: names are read unquoted (``core.quotePath=false``, and
git's C-style quoting undone for the names it still quotes) and every byte is decoded with
``surrogateescape``, so a non-ASCII name is never skipped and a Latin-1 source never crashes
the decoding. A name that is not UTF-8 comes back as the str ``os.fsdecode`` gives for it.
"""

from __future__ import annotations

import re
import subprocess
from typing import TYPE_CHECKING

from qualitykit.errors import QualityKitError

if TYPE_CHECKING:
    from pathlib import Path

_GIT_TIMEOUT_S = 120
# The user's git configuration must not change what we parse: prefixes, quoting, relative diffs.
_DIFF_OPTIONS = (
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--no-relative",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "--unified=0",
    "-M",
)
_ESCAPES = {b"a": 7, b"b": 8, b"t": 9, b"n": 10, b"v": 11, b"f": 12, b"r": 13}
_QUOTED = re.compile(rb"\\([0-7]{3}|.)", re.DOTALL)


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def run_git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """``git ARGS`` in ``root`` (paths unquoted, bounded in time); its exit code is the caller's.

    A git that cannot start or hangs is a QualityKitError naming the git command.
    """
    try:
        return subprocess.run(  # noqa: S603 - argv list
            ["git", "-c", "core.quotePath=false", *args],  # noqa: S607 - git from PATH
            cwd=root,
            capture_output=True,
            check=False,
            timeout=_GIT_TIMEOUT_S,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise QualityKitError(f"git {args[0]} failed: {error}") from None


def _git(root: Path, *args: str) -> str:
    done = run_git(root, *args)
    if done.returncode != 0:
        detail = _decode(done.stderr).strip().splitlines()[-1:] or ["no output"]
        raise QualityKitError(f"git {' '.join(args[:2])} failed: {detail[0]}")
    return _decode(done.stdout)


def _unquote(name: str) -> str:
    """A path as git prints it in a diff header: C-style quoted when it has special bytes."""
    if not (len(name) >= 2 and name.startswith('"') and name.endswith('"')):
        return name
    raw = name[1:-1].encode("utf-8", "surrogateescape")

    def replace(match: re.Match[bytes]) -> bytes:
        code = match.group(1)
        if len(code) == 3:
            return bytes([int(code, 8)])
        return bytes([_ESCAPES[code]]) if code in _ESCAPES else code

    return _decode(_QUOTED.sub(replace, raw))


def _work_tree_name(target: str) -> str:
    return _unquote(target).removeprefix("b/")


def changed_lines(root: Path, base: str) -> dict[str, frozenset[int]]:
    """Work-tree line numbers added or changed since the merge-base of ``base`` and HEAD."""
    try:
        merge_base = _git(root, "merge-base", base, "HEAD").strip()
    except QualityKitError:
        raise QualityKitError(f"unknown base {base!r}: no merge-base with HEAD") from None
    diff = _git(root, "diff", *_DIFF_OPTIONS, merge_base, "--")
    # qualitykit: allow[QK-INT-070] imported on use: the commit-stage check never diffs
    from unidiff.errors import UnidiffParseError  # noqa: PLC0415

    # qualitykit: allow[QK-INT-070] imported on use: the commit-stage check never diffs
    from unidiff.patch import PatchSet  # noqa: PLC0415

    try:
        patch = PatchSet.from_string(diff)
    except UnidiffParseError as error:
        raise QualityKitError(f"cannot parse git diff: {error}") from None
    changed: dict[str, set[int]] = {}
    for patched in patch:
        if patched.is_removed_file:
            continue
        lines = {line.target_line_no for hunk in patched for line in hunk if line.is_added}
        lines.discard(None)
        if lines:
            name = _work_tree_name(patched.target_file)
            changed.setdefault(name, set()).update(n for n in lines if n is not None)
    for name in _git(root, "ls-files", "--others", "--exclude-standard", "-z").split("\0"):
        if name and (root / name).is_file():
            count = len((root / name).read_bytes().splitlines())
            changed.setdefault(name, set()).update(range(1, count + 1))
    return {name: frozenset(lines) for name, lines in changed.items()}


# Policy `--base` reads the base version of files. Appended here, after the diff's own code,
# so that the module's other users are untouched.
def merge_base(root: Path, base: str) -> str:
    """The commit where HEAD's history meets ``base`` (exit 2 naming ``base`` when none)."""
    try:
        return _git(root, "merge-base", base, "HEAD").strip()
    except QualityKitError:
        raise QualityKitError(f"unknown base {base!r}: no merge-base with HEAD") from None


def file_at(root: Path, commit: str, path: str) -> str | None:
    """The text of ``path`` at ``commit`` (None when it does not exist there or is not text)."""
    try:
        return _git(root, "show", f"{commit}:{path}")
    # qualitykit: allow[QK-EXC-002] not in that commit, or not text: None is the documented answer
    except (QualityKitError, UnicodeDecodeError):
        return None


def changed_files(root: Path, commit: str, *, deleted_only: bool = False) -> list[str]:
    """Tracked files that differ between ``commit`` and the work tree (or only the deleted)."""
    only = ("--diff-filter=D",) if deleted_only else ()
    listing = _git(root, "diff", "--name-only", "--no-renames", *only, "-z", commit, "--")
    return [name for name in listing.split("\0") if name]
