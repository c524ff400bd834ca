"""``qualitykit gate --verify-incremental``: the incremental answer must be the full one.

Both runs' results are compared step by step: the verdict, the findings, and every coverage
figure (the total, each file, each group). Any difference is printed and fails the command.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualitykit.results import CoverageResult, Finding, GateResult, StepResult

_SHOWN = 5


def _finding(finding: Finding) -> str:
    where = f"{finding.file}:{finding.line}" if finding.file else "-"
    return " ".join(part for part in (where, finding.code, finding.message) if part)


def _coverage(name: str, fast: CoverageResult | None, full: CoverageResult | None) -> list[str]:
    if fast is None or full is None:
        return [] if fast is full else [f"{name}: coverage figures only in one of the runs"]
    found: list[str] = []
    if fast.total != full.total:
        found.append(f"{name}: total {fast.total} incremental, {full.total} full")
    moved = sorted(
        path
        for path in set(fast.files) | set(full.files)
        if fast.files.get(path) != full.files.get(path)
    )
    found.extend(
        f"{name}: {path}: {fast.files.get(path)} incremental, {full.files.get(path)} full"
        for path in moved[:_SHOWN]
    )
    if len(moved) > _SHOWN:
        found.append(f"{name}: and {len(moved) - _SHOWN} more files")
    found.extend(
        f"{name}: group {a.name}: {a.figures} incremental, {b.figures} full"
        for a, b in zip(fast.groups, full.groups, strict=False)
        if a != b
    )
    return found


def _step(fast: StepResult, full: StepResult) -> list[str]:
    name = full.step
    found: list[str] = []
    if fast.status != full.status:
        found.append(f"{name}: verdict {fast.status} incremental, {full.status} full")
    ours = {_finding(finding) for finding in fast.findings}
    theirs = {_finding(finding) for finding in full.findings}
    found.extend(f"{name}: finding only incremental: {item}" for item in sorted(ours - theirs))
    found.extend(f"{name}: finding only full: {item}" for item in sorted(theirs - ours))
    found.extend(_coverage(name, fast.coverage, full.coverage))
    return found


def differences(fast: GateResult, full: GateResult) -> list[str]:
    """Every difference between the incremental run and the full one, one line each."""
    by_name = {result.step: result for result in fast.steps}
    found: list[str] = []
    for result in full.steps:
        other = by_name.get(result.step)
        if other is None:
            found.append(f"{result.step}: not run incrementally")
        else:
            found.extend(_step(other, result))
    return found


def report(fast: GateResult, full: GateResult, *, as_json: bool) -> int:
    """Print the differences (or that there are none); the exit code."""
    found = differences(fast, full)
    if found:
        sys.stderr.write("qualitykit: the incremental gate differs from the full gate:\n")
        sys.stderr.writelines(f"  {line}\n" for line in found)
    else:
        verdict = "passed" if full.ok else "failed"
        sys.stderr.write(
            f"qualitykit: the incremental gate equals the full gate ({verdict}, "
            f"{len(full.steps)} steps)\n"
        )
    if as_json:
        print(full.model_dump_json(indent=2))
    return 1 if found or not full.ok else 0
