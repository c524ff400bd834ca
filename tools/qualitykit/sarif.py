"""The gate's results as SARIF 2.1.0 (``.qualitykit/gate.sarif``), for code scanning.

Built from the typed :class:`~qualitykit.results.GateResult` the summary reads, never from
the tools' output: one ``run`` per step, one ``result`` per finding. Fail closed: a step that
errored (crashed, timed out, checked 0 files, was not run) is an invocation with
``executionSuccessful: false`` and its reason as an error notification, so a broken step is
never an empty, clean run (code scanning refuses such an upload rather than closing alerts).
A failed step without findings still gets a result, and a finding without a place in a file
is anchored at the project's ``pyproject.toml`` (GitHub rejects a whole upload when any result
has no location), saying so in the location's message.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from qualitykit.atomic import write_text_atomic
from qualitykit.files import SARIF_FILE
from qualitykit.fingerprints import fingerprint, normalise_code_line
from qualitykit.results import Finding, GateResult, Status, StepResult
from qualitykit.sarif_models import (
    SRCROOT,
    ArtifactLocation,
    Invocation,
    Location,
    Message,
    Notification,
    PhysicalLocation,
    Region,
    ReportingDescriptor,
    Result,
    Run,
    RunAutomationDetails,
    SarifLog,
    Tool,
    ToolComponent,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from qualitykit.steps.base import Step

# The key of our fingerprint in ``partialFingerprints`` (versioned: a new recipe, a new key).
FINGERPRINT_KEY = "qualitykit/v1"
# Where a finding that names no file is anchored: the file that configures the gate.
ANCHOR = "pyproject.toml"
_ANCHORED = "no place in a file: anchored at the project's configuration"


@dataclass(frozen=True)
class StepTool:
    """What SARIF says about the tool behind a step."""

    description: str
    version: str | None


def step_tools(steps: Iterable[Step]) -> dict[str, StepTool]:
    """Step name → its description and the installed version of the tool that ran."""
    tools: dict[str, StepTool] = {}
    for step in steps:
        found: str | None = None
        if step.distribution is not None:
            try:
                found = version(step.distribution)
            except PackageNotFoundError:
                found = None
        tools[step.name] = StepTool(description=step.description, version=found)
    return tools


class _Lines:
    """The lines of the project's files, read once each (fingerprints need the code line)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._files: dict[str, list[str]] = {}

    def line(self, file: str, number: int) -> str:
        lines = self._files.get(file)
        if lines is None:
            try:
                text = (self.root / file).read_text(encoding="utf-8", errors="replace")
            except OSError:  # gone since the step ran, a directory, unreadable
                text = ""
            lines = self._files[file] = text.splitlines()
        return lines[number - 1] if 0 < number <= len(lines) else ""


def _relative(file: str, root: Path) -> str | None:
    """``file`` as a normalised POSIX path relative to ``root``; None when it is outside."""
    path = Path(file)
    if path.is_absolute():
        resolved, base = path.resolve(), root.resolve()
        return resolved.relative_to(base).as_posix() if resolved.is_relative_to(base) else None
    normal = posixpath.normpath(file.replace("\\", "/"))
    return None if normal == ".." or normal.startswith("../") else normal


def _location(finding: Finding, root: Path) -> Location:
    if finding.file is None:
        return Location(
            physical_location=PhysicalLocation(
                artifact_location=ArtifactLocation(uri=ANCHOR, uri_base_id=SRCROOT),
                region=Region(start_line=1),
            ),
            message=Message(text=_ANCHORED),
        )
    relative = _relative(finding.file, root)
    artifact = (
        ArtifactLocation(uri=(root / finding.file).resolve().as_uri())
        if relative is None
        else ArtifactLocation(uri=quote(relative), uri_base_id=SRCROOT)
    )
    region = None
    if finding.line is not None and finding.line >= 1:
        column = finding.col if finding.col is not None and finding.col >= 1 else None
        region = Region(start_line=finding.line, start_column=column)
    return Location(physical_location=PhysicalLocation(artifact_location=artifact, region=region))


def _results(step: StepResult, lines: _Lines) -> list[Result]:
    findings = list(step.findings)
    if step.status is Status.FAIL and not findings:
        # A failure is never an empty run, even when the step named nothing in particular.
        findings = [Finding(message=step.summary or f"{step.step} failed", code=step.step)]
    seen: dict[tuple[str, str, str], int] = {}
    results: list[Result] = []
    for finding in findings:
        rule = finding.code or step.step
        mark = finding.fingerprint
        if mark is None:
            # The policy engine's recipe: rule + file + normalised code line + occurrence.
            # Without a line, the message stands for the code line.
            file = (_relative(finding.file, lines.root) or finding.file) if finding.file else ""
            code = lines.line(file, finding.line) if file and finding.line else finding.message
            key = (rule, file, normalise_code_line(code))
            occurrence = seen.get(key, 0)
            seen[key] = occurrence + 1
            mark = fingerprint(rule, file, code, occurrence)
        results.append(
            Result(
                rule_id=rule,
                level=finding.severity.value,
                message=Message(text=finding.message or rule),
                locations=(_location(finding, lines.root),),
                partial_fingerprints={FINGERPRINT_KEY: mark},
            )
        )
    return results


def _invocation(step: StepResult) -> Invocation:
    notes = [Notification(level="note", message=Message(text=note)) for note in step.notes]
    if step.status is Status.ERROR:
        reason = step.summary or "the step errored"
        notes.insert(0, Notification(level="error", message=Message(text=reason)))
    elif step.status is Status.SKIPPED:
        text = f"skipped: {step.summary}" if step.summary else "skipped"
        notes.insert(0, Notification(level="note", message=Message(text=text)))
    return Invocation(
        execution_successful=step.status is not Status.ERROR,
        exit_code=step.exit_code,
        tool_execution_notifications=tuple(notes),
    )


def _run(step: StepResult, tool: StepTool | None, lines: _Lines) -> Run:
    results = _results(step, lines)
    rules = tuple(ReportingDescriptor(id=rule) for rule in sorted({r.rule_id for r in results}))
    driver = ToolComponent(
        name=step.step,
        full_name=tool.description if tool else None,
        version=tool.version if tool else None,
        rules=rules,
    )
    return Run(
        tool=Tool(driver=driver),
        automation_details=RunAutomationDetails(id=f"qualitykit/{step.step}/"),
        invocations=(_invocation(step),),
        results=tuple(results),
        original_uri_base_ids={SRCROOT: ArtifactLocation(uri=lines.root.resolve().as_uri() + "/")},
        properties={
            "status": step.status.value,
            "summary": step.summary,
            "cached": step.cached,
            "durationSeconds": round(step.duration_s, 3),
        },
    )


def build(gate: GateResult, root: Path, tools: dict[str, StepTool]) -> SarifLog:
    """The SARIF log of ``gate`` (file paths relative to ``root``): one run per step."""
    lines = _Lines(root)
    return SarifLog(runs=tuple(_run(step, tools.get(step.step), lines) for step in gate.steps))


def write(gate: GateResult, root: Path, tools: dict[str, StepTool], state_dir: Path) -> None:
    """Write ``state_dir/gate.sarif`` atomically."""
    write_text_atomic(state_dir / SARIF_FILE, build(gate, root, tools).to_json())
