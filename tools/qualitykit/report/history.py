"""``.qualitykit/history.jsonl``: one typed line per gate run, the last :data:`LIMIT` kept.

The file is appended to by every gate run (a whole-file atomic rewrite, capped) and read by the
report's trends. A line that is not a :class:`HistoryEntry` (hand-edited, truncated by a crash
of another writer, written by a future version) is skipped with a note the page shows, never a
crash; it stays in the file until it ages out, so nothing the user wrote is destroyed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, ValidationError

from qualitykit.atomic import write_text_atomic
from qualitykit.state import read_text

if TYPE_CHECKING:
    from pathlib import Path

    from qualitykit.results import GateResult

HISTORY_FILE = "history.jsonl"
LIMIT = 200


class HistoryEntry(BaseModel):
    """What one gate run leaves for the trends: time, verdict, findings, coverage, score."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    recorded: str  # UTC, ISO 8601 to the second: when the run ended
    commit: str | None = None
    ok: bool
    duration_s: float
    findings: dict[str, int]  # per step, in the gate's step order
    seconds: dict[str, float]  # per step
    coverage: float | None = None
    mutation_score: float | None = None


def entry_for(
    gate: GateResult, *, commit: str | None, mutation_score: float | None, now: datetime
) -> HistoryEntry:
    """The history line of ``gate`` (the coverage total from its coverage step, if any)."""
    coverage = next(
        (step.coverage.total.percent for step in gate.steps if step.coverage is not None), None
    )
    return HistoryEntry(
        recorded=now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        commit=commit,
        ok=gate.ok,
        duration_s=round(gate.duration_s, 3),
        findings={step.step: step.counts.findings for step in gate.steps},
        seconds={step.step: round(step.duration_s, 3) for step in gate.steps},
        coverage=None if coverage is None else round(coverage, 2),
        mutation_score=None if mutation_score is None else round(mutation_score, 2),
    )


def _lines(path: Path) -> list[str]:
    # A history the user relies on: unreadable as a whole (a directory, not UTF-8) is exit 2.
    text = read_text(path, "gate history", cache=False)
    return [line for line in (text or "").splitlines() if line.strip()]


def append(path: Path, entry: HistoryEntry) -> None:
    """Add ``entry`` as the last line, keeping the last :data:`LIMIT` lines (atomic rewrite)."""
    lines = [*_lines(path), entry.model_dump_json()]
    write_text_atomic(path, "\n".join(lines[-LIMIT:]) + "\n")


def load(path: Path) -> tuple[list[HistoryEntry], list[str]]:
    """The entries in file order, and one note per line that is not an entry."""
    entries: list[HistoryEntry] = []
    notes: list[str] = []
    for number, line in enumerate(_lines(path), start=1):
        try:
            entries.append(HistoryEntry.model_validate_json(line))
        except ValidationError as error:  # invalid JSON is a ValidationError too
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "top level"
            notes.append(f"{path.name} line {number} skipped: {where}: {first['msg']}")
    return entries, notes
