"""The mutation score's ratchet: a committed baseline the score may not fall below."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, cast

from qualitykit.atomic import write_text_atomic
from qualitykit.errors import QualityKitError
from qualitykit.state import read_json

if TYPE_CHECKING:
    from pathlib import Path

    from qualitykit.workspace import Workspace


def read_baseline(path: Path) -> float | None:
    """The committed score (None: no baseline yet); exit 2 naming the file when unusable."""
    data = read_json(path, "mutation baseline", cache=False)
    if data is None:
        return None
    score = cast("dict[str, object]", data).get("score") if isinstance(data, dict) else None
    if not isinstance(score, int | float) or isinstance(score, bool):
        raise QualityKitError(f"{path}: no numeric 'score' in the mutation baseline")
    return float(score)


def check_ratchet(workspace: Workspace, score: float) -> list[str]:
    """Problems when ``score`` fell below the baseline by more than the tolerance."""
    config = workspace.config.mutation
    path = workspace.root / config.baseline
    baseline = read_baseline(path)
    if baseline is None:
        hint = "run: qualitykit mutation run --update-baseline"
        return [f"ratchet: no baseline {config.baseline}; {hint}"]
    if score + config.tolerance < baseline:
        fell = f"score {score:.2f}% fell below the baseline {baseline:.2f}%"
        return [f"ratchet: {fell} ({config.baseline})"]
    return []


def write_baseline(workspace: Workspace, score: float) -> Path:
    """Accept ``score`` as the new baseline."""
    path = workspace.root / workspace.config.mutation.baseline
    write_text_atomic(path, json.dumps({"score": round(score, 2)}, indent=2) + "\n")
    return path
