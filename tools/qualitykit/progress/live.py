"""Progress as a rich Live view on a terminal: redrawn four times a second, then removed."""

from __future__ import annotations

import copy
import threading
import time
from typing import TYPE_CHECKING

from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rich.console import Console, ConsoleOptions, RenderableType

    from qualitykit.progress import Task, Tracker

# Four frames a second: smooth elapsed times at a cost the runs never feel (one small table).
_REFRESH_S = 0.25
_BAR_WIDTH = 24


def _figures(task: Task, now: float) -> str:
    parts = [f"{task.done}/{task.total}"]
    eta = task.eta(now)
    if eta is not None and task.done < (task.total or 0):
        parts.append(f"ETA {eta:.0f}s")
    parts.append(f"{task.failure_word} {task.failures}")
    return "  ".join(parts)


def _view(tasks: list[Task]) -> RenderableType:
    now = time.monotonic()
    grid = Table.grid(padding=(0, 2))
    # One line per task however narrow the terminal: cells are cut short, never wrapped.
    for _ in range(4):
        grid.add_column(no_wrap=True, overflow="ellipsis")
    for task in tasks:
        if task.ended is not None:
            continue
        elapsed = Text(f"{task.elapsed(now):.1f}s", style="dim")
        if task.total is None:
            grid.add_row(Text(f"running {task.label}", style="cyan"), "", "", elapsed)
        else:
            bar = ProgressBar(total=max(task.total, 1), completed=task.done, width=_BAR_WIDTH)
            grid.add_row(Text(task.label, style="cyan"), bar, _figures(task, now), elapsed)
    ended = [task for task in tasks if task.ended is not None]
    if ended:
        failed = sum(task.failed for task in ended)
        style = "red" if failed else "green"
        grid.add_row(Text(f"{len(ended)} done, {failed} failed", style=style), "", "", "")
    return grid


class _SafeView:
    """The tracker's running tasks; a rendering that raises switches the view off for good."""

    def __init__(self) -> None:
        self.tracker: Tracker | None = None
        self.broken = False

    def _tasks(self) -> list[Task]:
        if self.tracker is None:
            return []
        # A copy taken under the lock: rendering (which holds rich's console lock) never
        # waits for the tracker while it is held, so no two threads wait on each other.
        with self.tracker.lock:
            return [copy.copy(task) for task in self.tracker.tasks.values()]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        if self.broken:
            return
        try:
            lines = console.render_lines(_view(self._tasks()), options, pad=False)
        # qualitykit: allow[QK-EXC-002] progress is a courtesy: the run and its verdict go on
        except Exception:  # noqa: BLE001 - whatever rich raised, the view goes, the run stays
            self.broken = True
            return
        for number, line in enumerate(lines):
            if number:
                yield Segment.line()
            yield from line


class LiveRenderer:
    """A transient rich Live view on ``console``, refreshed by its own thread."""

    def __init__(self, console: Console) -> None:
        """Start the view (empty until the first task)."""
        self.view = _SafeView()
        # Our own refresh thread (not rich's): its loop survives a rendering error. stdout and
        # stderr are not redirected: everything printed meanwhile goes through ``console``.
        self.live = Live(
            self.view,
            console=console,
            auto_refresh=False,
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self.live.start()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._tick, name="qualitykit-progress", daemon=True)
        self.thread.start()

    def _tick(self) -> None:
        while not self.stopped.wait(_REFRESH_S) and not self.view.broken:
            try:
                self.live.refresh()
            # qualitykit: allow[QK-EXC-002] a terminal that refuses a frame ends the view only
            except Exception:  # noqa: BLE001 - the run goes on without a view
                self.view.broken = True

    def changed(self, tracker: Tracker, task: Task, event: str) -> None:  # noqa: ARG002
        """Nothing to print now: the next frame shows it."""
        self.view.tracker = tracker

    def close(self, tracker: Tracker) -> None:  # noqa: ARG002
        """Stop refreshing and remove the view."""
        self.stopped.set()
        self.thread.join()
        self.live.stop()
