"""One run at a time per project: an exclusive ``flock`` on ``.qualitykit/lock``.

Runs share ``.qualitykit/`` (coverage data, JUnit reports, results, logs): two gates at once
would combine each other's coverage data or judge each other's reports. A run that finds the
lock taken says so on stderr (naming the holder's pid) and waits. The kernel drops the lock
when its holder dies, even by SIGKILL, so a crashed run never blocks the next one; the lock's
descriptor is not inherited by the steps (Python opens files non-inheritable), so an orphaned
step does not hold it either.

Re-entrant within a thread: ``gate`` holds it around the fast path and the full run, and the
runner takes it again. Standard library only: the no-op fast path runs under it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import threading
import time
from typing import TYPE_CHECKING

from qualitykit.errors import QualityKitError

if TYPE_CHECKING:
    from collections.abc import Generator
    from pathlib import Path

LOCK_FILE = "lock"
# How long a waiting run looks for the holder's pid (only a hint for its message): 0.5 s.
_HINT_TRIES = 50
_HINT_WAIT_S = 0.01


class _Held(threading.local):
    def __init__(self) -> None:
        self.locks: set[tuple[int, int]] = set()  # (device, inode) of the lock files held


_HELD = _Held()


@contextlib.contextmanager
def hold_run_lock(state_dir: Path) -> Generator[None]:
    """Hold the project's run lock (``state_dir/lock``) for the ``with`` block; wait if taken.

    Any command that reads or writes the shared state under ``state_dir`` while running tools
    takes it: ``gate``, ``check``, and the runner itself. Inside a block that already holds
    it (same thread), it is a no-op.
    """
    path = state_dir / LOCK_FILE
    while True:
        descriptor = _open(path)
        try:
            info = os.fstat(descriptor)
            key = (info.st_dev, info.st_ino)
            if key in _HELD.locks:  # keyed by inode: no path spelling can make us wait for us
                yield
                return
            _acquire(descriptor)
            if not _still_at(path, key):
                continue  # the file was removed or replaced meanwhile: lock the current one
            # The holder's pid, for the message of a run that waits (the file's content is
            # only that hint: the lock is the flock on its inode, so it is rewritten in place).
            os.ftruncate(descriptor, 0)
            os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
            _HELD.locks.add(key)
            try:
                yield
            finally:
                _HELD.locks.discard(key)
                # No stale hint: the next holder's waiters read its pid, never ours.
                os.ftruncate(descriptor, 0)
            return
        finally:
            os.close(descriptor)  # releases the lock (a flock belongs to this descriptor)


def _still_at(path: Path, key: tuple[int, int]) -> bool:
    try:
        info = path.stat()
    # qualitykit: allow[QK-EXC-002] the lock file is gone, so it is not that lock
    except FileNotFoundError:
        return False
    return (info.st_dev, info.st_ino) == key


def _open(path: Path) -> int:
    state_dir = path.parent
    if not state_dir.parent.is_dir():  # a mistyped --root is no place to create directories
        raise QualityKitError(f"{state_dir.parent}: no such directory")
    if state_dir.exists() and not state_dir.is_dir():
        raise QualityKitError(f"{state_dir}: is a file, not a directory (qualitykit's state)")
    try:
        state_dir.mkdir(exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise QualityKitError(f"{path}: cannot take the run lock: {error.strerror}") from None


def _holder(descriptor: int) -> str | None:
    """The holder's pid from the lock file; it writes it just after taking the lock."""
    for _ in range(_HINT_TRIES):
        holder = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
        if holder.isdigit():
            return holder
        time.sleep(_HINT_WAIT_S)
    return None


def _acquire(descriptor: int) -> None:
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    # qualitykit: allow[QK-EXC-002] held by another run: the blocking wait below follows
    except BlockingIOError:
        pass
    else:
        return
    holder = _holder(descriptor)
    who = f" (pid {holder})" if holder else ""
    sys.stderr.write(
        f"qualitykit: another qualitykit run{who} is using this project; waiting for it\n"
    )
    sys.stderr.flush()
    # Blocks until the holder ends; a stop signal interrupts the wait (interrupts.Interrupted).
    fcntl.flock(descriptor, fcntl.LOCK_EX)
