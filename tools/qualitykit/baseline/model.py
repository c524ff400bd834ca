"""The committed baseline file: the known findings of each step, validated on every read.

The file is a record the user relies on, so a malformed one (not JSON, wrong shape, a
directory) is exit 2 naming it, never "no baseline". Its bytes are deterministic (steps and
entries sorted, fixed indentation), so a shrinking baseline reads as a small diff.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from qualitykit.atomic import write_text_atomic
from qualitykit.errors import QualityKitError
from qualitykit.state import StateFileError, read_model
from qualitykit.steps import builtin_steps

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from pathlib import Path

    from qualitykit.workspace import Workspace

DEFAULT_BASELINE = "qualitykit-baseline.json"
WHAT = "baseline"
# The digest qualitykit.fingerprints.fingerprint returns: 32 lowercase hex digits.
_FINGERPRINT = r"^[0-9a-f]{32}$"
_STEP = r"^[a-z][a-z0-9-]*$"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BaselineEntry(_Frozen):
    """One known finding: its fingerprint, plus what a reviewer of the file needs to read."""

    fingerprint: Annotated[str, Field(pattern=_FINGERPRINT)]
    # Step name + the tool's code, e.g. ``ruff-lint:F401`` or ``mypy:attr-defined``.
    rule: str
    # "" when the finding names no file.
    file: str
    # The normalised code line the finding was on ("" when it named no line).
    code: str
    message: str

    def sort_key(self) -> tuple[str, str, str, str, str]:
        """The order entries are written in: by file, then rule, then code line."""
        return (self.file, self.rule, self.code, self.message, self.fingerprint)


class BaselineFile(_Frozen):
    """The whole file: a format version and, per step, its known findings."""

    version: Literal[1] = 1
    steps: dict[Annotated[str, Field(pattern=_STEP, max_length=64)], tuple[BaselineEntry, ...]] = (
        Field(default_factory=dict[str, tuple[BaselineEntry, ...]])
    )

    @model_validator(mode="after")
    def _distinct(self) -> BaselineFile:
        for step, entries in self.steps.items():
            seen: set[str] = set()
            for entry in entries:
                if entry.fingerprint in seen:
                    msg = f"steps.{step}: fingerprint {entry.fingerprint} is listed twice"
                    raise ValueError(msg)
                seen.add(entry.fingerprint)
        return self

    @classmethod
    def build(cls, steps: Mapping[str, Iterable[BaselineEntry]]) -> BaselineFile:
        """A baseline of ``steps``, sorted, one entry per fingerprint, no empty step."""
        built: dict[str, tuple[BaselineEntry, ...]] = {}
        for step in sorted(steps):
            unique = {entry.fingerprint: entry for entry in steps[step]}
            if unique:
                built[step] = tuple(sorted(unique.values(), key=BaselineEntry.sort_key))
        return cls(steps=built)

    def entries(self, step: str) -> tuple[BaselineEntry, ...]:
        """The known findings of ``step`` (none when the step is not in the file)."""
        return self.steps.get(step, ())

    @property
    def size(self) -> int:
        """Entries over all steps."""
        return sum(len(entries) for entries in self.steps.values())

    def to_json(self) -> str:
        """The file's text: sorted, indented, one trailing newline (diff-friendly)."""
        sorted_self = BaselineFile.build(self.steps)
        return json.dumps(sorted_self.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def baseline_path(workspace: Workspace) -> tuple[Path, bool]:
    """Where the baseline is, and whether the configuration names it explicitly."""
    configured = workspace.config.baseline_file
    return workspace.root / (configured or DEFAULT_BASELINE), configured is not None


def baselinable_steps(workspace: Workspace) -> tuple[str, ...]:
    """The built-in steps whose findings a baseline may hold."""
    return tuple(name for name, step in builtin_steps(workspace.config).items() if step.baselinable)


def load_baseline(workspace: Workspace) -> BaselineFile | None:
    """The project's baseline; None when there is none (and the configuration names none).

    A file the configuration names that is missing, or any file that is malformed or lists a
    step whose findings cannot be baselined (a test suite, coverage, a command), is a
    :class:`QualityKitError` naming the file (exit 2).
    """
    path, explicit = baseline_path(workspace)
    found = read_model(path, BaselineFile, WHAT, cache=False)
    if found is None:
        if explicit:
            msg = f"baseline file {path} not found ([tool.qualitykit] baseline-file names it)"
            raise QualityKitError(msg)
        return None
    allowed = baselinable_steps(workspace)
    for step in found.steps:
        if step not in allowed:
            msg = (
                f"{path}: {WHAT}: steps.{step}: not a step whose findings can be baselined "
                f"({', '.join(allowed)})"
            )
            raise StateFileError(msg)
    return found


def save_baseline(path: Path, baseline: BaselineFile) -> None:
    """Write ``baseline`` to ``path`` atomically (a directory in the way: exit 2)."""
    write_text_atomic(path, baseline.to_json())
