"""``qualitykit triage``: run the suite once (or read a CI artifact), write a bundle, judge it.

Exit 0 when only known failures remain, 1 when something got worse (see ``triage.delta``),
2 for bad input (a corrupt report, a missing baseline, no test at all, a pytest that could
not run), with no bundle written.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import shlex
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from qualitykit.console import make_console
from qualitykit.errors import QualityKitError
from qualitykit.progress import tracking
from qualitykit.state import read_text
from qualitykit.triage.bundle import REPORTS, Bundle, stamp
from qualitykit.triage.capture import parse_report_log
from qualitykit.triage.clusters import build_clusters
from qualitykit.triage.deep_models import DeepRequest
from qualitykit.triage.delta import compare, latest_bundle, load_baseline
from qualitykit.triage.environment import Resources, environment
from qualitykit.triage.junit import parse_junit_file
from qualitykit.triage.junit_write import JUnitWriter
from qualitykit.triage.launch import JUNIT, Started, start
from qualitykit.triage.models import Clusters, Failures
from qualitykit.triage.report import render_summary
from qualitykit.triage.run import finish_suite
from qualitykit.workspace import Workspace

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from qualitykit.triage.models import Capture, Cluster

# pytest's own exit codes: 2 interrupted (also: collection errors), 3 internal, 4 usage.
_OK_EXITS = {0, 1}
_INTERRUPTED = 2
_NO_TESTS = 5


def _read_input(path: Path, what: str) -> str:
    text = read_text(path, what, cache=False)
    if text is None:
        raise QualityKitError(f"{path}: {what}: no such file")
    return text


def _why(log: str) -> str:
    """The error line pytest printed (``ERROR: ...``), else its last line, without ``=`` rules."""
    lines = [line.strip().strip("=").strip() for line in log.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("ERROR")]
    return (errors or lines or ["no output"])[0 if errors else -1]


def _finished(capture: Capture, path: Path) -> Capture:
    """The capture of a whole session: a log cut short (pytest died mid-run) proves nothing."""
    if capture.exit_status is None:
        msg = f"{path}: the report log ends before the session finished (did pytest die?)"
        raise QualityKitError(msg)
    return capture


def _run_limit(workspace: Workspace) -> float:
    """How long one pytest run of the suite may take.

    A suite allowed a long budget may run that long: the gate's step timeout alone would
    kill it first. Twice the budget still ends a hung suite.
    """
    budget = workspace.config.triage.budget
    return max(workspace.config.timeout, 2 * budget) if budget else workspace.config.timeout


def _from_run(
    workspace: Workspace, started: Started
) -> tuple[Capture, dict[str, str | bytes], Resources]:
    with tracking(make_console()) as progress:
        run = finish_suite(started, _run_limit(workspace), tracker=progress, junit=True)
    if run.exit_code == _NO_TESTS:
        raise QualityKitError(f"no test ran: pytest exited 5 ({_why(run.log)})")
    text = read_text(run.report_log, "pytest report log", cache=False)
    if text is None:
        msg = f"pytest could not run the suite: exit {run.exit_code} ({_why(run.log)})"
        raise QualityKitError(msg)
    junit = run.junit
    if run.capture is not None and junit is not None:
        read = run.capture
    else:  # the log read whole, and the JUnit XML written from it
        writer = JUnitWriter(run.report_log.with_name(JUNIT))
        writer.configure(run.junit_settings)
        read = parse_report_log(text, run.report_log, sink=writer.feed)
        junit = writer.xml()
    capture = _finished(read, run.report_log)
    if (run.exit_code == 0) == bool(capture.failures):
        failures = len(capture.failures)
        msg = f"pytest exited {run.exit_code} but its report log records {failures} failures"
        raise QualityKitError(msg)
    collection_failed = any(failure.kind == "collection" for failure in capture.failures)
    if run.exit_code not in _OK_EXITS and not (run.exit_code == _INTERRUPTED and collection_failed):
        msg = f"pytest could not run the suite: exit {run.exit_code} ({_why(run.log)})"
        raise QualityKitError(msg)
    files: dict[str, str | bytes] = {
        "report-log.jsonl": text,
        "junit.xml": junit,
        "pytest.log": run.log,
        "exit_code.txt": f"{run.exit_code}\n",
    }
    return capture, files, run.resources


def _from_file(path: Path, *, junit: bool) -> tuple[Capture, dict[str, str | bytes], Resources]:
    what = "JUnit XML" if junit else "pytest report log"
    text = _read_input(path, what)
    capture = (
        parse_junit_file(text, path) if junit else _finished(parse_report_log(text, path), path)
    )
    note = f"ingested {what} {path}; pytest did not run here\n"
    exit_code = capture.exit_status if capture.exit_status is not None else ""
    files: dict[str, str | bytes] = {
        "report-log.jsonl": "" if junit else text,
        "junit.xml": text if junit else "",
        "pytest.log": note,
        "exit_code.txt": f"{exit_code}\n",
    }
    return capture, files, Resources(wall_s=0, cpu_user_s=0, cpu_system_s=0, max_rss_kib=0)


def _repro(clusters: Sequence[Cluster]) -> str:
    # No `set -e`: every cluster's command runs even when an earlier one fails (as it should).
    lines = ["#!/bin/sh", "# One command per cluster: each reruns its first failing test.", ""]
    for cluster in clusters:
        lines.append(f"# {cluster.id}: {cluster.exception_type} ({cluster.size} failures)")
        lines.append(cluster.repro)
    return "\n".join(lines) + "\n"


def _capture(
    workspace: Workspace,
    started: Started | None,
    from_junit: Path | None,
    from_report_log: Path | None,
) -> tuple[Capture, dict[str, str | bytes], Resources]:
    """The run's (or the ingested artifact's) capture, the bundle's raw files, the resources."""
    if from_junit is not None:
        return _from_file(from_junit, junit=True)
    if from_report_log is not None:
        return _from_file(from_report_log, junit=False)
    if started is None:  # pragma: no cover - run() starts the suite whenever it reads none
        raise QualityKitError("internal: a run without a started pytest")
    return _from_run(workspace, started)


def run(  # noqa: PLR0913 - the command's options, each its own keyword
    root: Path,
    *,
    baseline: Path | None,
    from_junit: Path | None,
    from_report_log: Path | None,
    pytest_args: Sequence[str],
    as_json: bool = False,
    deep: DeepRequest | None = None,
    started: Started | None = None,
) -> int:
    """Triage the suite of the project at ``root``; returns the exit code.

    ``started``: the suite's pytest, already running (``start``); else it starts here.
    """
    ingest = from_junit is not None or from_report_log is not None
    with contextlib.ExitStack() as stack:
        if started is None and not ingest:
            started = start(root, pytest_args, stack)
        return _run(
            root,
            baseline=baseline,
            from_junit=from_junit,
            from_report_log=from_report_log,
            pytest_args=pytest_args,
            as_json=as_json,
            deep=deep or DeepRequest(),
            started=started,
        )


def _run(  # noqa: PLR0913 - run()'s options, each its own keyword
    root: Path,
    *,
    baseline: Path | None,
    from_junit: Path | None,
    from_report_log: Path | None,
    pytest_args: Sequence[str],
    as_json: bool,
    deep: DeepRequest,
    started: Started | None,
) -> int:
    ingest = from_junit is not None or from_report_log is not None
    if pytest_args and ingest:
        raise QualityKitError("pytest arguments after -- need a run, not a report to read")
    if deep.wanted and ingest:
        raise QualityKitError("deep checks rerun tests: they need a run, not a report to read")
    workspace = Workspace.load(root)
    if deep.per_test_timeout_s is None:
        timeout = workspace.config.triage.per_test_timeout
        deep = dataclasses.replace(deep, per_test_timeout_s=timeout)
    reports = workspace.root / REPORTS
    name = stamp()
    base_dir = baseline if baseline is not None else latest_bundle(reports)
    # Read the baseline first: a bad one ends the command before the suite runs.
    base = load_baseline(base_dir) if base_dir is not None else None
    # env.json reads nothing the run changes (interpreter, packages, git commit): read it on
    # the other core while the suite runs, not after it.
    with ThreadPoolExecutor(max_workers=1) as aside:
        environment_read = aside.submit(environment, workspace.root)
        capture, files, used = _capture(workspace, started, from_junit, from_report_log)
    if capture.counts.tests == 0 and not capture.failures:
        raise QualityKitError("no test ran: the suite reported 0 tests")
    clusters = build_clusters(capture.failures, workspace.root)
    runtime = used.wall_s or capture.duration_s
    delta = compare(
        capture,
        clusters,
        base,
        str(base_dir) if base_dir is not None else None,
        runtime_s=runtime,
        settings=workspace.config.triage,
    )
    checks = None
    if deep.wanted:
        # Only here: the checks' modules (the session, the search) cost a run without them.
        from qualitykit.triage.deep import run_deep  # noqa: PLC0415

        checks = run_deep(
            workspace.root,
            deep,
            capture=capture,
            report_log=str(files["report-log.jsonl"]),
            pytest_args=pytest_args,
            delta=delta,
            timeout=_run_limit(workspace),
        )
        files["deep.json"] = checks.model_dump_json(indent=2)
    unclean = checks.unclean() if checks is not None else ()
    worse = delta.worse or bool(unclean)
    reasons = ["worse"] if delta.worse else []
    if unclean:
        reasons.append(f"deep checks did not fully run: {', '.join(unclean)}")
    verdict = f"{'; '.join(reasons)} (exit 1)" if worse else "no new failures (exit 0)"
    env = environment_read.result()
    files.update(
        {
            "summary.md": render_summary(capture, clusters, delta, checks, verdict=verdict),
            "failures.json": Failures(failures=capture.failures).model_dump_json(indent=2),
            "clusters.json": Clusters(clusters=clusters).model_dump_json(indent=2),
            "delta.json": delta.model_dump_json(indent=2),
            "env.json": env.model_dump_json(indent=2),
            "resources.json": used.model_dump_json(indent=2),
            "repro.sh": _repro(clusters),
        }
    )
    written = Bundle(files).write(reports, name)
    if as_json:
        print(json.dumps({"bundle": str(written), "worse": worse}))
    else:
        incomplete = f"deep checks not fully run: {', '.join(unclean)}; " if unclean else ""
        print(
            f"triage: {len(capture.failures)} failures in {len(clusters)} clusters, "
            f"{len(delta.new_tests)} new, {len(delta.fixed_tests)} fixed; {incomplete}"
            f"bundle {shlex.quote(str(written))}"
        )
    return 1 if worse else 0
