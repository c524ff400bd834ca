"""``qualitykit coverage diff --base REF``: coverage of the lines a branch changed."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table

from qualitykit.coverage.diff import compact, diff_coverage
from qualitykit.errors import QualityKitError
from qualitykit.summary import make_console
from qualitykit.workspace import Workspace

if TYPE_CHECKING:
    from pathlib import Path


def parse_percent(text: str, option: str) -> float:
    """``text`` as a percentage 0-100; exit 2 naming ``option`` otherwise (nan, inf, 150, -5)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value <= 100:  # also false for nan
        raise QualityKitError(f"{option} {text}: not a percentage between 0 and 100")
    return value


def run(root: Path, *, base: str, xml: Path | None, fail_under: str | None, as_json: bool) -> int:
    """Report diff coverage; exit 1 below the threshold (flag, else the config's)."""
    flag = None if fail_under is None else parse_percent(fail_under, "--fail-under")
    workspace = Workspace.load(root)
    threshold = flag if flag is not None else workspace.config.coverage.diff_fail_under
    report = xml or workspace.state_dir / "coverage" / "coverage.xml"
    result = diff_coverage(workspace.root, base, report, threshold)
    console = make_console()
    table = Table(title=f"diff coverage against {base}", title_justify="left")
    for column in ("file", "changed lines", "covered", "%", "missed lines"):
        table.add_column(column, justify="left" if column in {"file", "missed lines"} else "right")
    for entry in result.files:
        percent = "" if entry.percent is None else f"{entry.percent:.2f}"
        table.add_row(
            escape(entry.path),
            str(entry.measured),
            str(entry.covered),
            percent,
            compact(entry.missed_lines),
        )
    console.print(table)
    total = "no measurable changed line" if result.percent is None else f"{result.percent:.2f}%"
    verdict = "" if threshold is None else f" (fail under {threshold:g}%)"
    console.print(f"diff coverage: {total}, {result.covered}/{result.measured} lines{verdict}")
    if as_json:
        print(result.model_dump_json(indent=2))
    return 0 if result.passed else 1
