"""A triage bundle ``reports/<STAMP>/``: written beside, then renamed, so whole or absent."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from qualitykit.errors import QualityKitError

if TYPE_CHECKING:
    from collections.abc import Mapping

REPORTS = "reports"
BUNDLE_FILES = (
    "summary.md",
    "failures.json",
    "clusters.json",
    "delta.json",
    "junit.xml",
    "report-log.jsonl",
    "pytest.log",
    "exit_code.txt",
    "env.json",
    "resources.json",
    "repro.sh",
)


def stamp(now: datetime | None = None) -> str:
    """The bundle name for ``now`` (UTC ``YYYYMMDDTHHMMSSZ``)."""
    return (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class Bundle:
    """The files of one bundle, by name: text, or bytes copied as they are."""

    files: Mapping[str, str | bytes]

    def write(self, reports: Path, name: str) -> Path:
        """Write under ``reports/name`` (``name-N`` when taken); returns the bundle path."""
        missing = sorted(set(BUNDLE_FILES) - set(self.files))
        if missing:  # a bundle is whole: a caller that forgot a file is a bug, never a bundle
            raise QualityKitError(f"triage bundle is missing {', '.join(missing)}")
        try:
            reports.mkdir(parents=True, exist_ok=True)
            temp = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=reports))
        except OSError as error:
            raise QualityKitError(f"{reports}: cannot write a bundle: {error.strerror}") from None
        try:
            for file, content in self.files.items():
                data = content.encode("utf-8") if isinstance(content, str) else content
                (temp / file).write_bytes(data)
            (temp / "repro.sh").chmod(0o755)
            return _rename(temp, reports, name)
        except BaseException:
            shutil.rmtree(temp, ignore_errors=True)
            raise


def _rename(temp: Path, reports: Path, name: str) -> Path:
    for attempt in range(100):
        target = reports / (name if attempt == 0 else f"{name}-{attempt}")
        try:
            # rename onto a missing name; an existing (non-empty) bundle is never replaced
            temp.rename(target)
        except OSError:
            if target.exists():
                continue
            raise
        return target
    raise QualityKitError(f"{reports}: 100 bundles named {name}; remove some")
