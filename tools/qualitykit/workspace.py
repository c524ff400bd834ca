"""The project as the steps see it: its root, its files, its locked tool versions.

Built once per gate run and shared by every step, so the file list and the lock are read once.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pathspec

from qualitykit.config import Config, load_config
from qualitykit.errors import QualityKitError

STATE_DIR = ".qualitykit"
LOCKFILE = "uv.lock"
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


def read_locked_versions(path: Path) -> dict[str, str]:
    """Package name → version from a uv.lock (empty when there is no lock)."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise QualityKitError(f"{path}: cannot read the lock file: {error}") from None
    versions: dict[str, str] = {}
    packages: object = document.get("package", [])
    if isinstance(packages, list):
        for package in packages:  # pyright: ignore[reportUnknownVariableType]
            if isinstance(package, dict):
                name = package.get("name")  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
                version = package.get("version", "")  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
                if isinstance(name, str):
                    versions[name] = str(version)  # pyright: ignore[reportUnknownArgumentType]
    return versions


@dataclass
class Workspace:
    """One project checkout: root, configuration, file list and content hashes."""

    root: Path
    config: Config
    _digests: dict[str, str] = field(default_factory=dict[str, str], repr=False)

    @classmethod
    def load(cls, start: Path) -> Workspace:
        """The workspace whose root is at or above ``start``, with its configuration read."""
        root = find_root(start)
        return cls(root=root, config=load_config(root))

    @property
    def state_dir(self) -> Path:
        """Where generated state lives (results, logs, caches): ``ROOT/.qualitykit``."""
        return self.root / STATE_DIR

    @cached_property
    def files(self) -> list[str]:
        """Project files, relative POSIX paths: git's view (tracked + untracked, not ignored)."""
        listed = _git_files(self.root)
        return listed if listed is not None else _walk_files(self.root)

    @cached_property
    def locked_versions(self) -> dict[str, str]:
        """Versions pinned in the project's uv.lock."""
        return read_locked_versions(self.root / LOCKFILE)

    def select(self, patterns: tuple[str, ...]) -> list[str]:
        """The project files matching gitignore-style ``patterns``, sorted."""
        if not patterns:
            return []
        spec = pathspec.PathSpec.from_lines("gitwildmatch", patterns)
        return [name for name in self.files if spec.match_file(name)]

    def digest(self, name: str) -> str:
        """Content hash of one project file (memoised for the life of this workspace)."""
        known = self._digests.get(name)
        if known is None:
            known = hashlib.blake2b((self.root / name).read_bytes(), digest_size=16).hexdigest()
            self._digests[name] = known
        return known
