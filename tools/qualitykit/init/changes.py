"""The files ``init`` writes, as one change set: shown as a unified diff, or written all or none.

Every new content is computed before anything is written. Writing puts each file's content in
a temp file beside it first (a full disk or a directory in the way fails there, before any
file changed), then renames them into place one after the other; if a rename fails, the files
already replaced get their old content back and the new ones are removed.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from qualitykit.errors import QualityKitError


@dataclass(frozen=True)
class FileChange:
    """One file's content before (``None``: it does not exist) and after ``init``."""

    path: str  # relative to the root, "/"-separated
    before: str | None
    after: str
    why: str

    @property
    def changed(self) -> bool:
        """Whether writing it would change anything."""
        return self.before != self.after


def unified_diff(changes: list[FileChange]) -> str:
    """Every change as one unified diff (``/dev/null`` for a new file), as ``git diff`` shows."""
    chunks: list[str] = []
    for change in changes:
        if not change.changed:
            continue
        old = (change.before or "").splitlines(keepends=True)
        new = change.after.splitlines(keepends=True)
        before_name = "/dev/null" if change.before is None else f"a/{change.path}"
        lines = difflib.unified_diff(old, new, before_name, f"b/{change.path}")
        chunks.extend(
            line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
            for line in lines
        )
    return "".join(chunks)


def _stage(root: Path, change: FileChange) -> Path:
    target = root / change.path
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".qk-init", dir=target.parent
        )
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as temp:
            temp.write(change.after)
    except OSError as error:
        raise QualityKitError(f"{target}: cannot write: {error.strerror or error}") from None
    if target.is_dir():
        Path(name).unlink()
        raise QualityKitError(f"{target}: is a directory, not a file")
    return Path(name)


def write_all(root: Path, changes: list[FileChange]) -> list[str]:
    """Write every changed file, all or none; the paths written, in order."""
    todo = [change for change in changes if change.changed]
    staged: list[tuple[FileChange, Path]] = []
    try:
        staged.extend((change, _stage(root, change)) for change in todo)
    except BaseException:
        for _, temp in staged:
            temp.unlink(missing_ok=True)
        raise
    done: list[FileChange] = []
    try:
        for change, temp in staged:
            temp.replace(root / change.path)
            done.append(change)
    except BaseException as error:
        _undo(root, done)
        for _, temp in staged:
            temp.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise QualityKitError(f"init: nothing written: {error}") from None
        raise
    return [change.path for change in todo]


def _undo(root: Path, done: list[FileChange]) -> None:
    for change in reversed(done):
        target = root / change.path
        with contextlib.suppress(OSError):
            if change.before is None:
                target.unlink()
            else:
                target.write_text(change.before, encoding="utf-8", newline="")
