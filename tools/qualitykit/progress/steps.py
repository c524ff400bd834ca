"""Progress of gate steps: the runner's start and finish callbacks, shown with a tracker."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualitykit.progress import Tracker, tracking
from qualitykit.summary import status_line

if TYPE_CHECKING:
    from collections.abc import Generator

    from rich.console import Console

    from qualitykit.results import StepResult


@dataclass(frozen=True)
class StepProgress:
    """What ``run_steps`` calls: ``started(name)`` and ``finished(result)``."""

    console: Console
    tracker: Tracker

    def started(self, name: str) -> None:
        """A step's process is about to start: it shows as running, with its elapsed time."""
        self.tracker.start(name)

    def finished(self, result: StepResult) -> None:
        """A step ended (or was reused from the cache): its status line, as without progress."""
        # Ended first, so the frame drawn under the status line no longer shows it running.
        # No outcome: the status line is the step's last line, in every mode.
        self.tracker.finish(result.step, failed=not result.ok)
        status_line(self.console, result)


@contextlib.contextmanager
def step_progress(console: Console) -> Generator[StepProgress]:
    """Progress of the steps run inside the block; a live view is gone when it ends."""
    with tracking(console) as tracker:
        yield StepProgress(console, tracker)
