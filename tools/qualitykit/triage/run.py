"""One pytest run of the project's suite, with its structured reports in a scratch directory."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualitykit.errors import QualityKitError
from qualitykit.progress import Tracker
from qualitykit.triage.environment import Resources, children_usage, resources
from qualitykit.triage.follow import KEY, ReportLogFollower
from qualitykit.triage.junit_write import JUnitWriter
from qualitykit.triage.launch import JUNIT, OUTPUT, REPORT_LOG, TOTAL, Started, start_suite

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from qualitykit.triage.models import Capture

# How often the report log is read while pytest runs (the live view redraws at this rate).
_POLL_S = 0.25


@dataclass(frozen=True)
class SuiteRun:
    """What pytest left: exit code, console log, report paths and resources."""

    exit_code: int
    log: str
    report_log: Path
    resources: Resources
    # The report log's capture, read while pytest wrote it (None: read the file whole).
    capture: Capture | None = None
    # The JUnit XML written from the same lines (None: not asked for, or read the log whole).
    junit: bytes | None = None
    # The project's JUnit settings, as the ``collected`` plugin wrote them.
    junit_settings: dict[str, object] | None = None


def run_suite(  # noqa: PLR0913 - where and how pytest runs, each its own keyword
    root: Path,
    scratch: Path,
    args: Sequence[str],
    timeout: float,
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    tracker: Tracker | None = None,
) -> SuiteRun:
    """Run pytest in ``root`` as the project configured it, plus ``args``; reports to scratch.

    ``cwd`` and ``env`` (default: ``root`` and ours) are for the deep checks' reruns.
    """
    started = start_suite(root, scratch, args, cwd=cwd, env=env)
    return finish_suite(started, timeout, tracker)


def finish_suite(
    started: Started, timeout: float, tracker: Tracker | None = None, *, junit: bool = False
) -> SuiteRun:
    """Wait for the ``started`` pytest (at most ``timeout`` from its start) and read its output.

    While it runs, ``tracker`` (if any) hears of each test done and failed from its report log,
    and with ``junit`` the JUnit writer takes each of its records.
    Whatever ends the wait early (the timeout, Ctrl-C), pytest ends too.
    """
    tracker = tracker if tracker is not None else Tracker(None)
    scratch = started.scratch
    tracker.start(KEY)
    writer = JUnitWriter(scratch / JUNIT) if junit else None
    follower = ReportLogFollower(scratch / REPORT_LOG, scratch / TOTAL, tracker, writer)
    try:
        returncode = _follow(started, timeout, follower)
    finally:
        started.stop()
    used = resources(started.usage_before, children_usage(), time.monotonic() - started.began)
    tracker.finish(KEY, f"pytest exited {returncode}", failed=returncode != 0)
    # As text mode read it from a pipe before: undecodable bytes replaced, universal newlines.
    text = (scratch / OUTPUT).read_bytes().decode("utf-8", errors="replace")
    log = text.replace("\r\n", "\n").replace("\r", "\n")
    capture = follower.capture()
    xml = writer.xml() if writer is not None and capture is not None else None
    return SuiteRun(
        returncode, log, scratch / REPORT_LOG, used, capture, xml, follower.junit_settings
    )


def _follow(started: Started, timeout: float, follower: ReportLogFollower) -> int:
    """Wait for pytest's end, with ``follower`` reading its report log meanwhile.

    A thread blocks in ``wait()`` and wakes this one the moment pytest exits: a timed
    ``Popen.wait`` polls every 50 ms, which would add 25 ms on average to every triage.
    """
    deadline = started.began + timeout
    ended = threading.Event()
    waiter = threading.Thread(target=_reap, args=(started, ended), daemon=True)
    waiter.start()
    while not ended.wait(min(_POLL_S, max(deadline - time.monotonic(), 0))):
        if time.monotonic() >= deadline:
            raise QualityKitError(f"pytest did not finish within {timeout:g} s")
        follower.poll()
    follower.poll()
    return started.process.wait()


def _reap(started: Started, ended: threading.Event) -> None:
    started.process.wait()
    ended.set()
