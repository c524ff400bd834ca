"""Interrupts: SIGINT, SIGTERM and SIGHUP end a qualitykit command the same quick, clean way.

The first signal raises :class:`Interrupted` in the main thread; the runner's cleanup then
SIGTERMs every step's process group, waits a short grace and SIGKILLs what is left. A second
signal must not abort that cleanup half-way (orphans), so it only asks it to hurry: SIGKILL
at once. The CLI prints one ``qualitykit: interrupted (SIGxxx)`` line and exits 128 + signum.

Steps run in their own sessions, so a process that starts *its own* session (a nested gate, a
daemon) escapes a kill of the step's process group, and when its parent dies it would be
re-parented to init. The CLI process therefore makes itself a *child subreaper* (Linux
``PR_SET_CHILD_SUBREAPER``): such orphans are re-parented to us, stay our descendants, and
:func:`kill_descendants` finds them in ``/proc``. Only the CLI does this: a program using
qualitykit's API keeps its own children.

Standard library only: the CLI imports this module before the no-op fast path.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType

# Every signal a terminal or a CI runner sends to stop a job.
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_PR_SET_CHILD_SUBREAPER = 36  # <linux/prctl.h>
_PROC = "/proc"
_REAP_WAIT_S = 0.3
_POLL_S = 0.02


class Interrupted(KeyboardInterrupt):
    """The command was asked to stop by ``signum``.

    A KeyboardInterrupt, so code that already lets Ctrl-C through lets every stop signal through.
    """

    def __init__(self, signum: int) -> None:
        """Record which signal arrived."""
        super().__init__(signum)
        self.signum = signum

    @property
    def signal_name(self) -> str:
        """``SIGINT``, ``SIGTERM``, ..."""
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        """128 + the signal number, as a shell reports a job ended by that signal."""
        return 128 + self.signum


class _State:
    received: int | None = None  # the first signal
    hurry = False  # a second signal arrived: kill now, no grace
    installed = False  # the CLI owns this process (not a program using the API)
    owns_descendants = False  # this process is a subreaper: its descendants are its own


def _handle(signum: int, frame: FrameType | None) -> None:
    del frame
    if _State.received is None:
        _State.received = signum
        raise Interrupted(signum)
    # Raising again would abort the cleanup the first signal started and leave orphans.
    _State.hurry = True


def install() -> None:
    """Route the stop signals to :class:`Interrupted` (the CLI calls this first thing).

    A signal ignored when we started (``nohup``, a background job of a script) stays ignored:
    whoever started us asked for that.
    """
    for signum in SIGNALS:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, _handle)
    _State.installed = True


def adopt_orphans() -> None:
    """Before starting steps: make the CLI's process the reaper of its orphaned descendants.

    Linux only (elsewhere a process that leaves its step's group and session is not found).
    A program using the API is left alone: its other children are none of our business.
    """
    if not _State.installed or _State.owns_descendants or not sys.platform.startswith("linux"):
        return
    import ctypes  # noqa: PLC0415 - ~2 ms the no-op fast path does not need

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        _State.owns_descendants = libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        _State.owns_descendants = False


def interrupted() -> bool:
    """Whether a stop signal has arrived."""
    return _State.received is not None


def hurried() -> bool:
    """Whether a second stop signal asked the cleanup to skip the grace period."""
    return _State.hurry


def _children_by_parent(*, zombies: bool = False) -> dict[int, list[int]]:
    """Every live (or, with ``zombies``, every zombie) process's pid, by its parent's pid."""
    children: dict[int, list[int]] = {}
    with contextlib.suppress(OSError), os.scandir(_PROC) as entries:
        for entry in entries:
            if not entry.name.isdigit():
                continue
            try:
                with open(f"{_PROC}/{entry.name}/stat", "rb") as stat:  # noqa: PTH123
                    line = stat.read()
            # qualitykit: allow[QK-EXC-002] a process that ended meanwhile has no stat file
            except OSError:
                continue  # gone meanwhile
            # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
            fields = line[line.rindex(b")") + 2 :].split()
            if (fields[0] == b"Z") == zombies:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def descendants() -> list[int]:
    """The pids of this process's live descendants (an empty list when not a subreaper)."""
    if not _State.owns_descendants:
        return []
    children = _children_by_parent()
    found: list[int] = []
    frontier = [os.getpid()]
    while frontier:
        kids = children.get(frontier.pop(), [])
        found.extend(kids)
        frontier.extend(kids)
    return found


def reap_adopted(spawned: set[int]) -> None:
    """Collect the exit status of orphans this process adopted as their subreaper.

    A step's child whose parent died is re-parented to us; once it ends it stays a zombie
    until we wait for it, and when we exit, our zombies pass to the next subreaper up (a
    gate that runs this gate in a test) and stay there. Only pids no ``Popen`` of ours
    started are reaped here: reaping one of those would hand its ``Popen`` no exit status.
    """
    if not _State.owns_descendants:
        return
    me = os.getpid()

    def none_left() -> bool:
        reap([pid for pid in _children_by_parent(zombies=True).get(me, []) if pid not in spawned])
        return not [pid for pid in _children_by_parent().get(me, []) if pid not in spawned]

    # A process killed with its step's group a moment ago may not have ended yet: wait for
    # such stragglers briefly (a daemon that left its session keeps running; we leave it).
    # How many a scan finds is timing: the loops live in reap and poll_until, whose every
    # line the unit tests run, so the suite's coverage does not move with it.
    poll_until(none_left, _REAP_WAIT_S)


def reap(pids: list[int]) -> None:
    """Collect the exit status of each ended child in ``pids`` (not a child: nothing)."""
    for pid in pids:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def poll_until(done: Callable[[], bool], seconds: float) -> bool:
    """Call ``done`` every 20 ms until it is true (True) or ``seconds`` have passed (False)."""
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL_S)
    return True


def kill_descendants() -> None:
    """SIGKILL every live descendant of this process, including ones that left their group.

    Repeated until a scan finds no new one, so a process forked while we were killing is
    caught too. A pid found here is a child of ours or of one of our descendants (it could be
    reused between the scan and the kill only if the kernel wrapped around the whole pid
    space within those microseconds).
    """
    killed: set[int] = set()
    for _ in range(50):
        fresh = [pid for pid in descendants() if pid not in killed]
        if not fresh:
            return
        for pid in fresh:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        killed.update(fresh)
        time.sleep(0.01)
