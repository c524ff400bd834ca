"""The coverage badge: coverage-badge's SVG, and the figures it was made from beside it.

``qualitykit coverage badge`` writes ``docs/assets/coverage.svg`` (byte-identical for the same
figure) and ``docs/assets/coverage.json`` (the total, groups and per-file figures behind it),
both atomically. The ``badge`` step renders the badge from the coverage measured now and
compares; when they disagree it names both figures and the files whose coverage moved since
the recorded run, so a person sees why (a platform-dependent branch, a new untested module).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING

from qualitykit.coverage.ratchet import Baseline, load_baseline
from qualitykit.errors import QualityKitError

if TYPE_CHECKING:
    from qualitykit.results import CoverageResult

_SVG = "{http://www.w3.org/2000/svg}"
_TIMEOUT_S = 120


def record_path(badge: Path) -> Path:
    """The figures file kept beside the badge (``coverage.svg`` → ``coverage.json``)."""
    return badge.with_suffix(".json")


def badge_environment(rcfile: Path, data_file: Path) -> dict[str, str]:
    """coverage-badge reads the data through coverage.py's own settings."""
    return {"COVERAGE_RCFILE": str(rcfile), "COVERAGE_FILE": str(data_file)}


def badge_figure(svg: bytes, where: str) -> float:
    """The percentage a coverage-badge SVG shows."""
    try:
        root = ET.fromstring(svg)  # noqa: S314 - a badge file, not untrusted network input
    except ET.ParseError as error:
        raise QualityKitError(f"{where}: not a readable SVG badge ({error})") from None
    for element in root.iter(f"{_SVG}text"):
        text = (element.text or "").strip()
        if text.endswith("%"):
            try:
                return float(text.removesuffix("%"))
            except ValueError:
                break
    raise QualityKitError(f"{where}: the badge shows no percentage")


def render(root: Path, rcfile: Path, data_file: Path) -> bytes:
    """The badge coverage-badge makes from the measured data (written nowhere)."""
    with tempfile.TemporaryDirectory(prefix="qualitykit-badge-") as scratch:
        target = Path(scratch) / "coverage.svg"
        scripts = Path(sys.executable).parent
        completed = subprocess.run(  # noqa: S603 - argv list
            [str(scripts / "coverage-badge"), "-o", str(target), "-f", "-q"],
            cwd=root,
            env={**os.environ, **badge_environment(rcfile, data_file)},
            capture_output=True,
            text=True,
            check=False,
            timeout=_TIMEOUT_S,
        )
        if completed.returncode != 0 or not target.is_file():
            detail = (completed.stderr.strip() or completed.stdout.strip())[-300:]
            raise QualityKitError(f"coverage-badge failed (exit {completed.returncode}): {detail}")
        return target.read_bytes()


def moved_files(result: CoverageResult, recorded: Baseline | None) -> list[str]:
    """Files whose coverage differs from the recorded run, as ``path: before% -> now%``."""
    if recorded is None:
        return []
    lines: list[str] = []
    for name in sorted(set(result.files) | set(recorded.files)):
        before = recorded.files.get(name)
        figures = result.files.get(name)
        now = None if figures is None else round(figures.percent, 2)
        if before != now:
            was = "absent" if before is None else f"{before:.2f}%"
            is_ = "absent" if now is None else f"{now:.2f}%"
            lines.append(f"{name}: {was} -> {is_}")
    return lines


def load_record(badge: Path) -> Baseline | None:
    """The figures recorded when the committed badge was made (None if never recorded)."""
    return load_baseline(record_path(badge))
