"""Progress as whole lines: for logs, pipes and CI (no carriage return, no escape sequence).

No line when a task starts: a gate step that ends at once has its status line and nothing
else, and bad input found while a step runs stays the one line it is (exit 2). A task still
running after 10 s gets a line (``mypy: running, 10 s``), and one per 10 s after that, so a
long CI job never looks hung; a loop with a total gets one per 10 % as well.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from qualitykit.progress import Task, Tracker

# A long loop prints a line per this share of its total, and any task one per this long.
_EVERY_PERCENT = 10
_EVERY_S = 10.0


def _figures(task: Task, now: float) -> str:
    total = task.total if task.total is not None else "?"
    text = f"{task.label}: {task.done}/{total}"
    if task.total:
        text += f" ({100 * task.done // task.total}%)"
    elapsed = task.elapsed(now)
    if elapsed > 0 and task.done:
        text += f", {task.done / elapsed:.1f}/s"
    eta = task.eta(now)
    if eta is not None:
        text += f", ETA {eta:.0f} s"
    return f"{text}, {task.failure_word} so far {task.failures}"


class PlainRenderer:
    """Lines per 10 % of a loop, per ``every_s`` of any running task, and at each task's end."""

    def __init__(self, stream: TextIO, every_s: float = _EVERY_S) -> None:
        """Write to ``stream`` (stderr), flushing every line."""
        self.stream = stream
        self.every_s = every_s
        # Per running task: the 10 % bucket, the time of its last line, the items it showed.
        self.shown: dict[str, tuple[int, float, int]] = {}
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None

    def _line(self, text: str) -> None:
        # A label or outcome holding a line break must not fake a line of its own.
        self.stream.write(" ".join(text.splitlines()) + "\n")
        self.stream.flush()

    def changed(self, tracker: Tracker, task: Task, event: str) -> None:
        """Print the lines ``event`` calls for."""
        now = time.monotonic()
        if event == "start":
            self.shown[task.label] = (0, now, -1)
            if self.thread is None:
                self.thread = threading.Thread(
                    target=self._tick, args=(tracker,), name="qualitykit-progress", daemon=True
                )
                self.thread.start()
        elif event == "finish":
            _, _, last_done = self.shown.pop(task.label, (0, now, -1))
            if task.total is not None and task.done != last_done:
                self._line(_figures(task, now))
            if task.outcome is not None:
                self._line(f"{task.label}: {task.outcome} ({task.elapsed(now):.1f} s)")
        elif task.total is not None and task.label in self.shown:
            bucket = 100 * task.done // max(task.total, 1) // _EVERY_PERCENT
            last_bucket, last_time, _ = self.shown[task.label]
            if bucket > last_bucket or now - last_time >= self.every_s:
                self.shown[task.label] = (bucket, now, task.done)
                self._line(_figures(task, now))

    def _tick(self, tracker: Tracker) -> None:
        """A line for each task that has run ``every_s`` since its last one (a heartbeat)."""
        while not self.stopped.wait(min(self.every_s / 4, 1.0)):
            with tracker.lock:
                now = time.monotonic()
                for task in tracker.tasks.values():
                    if task.label not in self.shown or task.ended is not None:
                        continue
                    bucket, last_time, last_done = self.shown[task.label]
                    if now - last_time < self.every_s:
                        continue
                    if task.total is None:
                        self.shown[task.label] = (bucket, now, last_done)
                        self._line(f"{task.label}: running, {task.elapsed(now):.0f} s")
                    else:
                        self.shown[task.label] = (bucket, now, task.done)
                        self._line(_figures(task, now))

    def close(self, tracker: Tracker) -> None:  # noqa: ARG002
        """Stop the heartbeat; the lines stay."""
        self.stopped.set()
        if self.thread is not None:
            self.thread.join()
