"""Whether coverage data still describes the sources: content digests, never mtimes.

When the coverage step has measured a passing suite, it records beside the Cobertura XML the
digest of every file its result depends on (its cache inputs: every ``*.py``, the test paths,
the configuration) as they were when the run started, plus the digest of the XML itself.
The data is fresh while the same files have the same digests; a file added, removed or edited
since, or an XML rewritten by someone else, makes it stale.

An external report (``coverage diff --coverage-xml FILE``) carries no such record; the best
available check is that no changed file is newer than the report.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from qualitykit.atomic import write_text_atomic
from qualitykit.errors import QualityKitError
from qualitykit.state import read_model

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

_SCHEMA = 1
_NAMED = 3


class MeasuredSources(BaseModel):
    """The record: what the measurement read, file by file, and the XML it wrote."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: int = _SCHEMA
    xml: str
    inputs: dict[str, str]


def file_digest(path: Path) -> str:
    """The content digest used throughout qualitykit (blake2b, 16 bytes)."""
    return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()


def write_record(record: Path, xml_path: Path, inputs: dict[str, str]) -> None:
    """Record ``inputs`` (name → digest at measurement time) beside the XML."""
    data = MeasuredSources(xml=file_digest(xml_path), inputs=dict(sorted(inputs.items())))
    write_text_atomic(record, json.dumps(data.model_dump(mode="json"), indent=1) + "\n")


def _names(names: Iterable[str]) -> str:
    listed = sorted(names)
    more = f" and {len(listed) - _NAMED} more" if len(listed) > _NAMED else ""
    return ", ".join(listed[:_NAMED]) + more


def stale_reason(record: Path, xml_path: Path, current: dict[str, str]) -> str | None:
    """Why the XML does not describe ``current`` (name → digest now); None when it does."""
    if not xml_path.is_file():
        return "no coverage data yet"
    recorded = read_model(record, MeasuredSources, "coverage sources record", cache=True)
    if recorded is None or recorded.schema_version != _SCHEMA:
        return "no record of the sources it measured"
    if recorded.xml != file_digest(xml_path):
        return f"{xml_path.name} was rewritten after the measurement"
    return _moved(recorded.inputs, current)


def _moved(recorded: dict[str, str], current: dict[str, str]) -> str | None:
    both = current.keys() & recorded.keys()
    reasons = (
        ({name for name in both if current[name] != recorded[name]}, "changed since"),
        (current.keys() - recorded.keys(), "did not exist when"),
        (recorded.keys() - current.keys(), "was removed since"),
    )
    for names, how in reasons:
        if names:
            return f"{_names(names)} {how} it was measured"
    return None


def refuse_newer_sources(root: Path, xml_path: Path, changed: Iterable[str]) -> None:
    """Exit 2 when a changed Python file is newer than the external report ``xml_path``.

    Only mtimes are available for a report qualitykit did not write; a source edited after
    the report was written cannot have been measured by it. Other files (a README edited
    since) do not make the report's figures wrong, so they do not refuse it.
    """
    try:
        written = xml_path.stat().st_mtime_ns
    except OSError as error:
        raise QualityKitError(f"{xml_path}: cannot read the coverage XML: {error}") from None
    newer = [
        name
        for name in changed
        if name.endswith((".py", ".pyi"))
        and (root / name).is_file()
        and (root / name).stat().st_mtime_ns > written
    ]
    if newer:
        raise QualityKitError(
            f"{xml_path}: {_names(newer)} is newer than this coverage report, so the report "
            "cannot have measured it: measure again, or drop --coverage-xml to let qualitykit"
        )
