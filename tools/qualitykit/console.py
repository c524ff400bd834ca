"""The stderr console every command prints to, apart from the gate's result models.

``qualitykit triage`` prints through it while the suite runs: importing the summary (the
result models, rich's tables) there cost start-up time beside the suite's own.
"""

from __future__ import annotations

import os
import sys

from rich.console import Console

# The width of plain output (pipes, CI): wide enough for a status line with its counts.
PLAIN_WIDTH = 120


def make_console() -> Console:
    """The stderr console: colour on a terminal, plain text in pipes and under CI."""
    plain = not sys.stderr.isatty() or os.environ.get("CI", "").lower() in {"1", "true"}
    return Console(
        stderr=True,
        no_color=plain,
        highlight=False,
        width=PLAIN_WIDTH if plain else None,
        force_terminal=False if plain else None,
    )
