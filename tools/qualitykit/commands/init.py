"""``qualitykit init``: adopt an existing repository, without touching a line of its code.

Detects what the repository is, plans every file it writes (merges append, never change a
line; files that exist are kept), then prints the plan as a unified diff (``--dry-run``) or
writes it all or none. ``--baseline`` then measures today's figures: the coverage ratchet's
baseline, the badge and the floor start there, and today's findings go into the baseline file,
so the gate is green on adoption and red on anything new.
"""

from __future__ import annotations

import math
import subprocess
import sys
from importlib import metadata
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement

from qualitykit.errors import QualityKitError
from qualitykit.init.changes import unified_diff, write_all
from qualitykit.init.plan import plan, read_existing

if TYPE_CHECKING:
    from pathlib import Path

    from qualitykit.init.detect import ProjectFacts


def _git_root(root: Path) -> None:
    done = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"],  # noqa: S607 - git from PATH, like every step
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise QualityKitError(f"{root}: not a git repository (qualitykit gates what git tracks)")


def _missing_test_requirements(facts: ProjectFacts) -> list[str]:
    missing: list[str] = []
    for entry in facts.test_requirements:
        if entry.startswith("-r "):
            continue
        try:
            name = Requirement(entry).name
        # qualitykit: allow[QK-EXC-002] a hint only: pip reports a malformed requirement itself
        except InvalidRequirement:
            continue
        try:
            metadata.version(name)
        except metadata.PackageNotFoundError:
            missing.append(name)
    return missing


def run(root: Path, *, dry_run: bool, strict: bool, baseline: bool) -> int:
    """Plan and write (or show) every change; with ``baseline``, measure and record today."""
    _git_root(root)
    facts, changes = plan(root, strict=strict)
    for line in facts.describe():
        print(f"init: found {line}")
    if dry_run:
        sys.stdout.write(unified_diff(changes) or "init: nothing to change\n")
        return 0
    written = write_all(root, changes)
    for change in changes:
        if change.path in written:
            verb = "wrote" if change.before is None else "updated"
            print(f"init: {verb} {change.path} ({change.why})")
    if not written:
        print("init: nothing to change (already adopted)")
    missing = _missing_test_requirements(facts)
    if missing:
        print(
            f"init: note: the gate runs the tests with {sys.executable}; these test "
            f"dependencies of the project are not installed there: {', '.join(missing)}"
        )
    if baseline:
        return _record_today(root)
    print("init: next: `qualitykit init --baseline` records today's figures and findings")
    return 0


def _record_today(root: Path) -> int:
    from qualitykit.commands import coverage  # noqa: PLC0415
    from qualitykit.config import load_config  # noqa: PLC0415
    from qualitykit.init import pyproject  # noqa: PLC0415

    config = load_config(root)
    if "coverage" in config.gate_steps:
        if coverage.ratchet_update(root) != 0:
            print("init: the coverage step measured nothing; fix the suite, then init --baseline")
            return 1
        if coverage.write_badge(root, hook=False) != 0:
            return 1
        from qualitykit.coverage import ratchet  # noqa: PLC0415

        recorded = ratchet.load_baseline(root / config.coverage.baseline)
        if recorded is not None and config.coverage.floor is None:
            # Today's figure to the whole percent below: the ratchet's baseline holds the exact
            # figure (less its tolerance); the floor is the round line that only moves up.
            floor = math.floor(recorded.total)
            text = read_existing(root, "pyproject.toml") or ""
            write_all_text(root, "pyproject.toml", pyproject.set_coverage_floor(text, floor))
            print(f"init: coverage floor {floor}% (today's {recorded.total:.2f}%; it only rises)")
    from qualitykit.commands.baseline import record as record_findings  # noqa: PLC0415

    return record_findings(root)


def write_all_text(root: Path, name: str, text: str) -> None:
    """Write one file atomically (the floor set after measuring)."""
    from qualitykit.atomic import write_text_atomic  # noqa: PLC0415

    write_text_atomic(root / name, text)
