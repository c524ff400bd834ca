"""``qualitykit baseline [--update]``: record today's findings, or remove the fixed ones."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape

from qualitykit.baseline.record import record_baseline, update_baseline
from qualitykit.console import make_console
from qualitykit.summary import status_line

if TYPE_CHECKING:
    from pathlib import Path


def _sizes(steps: dict[str, int]) -> str:
    return ", ".join(f"{step} {count}" for step, count in steps.items()) or "no findings"


def record(root: Path) -> int:
    """Record the baseline; exit 1 when a step stays red under it (an error, a failing test)."""
    console = make_console()
    done = record_baseline(root, on_result=lambda result: status_line(console, result))
    sizes = {step: len(entries) for step, entries in done.baseline.steps.items()}
    console.print(
        f"qualitykit: recorded {done.baseline.size} findings in {escape(str(done.path))}: "
        f"{escape(_sizes(sizes))}"
    )
    red = [result for result in done.gate.steps if not result.ok]
    for result in red:
        console.print(
            f"[red]still red[/red] {result.step}: {escape(result.summary)} "
            "(a baseline holds only findings, never errors or failing tests)"
        )
    return 1 if red else 0


def update(root: Path) -> int:
    """Remove stale entries; print how many per step. Exit 0 (nothing is ever added)."""
    console = make_console()
    done = update_baseline(root, on_result=lambda result: status_line(console, result))
    if done.removed:
        for step, count in done.removed.items():
            console.print(f"qualitykit: baseline {step}: {count} removed")
    else:
        console.print("qualitykit: baseline: no stale entry, nothing removed")
    for step in done.unjudged:
        console.print(f"[yellow]note[/yellow] {step}: did not run to a verdict; entries kept")
    sizes = {step: len(entries) for step, entries in done.baseline.steps.items()}
    console.print(
        f"qualitykit: {escape(str(done.path))}: {done.baseline.size} entries left "
        f"({escape(_sizes(sizes))})"
    )
    return 0
