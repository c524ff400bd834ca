"""The part of SARIF 2.1.0 the gate writes, as pydantic models (camelCase on the wire).

Only the objects ``qualitykit.sarif`` fills are modelled; each mirrors the object of the same
name in the OASIS schema (``sarifLog``, ``run``, ``toolComponent``, ``result``, ``location``,
``invocation``, ``notification``, ...). Unset optional fields are left out of the JSON.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

SARIF_VERSION: Literal["2.1.0"] = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
# Where a relative artifact URI is resolved from: the repository root (GitHub's convention).
SRCROOT = "%SRCROOT%"

Level = Literal["error", "warning", "note"]


class _Sarif(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True
    )


class Message(_Sarif):
    """A plain-text message."""

    text: str


class ArtifactLocation(_Sarif):
    """A file: a URI relative to ``uri_base_id`` (the repository root), or an absolute URI."""

    uri: str
    uri_base_id: str | None = None


class Region(_Sarif):
    """A place in a file (1-based line and column)."""

    start_line: int = Field(ge=1)
    start_column: int | None = Field(default=None, ge=1)


class PhysicalLocation(_Sarif):
    """A file and, when known, the region in it."""

    artifact_location: ArtifactLocation
    region: Region | None = None


class Location(_Sarif):
    """Where a result is; ``message`` says why when it is not the finding's own place."""

    physical_location: PhysicalLocation
    message: Message | None = None


class ReportingDescriptor(_Sarif):
    """A rule of the tool (its id is what results name in ``ruleId``)."""

    id: str


class ToolComponent(_Sarif):
    """The tool of a run: one gate step."""

    name: str
    full_name: str | None = None
    version: str | None = None
    rules: tuple[ReportingDescriptor, ...] = ()


class Tool(_Sarif):
    """The tool that produced a run."""

    driver: ToolComponent


class Result(_Sarif):
    """One finding."""

    rule_id: str
    level: Level
    message: Message
    locations: tuple[Location, ...]
    partial_fingerprints: dict[str, str]


class Notification(_Sarif):
    """Something the tool said about its own run (an error, a note)."""

    level: Level
    message: Message


class Invocation(_Sarif):
    """How the step ran: whether the tool itself succeeded (a finding is still a success)."""

    execution_successful: bool
    exit_code: int | None = None
    tool_execution_notifications: tuple[Notification, ...] = ()


class RunAutomationDetails(_Sarif):
    """The run's category (``qualitykit/STEP/``): one code scanning analysis per step."""

    id: str


class Run(_Sarif):
    """One gate step's results."""

    tool: Tool
    automation_details: RunAutomationDetails
    invocations: tuple[Invocation, ...]
    results: tuple[Result, ...]
    original_uri_base_ids: dict[str, ArtifactLocation] | None = None
    properties: dict[str, str | bool | float] = Field(default_factory=dict[str, str | bool | float])


class SarifLog(_Sarif):
    """A whole SARIF file."""

    schema_uri: str = Field(default=SARIF_SCHEMA, alias="$schema")
    version: Literal["2.1.0"] = SARIF_VERSION
    runs: tuple[Run, ...]

    def to_json(self) -> str:
        """The file's text: camelCase keys, unset optional fields left out."""
        return self.model_dump_json(by_alias=True, exclude_none=True, indent=2) + "\n"
