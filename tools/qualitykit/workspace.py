"""The project as the steps see it: its root, its files, its locked tool versions.

Built once per gate run and shared by every step, so the file list and the lock are read once.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import pathspec

from qualitykit.config import Config, load_config
from qualitykit.errors import QualityKitError
from qualitykit.files import STATE_DIR, find_root, project_files

if TYPE_CHECKING:
    from pathlib import Path

LOCKFILE = "uv.lock"


def read_locked_versions(path: Path) -> dict[str, str]:
    """Package name → version from a uv.lock (empty when there is no lock)."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    # qualitykit: allow[QK-EXC-002] no lock file: no locked versions, by contract
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
        return project_files(self.root)

    @cached_property
    def locked_versions(self) -> dict[str, str]:
        """Versions pinned in the project's uv.lock."""
        return read_locked_versions(self.root / LOCKFILE)

    def select(self, patterns: tuple[str, ...]) -> list[str]:
        """The project files matching gitignore-style ``patterns``, sorted."""
        if not patterns:
            return []
        spec = pathspec.GitIgnoreSpec.from_lines(patterns)
        return [name for name in self.files if spec.match_file(name)]

    def digest(self, name: str) -> str:
        """Content hash of one project file (memoised for the life of this workspace)."""
        known = self._digests.get(name)
        if known is None:
            known = _hash(self.root / name)
            self._digests[name] = known
        return known

    def snapshot(self, names: list[str]) -> dict[str, str]:
        """Digests of the readable files of ``names`` (one gone since the listing is skipped)."""
        taken: dict[str, str] = {}
        for name in names:
            try:
                taken[name] = self.digest(name)
            # qualitykit: allow[QK-EXC-002] a file gone since the listing is skipped, by contract
            except OSError:
                continue
        return taken

    def changed(self, before: dict[str, str]) -> list[str]:
        """The files of ``before`` (name → digest) whose content differs now, or that are gone."""
        moved: list[str] = []
        for name, digest in before.items():
            try:
                now = _hash(self.root / name)
            except OSError:
                now = None
            if now != digest:
                moved.append(name)
        return moved


def _hash(path: Path) -> str:
    return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
