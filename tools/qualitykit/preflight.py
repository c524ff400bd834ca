"""Before any step runs: every path the run will write is free to be written.

A directory where ``.qualitykit/summary.json`` should be, ``.qualitykit`` itself a file, a
directory at the badge path: each would otherwise surface after the steps ran (a "gate passed"
table followed by an error) or as a traceback from a tool. Checked first, it is one line naming
the path, exit 2, and nothing is run or written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualitykit.errors import QualityKitError
from qualitykit.fastpath import RECORD
from qualitykit.files import SARIF_FILE

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from qualitykit.config import Config

# Directories under .qualitykit/ that the runner and the steps create and write into.
_STATE_DIRS = ("results", "logs", "junit", "coverage")
_STATE_FILES = ("summary.json", "summary.md", SARIF_FILE, RECORD)
_COVERAGE_FILES = ("coveragerc", ".coverage", "coverage.json", "coverage.xml", "badge.svg")


def _need_directory(path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise QualityKitError(f"{path}: is a file, where qualitykit keeps a directory")


def _need_file(path: Path) -> None:
    if path.is_dir():
        raise QualityKitError(f"{path}: is a directory, not a file")
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise QualityKitError(f"{path}: a parent of it ({parent}) is a file, not a directory")


def check_writable(root: Path, state_dir: Path, config: Config, steps: Iterable[str]) -> None:
    """Raise a one-line error when a path this run writes is blocked (see the module doc)."""
    _need_directory(state_dir)
    for name in _STATE_DIRS:
        _need_directory(state_dir / name)
    files = [state_dir / name for name in _STATE_FILES]
    for step in steps:
        files += [state_dir / "results" / f"{step}.json", state_dir / "logs" / f"{step}.log"]
        files.append(state_dir / "junit" / f"{step}.xml")
        if step == "coverage":
            files += [state_dir / "coverage" / name for name in _COVERAGE_FILES]
            files.append(root / config.coverage.baseline)
        if step == "badge":
            badge = root / config.coverage.badge
            files += [badge, badge.with_suffix(".json")]
    for path in files:
        _need_file(path)
