"""The project's files as git sees them, without any heavy import.

Shared by the workspace (per-step inputs) and the gate fingerprint (the no-op fast path), so
both read exactly the same file list.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

STATE_DIR = ".qualitykit"
_WALK_SKIP = frozenset({".git", ".venv", STATE_DIR, "node_modules", "__pycache__", ".tox", ".nox"})
_GIT_TIMEOUT_S = 60


def find_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` holding a pyproject.toml (else ``start``)."""
    start = start.resolve()
    for candidate in (start, *start.parents):
        if (candidate / "pyproject.toml").is_file():
            return candidate
    return start


def _git_files(root: Path) -> list[str] | None:
    try:
        listing = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],  # noqa: S607
            cwd=root,
            capture_output=True,
            check=False,
            timeout=_GIT_TIMEOUT_S,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if listing.returncode != 0:
        return None
    names = {name for name in listing.stdout.decode("utf-8", "surrogateescape").split("\0") if name}
    # --cached lists tracked files deleted from the work tree; they are not inputs any more.
    return sorted(name for name in names if (root / name).is_file())


def _walk_files(root: Path) -> list[str]:
    found: list[str] = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = [name for name in subdirs if name not in _WALK_SKIP]
        base = Path(directory).relative_to(root)
        found.extend((base / name).as_posix() for name in files)
    return sorted(found)


def project_files(root: Path) -> list[str]:
    """Project files, relative POSIX paths: git's view (tracked + untracked, not ignored).

    Outside a git repository: every file below ``root`` except VCS, virtualenv and state dirs.
    """
    listed = _git_files(root)
    names = listed if listed is not None else _walk_files(root)
    # qualitykit's own state is never an input, even where .gitignore does not list it.
    return [name for name in names if not name.startswith(f"{STATE_DIR}/")]
