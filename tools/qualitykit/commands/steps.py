"""``qualitykit steps``: every known step, its description and whether the gate runs it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualitykit.config_table import BUILTIN_STEPS
from qualitykit.steps import resolve
from qualitykit.workspace import Workspace

if TYPE_CHECKING:
    from pathlib import Path


def run(root: Path) -> int:
    """Print one line per step on stdout."""
    config = Workspace.load(root).config
    names = BUILTIN_STEPS + tuple(config.commands)
    for step in resolve(config, names):
        marker = "gate" if step.name in config.gate_steps else "    "
        print(f"{step.name:<14} {marker}  {step.description}")
    return 0
