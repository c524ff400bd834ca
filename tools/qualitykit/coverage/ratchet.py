"""The two-way ratchet: the last accepted coverage figures, committed in a JSON file.

A drop beyond the tolerance fails and names the files that lost coverage; a rise beyond it
suggests ``qualitykit coverage ratchet --update``, which rewrites the file atomically.
The file is JSON (sorted keys, two decimals, one file per line) so that a change to it reads
well in review.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from qualitykit.atomic import write_text_atomic
from qualitykit.results import Finding, Severity
from qualitykit.state import read_model

if TYPE_CHECKING:
    from pathlib import Path

    from qualitykit.results import CoverageResult

UPDATE_COMMAND = "qualitykit coverage ratchet --update"
_SCHEMA = 1


class Baseline(BaseModel):
    """The accepted figures: total, per group, per file (percent, two decimals)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int = Field(default=_SCHEMA, alias="schema")
    total: float = Field(ge=0, le=100)
    groups: dict[str, float] = Field(default_factory=dict[str, float])
    files: dict[str, float] = Field(default_factory=dict[str, float])


def baseline_of(result: CoverageResult) -> Baseline:
    """The baseline that accepts ``result``'s figures."""
    return Baseline(
        total=round(result.total.percent, 2),
        groups={group.name: round(group.figures.percent, 2) for group in result.groups},
        files={name: round(figures.percent, 2) for name, figures in sorted(result.files.items())},
    )


def load_baseline(path: Path) -> Baseline | None:
    """The committed baseline; None when there is none; exit 2 (one line) when unusable."""
    return read_model(path, Baseline, "coverage baseline", cache=False)


def save_baseline(path: Path, baseline: Baseline) -> None:
    """Write the baseline atomically (a reader sees the old file or the new one)."""
    data = baseline.model_dump(mode="json", by_alias=True)
    write_text_atomic(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def compare(
    result: CoverageResult, baseline: Baseline, tolerance: float, path: str
) -> tuple[list[Finding], list[str]]:
    """Findings for drops beyond ``tolerance``; notes for rises beyond it."""
    findings: list[Finding] = []
    notes: list[str] = []
    now = result.total.percent
    if now < baseline.total - tolerance:
        findings.append(
            Finding(
                file=path,
                code="ratchet-drop",
                message=(
                    f"total coverage dropped from {baseline.total:.2f}% to {now:.2f}% "
                    f"(tolerance {tolerance:g} point)"
                ),
            )
        )
        for name, before in sorted(baseline.files.items()):
            figures = result.files.get(name)
            if figures is not None and figures.percent < before - tolerance:
                findings.append(
                    Finding(
                        file=name,
                        code="ratchet-file",
                        message=f"lost {before - figures.percent:.2f} points: "
                        f"{before:.2f}% -> {figures.percent:.2f}%",
                        severity=Severity.WARNING,
                    )
                )
    for group in result.groups:
        accepted = baseline.groups.get(group.name)
        if accepted is not None and group.figures.percent < accepted - tolerance:
            findings.append(
                Finding(
                    file=path,
                    code="ratchet-group",
                    message=f"group {group.name!r} dropped from {accepted:.2f}% to "
                    f"{group.figures.percent:.2f}%",
                )
            )
    if now > baseline.total + tolerance:
        notes.append(
            f"coverage rose from {baseline.total:.2f}% to {now:.2f}%: "
            f"raise the baseline with `{UPDATE_COMMAND}` and commit {path}"
        )
    return findings, notes
