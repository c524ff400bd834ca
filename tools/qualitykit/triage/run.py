"""One pytest run of the project's suite, with its structured reports in a scratch directory."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from qualitykit.errors import QualityKitError
from qualitykit.progress import Tracker
from qualitykit.triage import collected
from qualitykit.triage.environment import Resources, children_usage, resources
from qualitykit.triage.follow import KEY, ReportLogFollower

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

REPORT_LOG = "report-log.jsonl"
JUNIT = "junit.xml"
_OUTPUT = "pytest-output.log"
_TOTAL = "collected.json"
# How often the report log is read while pytest runs (the live view redraws at this rate).
_POLL_S = 0.25


@dataclass(frozen=True)
class SuiteRun:
    """What pytest left: exit code, console log, report paths and resources."""

    exit_code: int
    log: str
    report_log: Path
    junit: Path
    resources: Resources


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

    Our options come before the user's: their own ``--tb`` or ``-p`` on the command line win.
    ``cwd`` and ``env`` (default: ``root`` and ours) are for the deep checks' reruns.
    While it runs, ``tracker`` (if any) hears of each test done and failed from its report log.
    """
    tracker = tracker if tracker is not None else Tracker(None)
    report_log, junit = scratch / REPORT_LOG, scratch / JUNIT
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "pytest_reportlog",
        f"--report-log={report_log}",
        f"--junitxml={junit}",
        "-p",
        collected.__name__,
        f"{collected.OPTION}={scratch / _TOTAL}",
        "-p",
        "no:cacheprovider",
        # Long tracebacks carry each frame's function; the project's short style would not.
        "--tb=long",
        *args,
    ]
    before, start = children_usage(), time.monotonic()
    output = scratch / _OUTPUT
    tracker.start(KEY)
    # pytest's console output goes to a file, not a pipe: nobody reads a pipe while the report
    # log is followed, and a full pipe would stall pytest.
    with output.open("wb") as sink:
        follower = ReportLogFollower(report_log, scratch / _TOTAL, tracker)
        returncode = _follow(
            command, cwd=cwd or root, env=env, sink=sink, timeout=timeout, follower=follower
        )
    used = resources(before, children_usage(), time.monotonic() - start)
    tracker.finish(KEY, f"pytest exited {returncode}", failed=returncode != 0)
    # As text mode read it from a pipe before: undecodable bytes replaced, universal newlines.
    text = output.read_bytes().decode("utf-8", errors="replace")
    log = text.replace("\r\n", "\n").replace("\r", "\n")
    return SuiteRun(returncode, log, report_log, junit, used)


def _follow(  # noqa: PLR0913 - the command, where it runs, and what reads it meanwhile
    command: list[str],
    *,
    cwd: Path,
    env: Mapping[str, str] | None,
    sink: BinaryIO,
    timeout: float,
    follower: ReportLogFollower,
) -> int:
    """Run ``command`` to its end, with ``follower`` reading its report log meanwhile."""
    deadline = time.monotonic() + timeout
    try:
        process = subprocess.Popen(  # noqa: S603 - our interpreter running pytest
            command, cwd=cwd, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    except OSError as error:
        raise QualityKitError(f"pytest could not start: {error.strerror or error}") from None
    returncode: int | None = None
    try:
        while returncode is None:
            try:
                returncode = process.wait(timeout=min(_POLL_S, max(deadline - time.monotonic(), 0)))
            except subprocess.TimeoutExpired:
                if time.monotonic() >= deadline:
                    raise QualityKitError(f"pytest did not finish within {timeout:g} s") from None
                follower.poll()
    finally:
        # As subprocess.run does: whatever ended the wait (timeout, Ctrl-C), pytest ends too.
        if process.poll() is None:
            process.kill()
            process.wait()
    follower.poll()
    return returncode
