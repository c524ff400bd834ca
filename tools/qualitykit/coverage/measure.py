"""From coverage.py's JSON report to a typed CoverageResult, and the rcfile the step runs with."""

from __future__ import annotations

import configparser
import io
import sys
import tomllib
from typing import TYPE_CHECKING, cast

import pathspec
from pydantic import BaseModel, ConfigDict, ValidationError

from qualitykit.errors import QualityKitError
from qualitykit.results import CoverageFigures, CoverageResult, GroupCoverage

if TYPE_CHECKING:
    from pathlib import Path

    from qualitykit.config import CoverageConfig


class _Summary(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    num_statements: int
    missing_lines: int
    num_branches: int = 0
    missing_branches: int = 0
    percent_covered: float

    def figures(self) -> CoverageFigures:
        return CoverageFigures(
            statements=self.num_statements,
            missing_lines=self.missing_lines,
            branches=self.num_branches,
            missing_branches=self.missing_branches,
            percent=self.percent_covered,
        )


class _FileReport(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    summary: _Summary


class _Report(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    files: dict[str, _FileReport]
    totals: _Summary


def resolve_core(core: str) -> str:
    """The measurement core: ``auto`` is the C tracer on 3.11 (sys.monitoring needs 3.12+)."""
    if core != "auto":
        return core
    # Measured (benchmarks/coverage.py): on 3.11 the C tracer is the fastest core available.
    return "sysmon" if sys.version_info >= (3, 14) else "ctrace"


def _user_settings(root: Path) -> configparser.ConfigParser:
    """The project's own coverage settings: [tool.coverage] in pyproject.toml or .coveragerc."""
    parser = configparser.ConfigParser(interpolation=None)
    rc = root / ".coveragerc"
    if rc.is_file():
        parser.read(rc, encoding="utf-8")
        return parser
    try:
        document = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return parser
    tool: object = document.get("tool", {})
    tables: object = (
        cast("dict[str, object]", tool).get("coverage", {}) if isinstance(tool, dict) else {}
    )
    if not isinstance(tables, dict):
        return parser
    for section, values in cast("dict[str, object]", tables).items():
        if not isinstance(values, dict):
            continue
        parser[section] = {
            key: "\n".join(str(item) for item in cast("list[object]", value))
            if isinstance(value, list)
            else str(value).lower()
            if isinstance(value, bool)
            else str(value)
            for key, value in cast("dict[str, object]", values).items()
        }
    return parser


# The incremental run's pytest plugin, loaded from outside the project: never measured.
PLUGIN_OMIT = "*/_qualitykit_incremental.py"


def write_rcfile(
    root: Path, rcfile: Path, data_file: Path, settings: CoverageConfig, *, contexts: bool = False
) -> None:
    """The project's coverage settings plus what the step requires (branch, parallel, …).

    ``contexts``: one context per test (the incremental run); a project's dynamic_context
    would fight the plugin's, so it gives way (the figures do not depend on contexts).
    """
    text = rcfile_text(root, data_file, settings, contexts=contexts)
    rcfile.parent.mkdir(parents=True, exist_ok=True)
    rcfile.write_text(text, encoding="utf-8")


def rcfile_text(
    root: Path, data_file: Path, settings: CoverageConfig, *, contexts: bool = False
) -> str:
    """The text :func:`write_rcfile` writes (the regression step compares it, unwritten)."""
    parser = _user_settings(root)
    if not parser.has_section("run"):
        parser.add_section("run")
    run = parser["run"]
    run["branch"] = "true"
    run["parallel"] = "true"
    run["relative_files"] = "true"
    run["data_file"] = str(data_file)
    run["core"] = resolve_core(settings.core)
    patches = {item for item in run.get("patch", "").split() if item} | {"subprocess"}
    run["patch"] = "\n".join(sorted(patches))
    if contexts:
        run.pop("dynamic_context", None)
        run["omit"] = "\n".join(
            [*(item for item in run.get("omit", "").split() if item), PLUGIN_OMIT]
        )
    text = io.StringIO()
    parser.write(text)
    return text.getvalue()


def read_report(path: Path, settings: CoverageConfig, core: str) -> CoverageResult:
    """The typed result of a coverage JSON report, grouped as configured."""
    try:
        report = _Report.model_validate_json(path.read_bytes())
    except OSError as error:
        raise QualityKitError(f"{path}: cannot read the coverage report: {error}") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise QualityKitError(
            f"{path}: malformed coverage report ({where}: {first['msg']})"
        ) from None
    files = {name: entry.summary.figures() for name, entry in report.files.items()}
    groups: list[GroupCoverage] = []
    claimed: set[str] = set()
    for name, group in settings.groups.items():
        spec = pathspec.GitIgnoreSpec.from_lines(group.include)
        members = [path for path in files if path not in claimed and spec.match_file(path)]
        claimed.update(members)
        figures = sum((files[path] for path in members), CoverageFigures())
        floor = group.floor
        ahead = [value for value in sorted(group.milestones) if floor is None or value > floor]
        groups.append(
            GroupCoverage(
                name=name,
                files=len(members),
                figures=figures,
                floor=floor,
                next_milestone=ahead[0] if ahead else None,
            )
        )
    return CoverageResult(
        total=report.totals.figures(),
        floor=settings.floor,
        files=files,
        groups=tuple(groups),
        core=core,
    )
