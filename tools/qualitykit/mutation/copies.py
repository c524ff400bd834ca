"""Private copies of the project: the only place a mutant is ever written.

Each run gets a directory under the system temp dir holding one copy per worker. The directory
records its owner's pid, so a run that was SIGKILLed (and could not clean up) has its leftovers
removed by the next run. The user's tree is only ever read.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Self

from qualitykit.errors import QualityKitError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import TracebackType

_PREFIX = "run-"
_OWNER = "owner.pid"


def runs_directory() -> Path:
    """Where every run keeps its private copies (one directory per run, per user)."""
    return Path(tempfile.gettempdir()) / f"qualitykit-mutation-{os.getuid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    # qualitykit: allow[QK-EXC-002] kill(pid, 0) says the process is gone
    except ProcessLookupError:
        return False
    # qualitykit: allow[QK-EXC-002] kill(pid, 0) says it exists (another user's)
    except PermissionError:
        return True
    return True


def remove_stale() -> None:
    """Delete the copies of runs whose process is gone."""
    base = runs_directory()
    if not base.is_dir():
        return
    for run in base.glob(f"{_PREFIX}*"):
        try:
            pid = int((run / _OWNER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pid = 0
        if pid == os.getpid() or (pid and _alive(pid)):
            continue
        shutil.rmtree(run, ignore_errors=True)


class Copies:
    """A context manager: ``make(n)`` copies of ``files`` of ``root``; all removed on exit."""

    def __init__(self, root: Path, files: Sequence[str]) -> None:
        """Copies of ``files`` (paths relative to ``root``); nothing is made before the block."""
        self.root = root
        self.files = files
        self.directory: Path | None = None
        self.copies: list[Path] = []

    def __enter__(self) -> Self:
        """Remove stale runs' leftovers; make this run's private directory."""
        remove_stale()
        base = runs_directory()
        try:
            base.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.directory = Path(tempfile.mkdtemp(prefix=_PREFIX, dir=base))
            (self.directory / _OWNER).write_text(str(os.getpid()), encoding="utf-8")
        except OSError as error:
            raise QualityKitError(
                f"mutation: cannot create a private work directory: {error}"
            ) from None
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Remove every copy this run made."""
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)

    def make(self, count: int) -> list[Path]:
        """At least ``count`` copies (made on demand), resolved paths."""
        if self.directory is None:  # pragma: no cover - used outside the with-block
            msg = "Copies.make outside its with-block"
            raise RuntimeError(msg)
        while len(self.copies) < count:
            target = (self.directory / f"w{len(self.copies)}").resolve()
            try:
                self._copy(target)
            except OSError as error:
                raise QualityKitError(
                    f"mutation: cannot make a private copy of the project in {target}: {error}"
                ) from None
            self.copies.append(target)
        return self.copies[:count]

    def _copy(self, target: Path) -> None:
        target.mkdir()
        made: set[Path] = set()
        for name in self.files:
            source = self.root / name
            destination = target / name
            parent = destination.parent
            if parent not in made:
                parent.mkdir(parents=True, exist_ok=True)
                made.add(parent)
            if source.is_symlink():
                with contextlib.suppress(FileExistsError):
                    destination.symlink_to(source.readlink())
            else:
                shutil.copy2(source, destination)
