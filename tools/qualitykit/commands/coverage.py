"""``qualitykit coverage ratchet --update`` and ``qualitykit coverage badge``.

Both first bring the coverage step up to date (reused from the cache when nothing changed),
then write their file atomically from the figures on disk; malformed data is an exit 2 and
leaves every file as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from qualitykit.atomic import write_bytes_atomic
from qualitykit.console import make_console
from qualitykit.coverage import badge, ratchet
from qualitykit.coverage.measure import read_report, resolve_core
from qualitykit.runner import run_steps
from qualitykit.steps import resolve
from qualitykit.steps.base import StepContext
from qualitykit.steps.coverage import report_paths
from qualitykit.summary import status_line
from qualitykit.workspace import Workspace

if TYPE_CHECKING:
    from rich.console import Console

    from qualitykit.results import CoverageResult, StepResult


def _measured_line(console: Console, result: StepResult) -> None:
    """What the measurement gave, not the step's verdict.

    These commands need the figures, not the gate's judgement of them: the step fails for a
    missing or higher baseline, which is exactly what ``ratchet --update`` is run to fix, so its
    FAIL line would announce a failure before the command succeeds.
    """
    if result.coverage is None:
        status_line(console, result)
        return
    reused = ", reused: nothing changed" if result.cached else ""
    console.print(
        f"coverage measured: {result.coverage.total.percent:.2f}% "
        f"({result.counts.tests} tests{reused})"
    )


def _measure(workspace: Workspace) -> tuple[CoverageResult, StepContext] | None:
    console = make_console()
    gate = run_steps(
        workspace,
        resolve(workspace.config, ("coverage",)),
        on_result=lambda result: _measured_line(console, result),
    )
    result = gate.step("coverage")
    if result.coverage is None:
        # Not only a red suite: no test ran, no data, a group with no measured file.
        console.print("nothing written: the coverage step measured nothing to accept (see above)")
        return None
    ctx = StepContext(workspace, "coverage", workspace.config.settings("coverage"))
    settings = workspace.config.coverage
    _, _, json_path, _ = report_paths(ctx)
    return read_report(json_path, settings, resolve_core(settings.core)), ctx


def _change(previous: ratchet.Baseline | None, accepted: float) -> str:
    if previous is None:
        return "created"
    if accepted == previous.total:
        return "total unchanged"
    return "raised" if accepted > previous.total else "lowered"


def ratchet_update(root: Path) -> int:
    """Accept the measured figures as the new baseline."""
    workspace = Workspace.load(root)
    measured = _measure(workspace)
    if measured is None:
        return 1
    result, _ = measured
    path = workspace.root / workspace.config.coverage.baseline
    previous = ratchet.load_baseline(path)
    ratchet.save_baseline(path, ratchet.baseline_of(result))
    before = f"{previous.total:.2f}%" if previous else "none"
    change = _change(previous, ratchet.baseline_of(result).total)
    make_console().print(
        f"coverage baseline {workspace.config.coverage.baseline}: {before} -> "
        f"{result.total.percent:.2f}% ({change}; commit it)"
    )
    return 0


def write_badge(root: Path, *, hook: bool) -> int:
    """Write the badge and its figures; with ``hook``, exit 1 when they had to change."""
    workspace = Workspace.load(root)
    measured = _measure(workspace)
    if measured is None:
        return 1
    result, ctx = measured
    rcfile, data_file, _, _ = report_paths(ctx)
    rendered = badge.render(workspace.root, rcfile, data_file)
    settings = workspace.config.coverage
    path = workspace.root / settings.badge
    stale = not path.is_file() or path.read_bytes() != rendered
    if stale:
        write_bytes_atomic(path, rendered)
    ratchet.save_baseline(badge.record_path(path), ratchet.baseline_of(result))
    figure = badge.badge_figure(rendered, settings.badge)
    console = make_console()
    if stale and hook:
        console.print(
            f"{settings.badge} was stale; it now shows {figure:g}%. Commit it (and "
            f"{badge.record_path(Path(settings.badge)).as_posix()}), then push again."
        )
        return 1
    console.print(f"{settings.badge}: {figure:g}% ({'updated' if stale else 'unchanged'})")
    return 0
