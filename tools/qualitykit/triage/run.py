"""One pytest run of the project's suite, with its structured reports in a scratch directory."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualitykit.errors import QualityKitError
from qualitykit.triage.environment import Resources, children_usage, resources

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

REPORT_LOG = "report-log.jsonl"
JUNIT = "junit.xml"


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
) -> SuiteRun:
    """Run pytest in ``root`` as the project configured it, plus ``args``; reports to scratch.

    Our options come before the user's: their own ``--tb`` or ``-p`` on the command line win.
    ``cwd`` and ``env`` (default: ``root`` and ours) are for the deep checks' reruns.
    """
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
        "no:cacheprovider",
        # Long tracebacks carry each frame's function; the project's short style would not.
        "--tb=long",
        *args,
    ]
    before, start = children_usage(), time.monotonic()
    try:
        done = subprocess.run(  # noqa: S603 - our interpreter running pytest
            command,
            cwd=cwd or root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise QualityKitError(f"pytest did not finish within {timeout:g} s") from None
    except OSError as error:
        raise QualityKitError(f"pytest could not start: {error.strerror or error}") from None
    used = resources(before, children_usage(), time.monotonic() - start)
    return SuiteRun(done.returncode, done.stdout, report_log, junit, used)
