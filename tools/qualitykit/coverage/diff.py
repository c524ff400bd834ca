"""Diff coverage: coverage of the lines a branch added or changed.

Changed lines come from one ``git diff`` of the work tree against the merge-base of ``base``
and HEAD (committed, staged and unstaged changes, numbered as the work tree is, which is what
was measured), plus every line of untracked files; the diff is parsed with unidiff. Coverage
comes from the Cobertura XML of the coverage step. Only lines coverage.py measured count, as
in diff-cover.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from qualitykit.changes import changed_lines
from qualitykit.errors import QualityKitError


class DiffFileCoverage(BaseModel):
    """Coverage of one file's changed lines."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    measured: int
    covered: int
    missed_lines: tuple[int, ...]
    percent: float | None


class DiffCoverageResult(BaseModel):
    """Coverage of all changed lines against ``base``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base: str
    files: tuple[DiffFileCoverage, ...]
    measured: int
    covered: int
    percent: float | None
    fail_under: float | None
    passed: bool
    # False for an external report (--coverage-xml): nothing ties it to the sources' content.
    freshness_checked: bool = True


@dataclass(frozen=True)
class CoverageLines:
    """The lines coverage.py measured in one file, and those it saw run."""

    measured: frozenset[int]
    covered: frozenset[int]


def read_cobertura(path: Path, root: Path) -> dict[str, CoverageLines]:
    """Measured and covered lines per file (relative to ``root``) from a Cobertura report."""
    try:
        document = ET.parse(path)  # noqa: S314 - written by coverage.py in this project
    except FileNotFoundError:
        raise QualityKitError(f"{path}: no coverage XML (run: make coverage)") from None
    except (OSError, ET.ParseError) as error:
        raise QualityKitError(f"{path}: malformed coverage XML ({error})") from None
    if document.getroot().tag != "coverage":
        # Any other XML would read as "nothing measured", which passes every threshold.
        tag = document.getroot().tag
        raise QualityKitError(f"{path}: not a Cobertura report (root <{tag}>, not <coverage>)")
    sources = [Path(element.text.strip()) for element in document.iter("source") if element.text]
    files: dict[str, CoverageLines] = {}
    for element in document.iter("class"):
        filename = element.get("filename")
        if filename is None:
            raise QualityKitError(f"{path}: malformed coverage XML (a class without filename)")
        measured: set[int] = set()
        covered: set[int] = set()
        for line in element.iter("line"):
            try:
                number, hits = int(line.get("number", "")), int(line.get("hits", ""))
            except ValueError:
                raise QualityKitError(f"{path}: malformed coverage XML (line attributes)") from None
            measured.add(number)
            if hits > 0:
                covered.add(number)
        name = _relative(filename, sources, root)
        previous = files.get(name)
        if previous is not None:
            measured |= previous.measured
            covered |= previous.covered
        files[name] = CoverageLines(frozenset(measured), frozenset(covered))
    return files


def _relative(filename: str, sources: list[Path], root: Path) -> str:
    for source in sources or [root]:
        candidate = (source / filename) if not Path(filename).is_absolute() else Path(filename)
        base = candidate if candidate.is_absolute() else root / candidate
        try:
            return base.resolve().relative_to(root.resolve()).as_posix()
        # qualitykit: allow[QK-EXC-002] not under this source root: the next one is tried
        except ValueError:
            continue
    return Path(filename).as_posix()


def diff_coverage(
    root: Path,
    base: str,
    xml_path: Path,
    fail_under: float | None,
    *,
    changed: dict[str, frozenset[int]] | None = None,
) -> DiffCoverageResult:
    """Coverage of the lines changed since ``base`` (``changed`` if already known)."""
    coverage = read_cobertura(xml_path, root)
    if changed is None:
        changed = changed_lines(root, base)
    files: list[DiffFileCoverage] = []
    for name in sorted(changed):
        lines = coverage.get(name)
        if lines is None:
            continue
        measured = changed[name] & lines.measured
        if not measured:
            continue
        covered = measured & lines.covered
        files.append(
            DiffFileCoverage(
                path=name,
                measured=len(measured),
                covered=len(covered),
                missed_lines=tuple(sorted(measured - covered)),
                percent=100.0 * len(covered) / len(measured),
            )
        )
    measured_total = sum(entry.measured for entry in files)
    covered_total = sum(entry.covered for entry in files)
    percent = 100.0 * covered_total / measured_total if measured_total else None
    passed = fail_under is None or percent is None or percent >= fail_under
    return DiffCoverageResult(
        base=base,
        files=tuple(files),
        measured=measured_total,
        covered=covered_total,
        percent=percent,
        fail_under=fail_under,
        passed=passed,
    )


def compact(lines: tuple[int, ...]) -> str:
    """``(3, 4, 5, 9)`` → ``"3-5, 9"``."""
    parts: list[str] = []
    start = previous = None
    for number in lines:
        if start is None:
            start = previous = number
        elif previous is not None and number == previous + 1:
            previous = number
        else:
            parts.append(f"{start}-{previous}" if start != previous else f"{start}")
            start = previous = number
    if start is not None:
        parts.append(f"{start}-{previous}" if start != previous else f"{start}")
    return ", ".join(parts)
