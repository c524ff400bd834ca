"""Live progress of long runs (the gate's steps, mutants, a test suite), on stderr.

One small event API, :class:`Tracker` (``start``, ``update`` with items done, the total and
failures so far, ``finish``), and three ways to show it, chosen by :func:`tracking`:

- ``live``: a rich Live view redrawn at most four times a second (running tasks with their
  elapsed time; done / total, failures so far and ETA where a total is known), removed when
  the run ends, so the final report is printed as it is without progress;
- ``plain``: whole lines only (no carriage return, no escape sequence): one per 10 % of a loop,
  one per 10 s of a task still running, one at a task's end (none at its start);
- ``off``: nothing.

The default is ``live`` on a terminal (stderr a TTY, ``CI`` not true, ``TERM`` not ``dumb``),
else ``plain``; ``QUALITYKIT_PROGRESS=live|plain|off`` overrides it (``live`` still needs a
terminal to draw on: elsewhere it is ``plain``).

Progress goes to **stderr**, like every line a person reads from qualitykit (the status lines
and the summary table: ``console.make_console``). stdout is kept for machine output
(``--json``, GitHub's workflow commands), which a pipe parses: a progress line there would
corrupt ``qualitykit gate --json | jq``.

Showing progress never changes a verdict: a live view that fails to render switches itself
off (the run goes on, its report is printed as usual).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from qualitykit.errors import QualityKitError

if TYPE_CHECKING:
    from collections.abc import Generator

    from rich.console import Console

MODE_VARIABLE = "QUALITYKIT_PROGRESS"
_MODES = ("live", "plain", "off")


@dataclass
class Task:
    """One thing in progress: a gate step, a mutation run, a test suite."""

    label: str
    started: float
    total: int | None = None
    done: int = 0
    failures: int = 0
    # What a failure is called in this task's line: "failed", "survived".
    failure_word: str = "failed"
    # Set when the task ended: its outcome in a word or two, and whether it failed.
    outcome: str | None = None
    failed: bool = False
    ended: float | None = None

    def elapsed(self, now: float) -> float:
        """Seconds since the task started (until it ended)."""
        return (self.ended if self.ended is not None else now) - self.started

    def eta(self, now: float) -> float | None:
        """Seconds left at the rate so far; None without a total or before the first item."""
        if self.total is None or self.done <= 0:
            return None
        elapsed = self.elapsed(now)
        return max(self.total - self.done, 0) * elapsed / self.done


class Renderer(Protocol):
    """How a tracker's state is shown."""

    def changed(self, tracker: Tracker, task: Task, event: str) -> None:
        """``task`` had ``event`` (``start``, ``advance``, ``finish``), under the tracker's lock."""

    def close(self, tracker: Tracker) -> None:
        """The run ended: remove whatever is transient (outside the tracker's lock)."""


class Tracker:
    """The tasks of one run and what is shown of them (thread-safe)."""

    def __init__(self, renderer: Renderer | None) -> None:
        """Show events with ``renderer`` (None: keep the state, show nothing)."""
        self.lock = threading.RLock()
        self.tasks: dict[str, Task] = {}
        self.renderer = renderer

    def _changed(self, task: Task, event: str) -> None:
        if self.renderer is not None:
            self.renderer.changed(self, task, event)

    def start(
        self,
        key: str,
        *,
        label: str | None = None,
        total: int | None = None,
        failure_word: str = "failed",
    ) -> None:
        """A task begins (its elapsed time counts from now)."""
        with self.lock:
            task = Task(label or key, time.monotonic(), total, failure_word=failure_word)
            self.tasks[key] = task
            self._changed(task, "start")

    def update(
        self, key: str, *, done: int, total: int | None = None, failures: int | None = None
    ) -> None:
        """Absolute figures for a task: items done, the total if now known, failures so far."""
        with self.lock:
            task = self.tasks[key]
            task.done = done
            if total is not None:
                task.total = total
            if failures is not None:
                task.failures = failures
            self._changed(task, "advance")

    def finish(self, key: str, outcome: str | None = None, *, failed: bool = False) -> None:
        """The task ended; ``outcome`` None when the caller prints the task's own final line."""
        with self.lock:
            task = self.tasks.get(key)
            if task is None:  # ended without a start (a cached gate step)
                task = Task(key, time.monotonic())
                self.tasks[key] = task
            task.outcome, task.failed, task.ended = outcome, failed, time.monotonic()
            self._changed(task, "finish")

    def close(self) -> None:
        """End the display (a live view disappears; the final report follows)."""
        with self.lock:
            renderer, self.renderer = self.renderer, None
        # Outside the lock: a live view's last frame reads the tasks under it.
        if renderer is not None:
            renderer.close(self)


def progress_mode(console: Console) -> str:
    """``live``, ``plain`` or ``off``: ``QUALITYKIT_PROGRESS``, else what ``console`` allows.

    An unknown value of the variable is bad input: exit 2, one line.
    """
    chosen = os.environ.get(MODE_VARIABLE, "").strip().lower()
    if chosen:
        if chosen not in _MODES:
            said = os.environ[MODE_VARIABLE]
            msg = f"{MODE_VARIABLE}={said!r}: expected one of {', '.join(_MODES)}"
            raise QualityKitError(msg)
        return chosen
    # make_console() already treats CI and pipes as plain; a dumb terminal cannot move its
    # cursor, so a live view would print every frame one under another.
    dumb = os.environ.get("TERM", "") == "dumb"
    return "live" if console.is_terminal and not dumb else "plain"


@contextlib.contextmanager
def tracking(console: Console) -> Generator[Tracker]:
    """A tracker shown as :func:`progress_mode` says, closed (live view removed) on exit."""
    mode = progress_mode(console)
    renderer: Renderer | None
    if mode == "live" and console.is_terminal:
        from qualitykit.progress.live import LiveRenderer  # noqa: PLC0415 - only on a terminal

        renderer = LiveRenderer(console)
    elif mode == "off":
        renderer = None
    else:
        from qualitykit.progress.plain import PlainRenderer  # noqa: PLC0415

        renderer = PlainRenderer(sys.stderr)
    tracker = Tracker(renderer)
    try:
        yield tracker
    finally:
        tracker.close()
