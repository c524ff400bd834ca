"""Progress as whole lines: for logs, pipes and CI (no carriage return, no escape sequence)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from qualitykit.progress import Task, Tracker

# A long loop prints a line per this share of its total, or after this long without one.
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
    """One line per task start and end, and per 10 % or 10 s of a long loop."""

    def __init__(self, stream: TextIO) -> None:
        """Write to ``stream`` (stderr), flushing every line."""
        self.stream = stream
        # Per task: the 10 % bucket, the time and the items done of its last figures line.
        self.shown: dict[str, tuple[int, float, int]] = {}

    def _line(self, text: str) -> None:
        # A label or outcome holding a line break must not fake a line of its own.
        self.stream.write(" ".join(text.splitlines()) + "\n")
        self.stream.flush()

    def changed(self, tracker: Tracker, task: Task, event: str) -> None:  # noqa: ARG002
        """Print the lines ``event`` calls for."""
        now = time.monotonic()
        if event == "start":
            self.shown[task.label] = (0, now, -1)
            self._line(f"{task.label}: running")
        elif event == "finish":
            last_done = self.shown.get(task.label, (0, now, -1))[2]
            if task.total is not None and task.done != last_done:
                self._line(_figures(task, now))
            if task.outcome is not None:
                self._line(f"{task.label}: {task.outcome} ({task.elapsed(now):.1f} s)")
        elif task.total is not None:
            bucket = 100 * task.done // max(task.total, 1) // _EVERY_PERCENT
            last_bucket, last_time, _ = self.shown.get(task.label, (0, task.started, -1))
            if bucket > last_bucket or now - last_time >= _EVERY_S:
                self.shown[task.label] = (bucket, now, task.done)
                self._line(_figures(task, now))

    def close(self, tracker: Tracker) -> None:
        """Nothing to remove: lines stay."""
