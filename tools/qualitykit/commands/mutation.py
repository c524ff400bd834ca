"""``qualitykit mutation run | merge | report``: mutation testing and its reports.

Exit codes: 0 the run passed; 1 it failed (below the threshold or ratchet, an error outcome,
0 mutants, a failing baseline or sanity check); 2 bad configuration or a corrupt session, cache
or baseline file (one line, nothing written).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from qualitykit.console import make_console
from qualitykit.errors import QualityKitError
from qualitykit.mutation.engine import STATE
from qualitykit.mutation.report import print_text, write_reports
from qualitykit.mutation.results import MutationResult
from qualitykit.mutation.verdict import RunOptions
from qualitykit.progress import tracking
from qualitykit.runlock import hold_run_lock
from qualitykit.state import read_model
from qualitykit.workspace import Workspace

if TYPE_CHECKING:
    from collections.abc import Callable

_TASK = "mutation"


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``"I/N"`` (1 <= I <= N) as a tuple; exit 2 on anything else."""
    if text is None:
        return None
    index, _, total = text.partition("/")
    if not (index.isdigit() and total.isdigit()) or not 1 <= int(index) <= int(total):
        raise QualityKitError(f"--shard {text!r}: expected I/N with 1 <= I <= N, e.g. 2/4")
    return int(index), int(total)


def _with_progress(
    action: Callable[[Callable[[int, int, int], None]], MutationResult],
) -> MutationResult:
    """Run ``action`` with a progress hook: mutants done / total, ETA, survivors so far."""
    with tracking(make_console()) as tracker:

        def hook(done: int, total: int, survived: int) -> None:
            # Started at the first result, not before: bad input found while the run is
            # prepared stays the one line it is (exit 2), with no progress line before it.
            if _TASK not in tracker.tasks:
                tracker.start(_TASK, total=total, failure_word="survived")
            tracker.update(_TASK, done=done, total=total, failures=survived)

        result = action(hook)
        if _TASK in tracker.tasks:
            tracker.finish(_TASK)  # the report printed next is the run's last word
    return result


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
