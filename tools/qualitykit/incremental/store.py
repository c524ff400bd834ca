"""What the incremental coverage step keeps between runs, and the plan handed to the runner.

``.qualitykit/incremental/coverage/``: ``data.coverage`` (coverage.py's data with one context
per test, ``collect:FILE`` per test module imported, ``""`` for the rest) and ``manifest.json``
(the digests of every input as measured, the tests, what each context read). Both are only a
cache: an unreadable or foreign one makes the next run a full one, never an error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from qualitykit.atomic import write_text_atomic
from qualitykit.incremental.skeleton import Skeleton  # noqa: TC001 - a field's type
from qualitykit.state import read_model

if TYPE_CHECKING:
    from pathlib import Path

SCHEMA = 1
COLLECT = "collect:"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Manifest(_Model):
    """The inputs of the stored data and what the suite did with them."""

    schema_version: int = SCHEMA
    # Interpreter, the step's environment variables, pytest's arguments, the rcfile, the plugin.
    environment: dict[str, str]
    # Every input's digest when measured (the step's inputs and every file a test read).
    files: dict[str, str]
    skeletons: dict[str, Skeleton | None]
    tests: dict[str, str]  # node id → the file it is in
    fixtures: dict[str, tuple[str, ...]] = Field(default_factory=dict[str, tuple[str, ...]])
    broad: tuple[str, ...] = ()  # the project's fixtures broader than a function
    reads: dict[str, tuple[str, ...]] = Field(default_factory=dict[str, tuple[str, ...]])
    # Every test module the run imported or left out, those without a known test among them
    # (pytest's own deselection dropped all their tests): a partial run leaves them out too.
    modules: tuple[str, ...] = ()

    def tests_in(self, name: str) -> set[str]:
        """The node ids of the tests defined in file ``name``."""
        return {nodeid for nodeid, file in self.tests.items() if file == name}


class Plan(_Model):
    """What the coverage runner is asked to do: all tests, some, or none (reuse the store)."""

    mode: str  # "full", "partial" or "reuse"
    reason: str
    select: tuple[str, ...] = ()
    known: tuple[str, ...] = ()
    environment: dict[str, str]
    files: dict[str, str]
    skeletons: dict[str, Skeleton | None]
    store: str  # the store directory (absolute)
    # Files whose kept tests' lines moved: (first, last, delta) per surviving old line range.
    shifts: dict[str, tuple[tuple[int, int, int], ...]] = Field(
        default_factory=dict[str, tuple[tuple[int, int, int], ...]]
    )
    # Known test modules a partial run does not even import (test file → its known tests,
    # none for a module whose tests pytest's own deselection drops): none of their tests is
    # selected and their import touched nothing that changed.
    skip: dict[str, tuple[str, ...]] = Field(default_factory=dict[str, tuple[str, ...]])
    # The regression step's "reuse" known to collect only these many tests, all known: no
    # pytest at all. None: pytest collects (a test the store does not know would run).
    collects: int | None = None


class Record(_Model):
    """What the plugin recorded in the suite's process."""

    tests: dict[str, str]
    fixtures: dict[str, tuple[str, ...]]
    broad: tuple[str, ...]
    reads: dict[str, tuple[str, ...]]
    modules: tuple[str, ...] = ()
    written: tuple[str, ...] = ()  # the project files the suite wrote


def store_dir(state_dir: Path) -> Path:
    """Where the coverage step's per-test data is kept."""
    return state_dir / "incremental" / "coverage"


def data_path(store: Path) -> Path:
    """The stored coverage data (SQLite, per-test contexts)."""
    return store / "data.coverage"


def manifest_path(store: Path) -> Path:
    """The stored manifest."""
    return store / "manifest.json"


def report_paths(store: Path) -> tuple[Path, Path]:
    """The JSON and XML reports of the stored data (a partial run patches copies of them)."""
    return store / "report.json", store / "report.xml"


def plan_path(store: Path) -> Path:
    """The plan of the run under way."""
    return store / "plan.json"


def load_manifest(store: Path) -> Manifest | None:
    """The stored manifest; None when absent, unreadable or of another schema (run in full)."""
    manifest = read_model(manifest_path(store), Manifest, "incremental manifest", cache=True)
    if manifest is None or manifest.schema_version != SCHEMA:
        return None
    return manifest


def save_manifest(store: Path, manifest: Manifest) -> None:
    """Keep ``manifest`` (atomically); written after the data it describes."""
    write_text_atomic(manifest_path(store), manifest.model_dump_json())


def forget(store: Path) -> None:
    """Drop the store: the next run is a full one."""
    manifest_path(store).unlink(missing_ok=True)
    data_path(store).unlink(missing_ok=True)
    for path in report_paths(store):
        path.unlink(missing_ok=True)
