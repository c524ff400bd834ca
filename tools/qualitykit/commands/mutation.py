"""``qualitykit mutation run | merge | report``: mutation testing and its reports.

Exit codes: 0 the run passed; 1 it failed (below the threshold or ratchet, an error outcome,
0 mutants, a failing baseline or sanity check); 2 bad configuration or a corrupt session, cache
or baseline file (one line, nothing written).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from qualitykit.errors import QualityKitError
from qualitykit.mutation.engine import STATE
from qualitykit.mutation.report import print_text, write_reports
from qualitykit.mutation.results import MutationResult
from qualitykit.mutation.verdict import RunOptions
from qualitykit.runlock import hold_run_lock
from qualitykit.state import read_model
from qualitykit.summary import make_console
from qualitykit.workspace import Workspace

if TYPE_CHECKING:
    from collections.abc import Callable

_PLAIN_EVERY_S = 5.0


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``"I/N"`` (1 <= I <= N) as a tuple; exit 2 on anything else."""
    if text is None:
        return None
    index, _, total = text.partition("/")
    if not (index.isdigit() and total.isdigit()) or not 1 <= int(index) <= int(total):
        raise QualityKitError(f"--shard {text!r}: expected I/N with 1 <= I <= N, e.g. 2/4")
    return int(index), int(total)


class _PlainProgress:
    """Progress as plain lines (not a terminal, or CI): at most one line every 5 s."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.last = 0.0

    def __call__(self, done: int, total: int, survived: int) -> None:
        now = time.monotonic()
        if done != total and now - self.last < _PLAIN_EVERY_S:
            return
        self.last = now
        elapsed = now - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else 0.0
        print(
            f"mutation: {done}/{total} mutants ({100 * done // max(total, 1)}%), {rate:.1f}/s, "
            f"ETA {eta:.0f} s, survived so far {survived}",
            file=sys.stderr,
            flush=True,
        )


def _live() -> bool:
    return sys.stderr.isatty() and os.environ.get("CI", "").lower() not in {"1", "true"}


class _RichProgress:
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = progress.add_task("mutants", total=None, survived=0)

    def __call__(self, done: int, total: int, survived: int) -> None:
        self.progress.update(self.task, completed=done, total=total, survived=survived)


def _with_progress(
    action: Callable[[Callable[[int, int, int], None]], MutationResult],
) -> MutationResult:
    if not _live():
        return action(_PlainProgress())
    columns = (
        TextColumn("mutation"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeRemainingColumn(),
        TextColumn("survived {task.fields[survived]}"),
    )
    with Progress(*columns, console=make_console(), transient=True) as progress:
        return action(_RichProgress(progress))


def _conclude(result: MutationResult, workspace: Workspace, *, as_json: bool) -> int:
    directory = workspace.state_dir / STATE
    write_reports(result, workspace.root, directory)
    console = make_console()
    if as_json:
        print(result.model_dump_json(indent=2))
        for problem in result.problems:
            console.print(f"mutation: {problem}", markup=False)
    else:
        print_text(result, console)
    _publish(directory)
    verdict = "passed" if result.ok else "failed"
    console.print(f"mutation {verdict}: reports in {directory}", markup=False)
    return 0 if result.ok else 1


def _publish(directory: Path) -> None:
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with Path(summary).open("a", encoding="utf-8") as handle:
            handle.write((directory / "report.md").read_text(encoding="utf-8"))


def run(  # noqa: PLR0913 - one per option
    root: Path,
    *,
    changed_base: str | None = None,
    shard: str | None = None,
    workers: int | None = None,
    use_cache: bool = True,
    apply_threshold: bool = True,
    update_baseline: bool = False,
    as_json: bool = False,
) -> int:
    """``qualitykit mutation run``."""
    from qualitykit.mutation import engine  # noqa: PLC0415

    if workers is not None and workers < 0:
        raise QualityKitError(f"--workers {workers}: expected 0 (one per core) or more")
    options = RunOptions(
        changed_base=changed_base,
        shard=parse_shard(shard),
        workers=workers,
        use_cache=use_cache,
        apply_threshold=apply_threshold and not update_baseline,
    )
    workspace = Workspace.load(root)
    # One run at a time per project: a second run would share the session, cache and copies'
    # owner records. An interrupt (any stop signal) unwinds through here; the CLI says so once.
    with hold_run_lock(workspace.state_dir):
        result = _with_progress(lambda hook: engine.run(workspace.root, options, hook))
    if update_baseline and result.score is not None and not result.problems:
        from qualitykit.mutation.ratchet import write_baseline  # noqa: PLC0415

        path = write_baseline(workspace, result.score)
        make_console().print(
            f"mutation baseline {result.score:.2f}% written to {path}", markup=False
        )
    return _conclude(result, workspace, as_json=as_json)


def merge(
    root: Path, sessions: list[Path], output: Path | None, *, apply_threshold: bool = True
) -> int:
    """``qualitykit mutation merge``: shard sessions into one session and one report."""
    from qualitykit.mutation.merge import merge as merge_sessions  # noqa: PLC0415

    workspace = Workspace.load(root)
    target = output or workspace.state_dir / STATE / "session.sqlite"
    result = merge_sessions(workspace, sessions, target, apply_threshold=apply_threshold)
    return _conclude(result, workspace, as_json=False)


def report(root: Path, fmt: str) -> int:
    """``qualitykit mutation report``: print the last run's report in ``fmt``."""
    from qualitykit.mutation.report import html, markdown, stryker, verdict  # noqa: PLC0415

    workspace = Workspace.load(root)
    path = workspace.state_dir / STATE / "result.json"
    result = read_model(path, MutationResult, "mutation result", cache=False)
    if result is None:
        raise QualityKitError(f"{path}: no mutation result yet (run: qualitykit mutation run)")
    renderers: dict[str, Callable[[], str]] = {
        "text": lambda: verdict(result) + "\n",
        "markdown": lambda: markdown(result),
        "html": lambda: html(result),
        "json": lambda: _json(stryker(result, workspace.root)),
    }
    sys.stdout.write(renderers[fmt]())
    return 0 if result.ok else 1


def _json(document: object) -> str:
    import json  # noqa: PLC0415

    return json.dumps(document, indent=1) + "\n"
