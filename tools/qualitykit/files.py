"""The project's files as git sees them, without any heavy import.

Shared by the workspace (per-step inputs) and the gate fingerprint (the no-op fast path), so
both read exactly the same file list. Standard library only (the fast path imports it).

A project file is one git lists (tracked, or untracked and not ignored) that is not inside a
virtual environment, a tool's cache or a build tree: a ``.venv`` nobody listed in
``.gitignore`` is still not the project. Those directories are recognised by their markers
(``pyvenv.cfg``, ``conda-meta/history``, ``CACHEDIR.TAG``) and names (``__pycache__``,
``.tox``, ``.nox``, ``*.egg-info``); ``build/`` and ``dist/`` only when git does not track what
is in them.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from qualitykit.errors import QualityKitError

STATE_DIR = ".qualitykit"
# The gate's findings as SARIF 2.1.0, under STATE_DIR (qualitykit.sarif writes it).
SARIF_FILE = "gate.sarif"
# Directory names that are never the project (whatever git says).
_NOT_PROJECT_NAMES = frozenset({".git", STATE_DIR, "__pycache__", ".tox", ".nox", "node_modules"})
# Files that mark the directory holding them as not the project: a virtual environment
# (PEP 405), a conda environment and a cache (the Cache Directory Tagging Specification,
# written by mypy, pytest, ruff and others).
_NOT_PROJECT_MARKERS = ("pyvenv.cfg", "CACHEDIR.TAG", "conda-meta/history")
# Build output: not the project unless git tracks it.
_BUILD_NAMES = frozenset({"build", "dist"})
_GIT_TIMEOUT_S = 60


def find_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` holding a pyproject.toml (else ``start``)."""
    start = start.resolve()
    for candidate in (start, *start.parents):
        if (candidate / "pyproject.toml").is_file():
            return candidate
    return start


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    """Run git in ``root``; None when git is not installed."""
    try:
        return subprocess.run(  # noqa: S603 - argv list, never a shell
            ["git", *args],  # noqa: S607 - git from PATH, like the user's own shell
            cwd=root,
            capture_output=True,
            check=False,
            timeout=_GIT_TIMEOUT_S,
        )
    # qualitykit: allow[QK-EXC-002] no git: the caller walks the directory instead
    except FileNotFoundError:
        return None
    except (OSError, subprocess.TimeoutExpired) as error:
        raise QualityKitError(
            f"{root}: cannot list the project's files with git: {error}"
        ) from None


def _git_files(root: Path) -> dict[str, bool] | None:
    """Name → tracked, for git's listing; None outside a git work tree (or without git)."""
    listing = _git(root, "ls-files", "-z", "-t", "--cached", "--others", "--exclude-standard")
    if listing is None:
        return None
    if listing.returncode != 0:
        inside = _git(root, "rev-parse", "--is-inside-work-tree")
        if inside is None or inside.returncode != 0:
            return None  # not a git repository: walking the directory is right
        reason = listing.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = reason[0] if reason else f"exit code {listing.returncode}"
        msg = f"{root}: git ls-files failed, so the project's files are unknown: {detail}"
        raise QualityKitError(msg)
    files: dict[str, bool] = {}
    for entry in listing.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if len(entry) > 2:  # "T name": a one-letter tag, a space, the name
            # "?" tags an untracked file; every other tag a tracked one (H, S, M, ...).
            tracked = entry[0] != "?"
            name = entry[2:]
            files[name] = files.get(name, False) or tracked
    return files


class _Exclusions:
    """Decides, one directory at a time (memoised), whether a path is outside the project."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._excluded: dict[str, bool] = {}

    def directory(self, relative: str) -> bool:
        """Whether the directory ``relative`` (or one above it) is not the project."""
        if not relative:
            return False
        known = self._excluded.get(relative)
        if known is None:
            parent, _, name = relative.rpartition("/")
            known = self.directory(parent) or self._marked(relative, name)
            self._excluded[relative] = known
        return known

    def _marked(self, relative: str, name: str) -> bool:
        if name in _NOT_PROJECT_NAMES or name.endswith(".egg-info"):
            return True
        directory = self._root / relative
        return any((directory / marker).is_file() for marker in _NOT_PROJECT_MARKERS)

    def file(self, name: str, *, tracked: bool) -> bool:
        """Whether the file ``name`` is not a project file."""
        parent = name.rpartition("/")[0]
        if self.directory(parent):
            return True
        return not tracked and bool(_BUILD_NAMES.intersection(parent.split("/")))


def _walk_files(root: Path) -> dict[str, bool]:
    found: dict[str, bool] = {}
    exclusions = _Exclusions(root)
    for directory, subdirs, files in os.walk(root):
        base = Path(directory).relative_to(root).as_posix()
        prefix = "" if base == "." else base + "/"
        subdirs[:] = [name for name in subdirs if not exclusions.directory(prefix + name)]
        found.update(dict.fromkeys((prefix + name for name in files), False))
    return found


def project_files(root: Path) -> list[str]:
    """Project files, relative POSIX paths: git's view (tracked + untracked, not ignored).

    Outside a git repository: every file below ``root``. Either way without virtual
    environments, caches, qualitykit's state and untracked build output. A git that fails
    inside a repository is an error (QualityKitError), never a silent switch to walking.
    """
    listed = _git_files(root)
    names = listed if listed is not None else _walk_files(root)
    exclusions = _Exclusions(root)
    return sorted(
        name
        for name, tracked in names.items()
        # --cached lists tracked files deleted from the work tree; they are not inputs any more.
        if not exclusions.file(name, tracked=tracked) and (root / name).is_file()
    )
