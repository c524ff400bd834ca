"""Starting the suite's pytest: first thing triage does, before its own start-up.

Standard library only (and ``collected``, also standard library): ``qualitykit triage`` starts
pytest before it imports its models, reads its configuration, the baseline bundle or the
environment, so that work overlaps the suite instead of adding to it (``benchmarks/triage.py``
part b). Anything that then fails (a bad setting, a corrupt baseline) ends the started pytest
(``Started.stop``) before the one-line error: no bundle is written.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qualitykit.errors import QualityKitError
from qualitykit.files import find_root
from qualitykit.triage import collected, reportlog

if TYPE_CHECKING:
    import contextlib
    from collections.abc import Mapping, Sequence

REPORT_LOG = "report-log.jsonl"
# Where triage writes the JUnit XML from the report log (pytest does not write it).
JUNIT = "junit.xml"
OUTPUT = "pytest-output.log"
TOTAL = "collected.json"
# Imports pytest, so named here, not imported: triage starts pytest before loading anything.
EXPECTED_PLUGIN = "qualitykit.triage.expected"


def pytest_command(scratch: Path, args: Sequence[str]) -> list[str]:
    """The command: the project's pytest with our reports into ``scratch``, then ``args``.

    Our options come before the user's: their own ``--tb`` or ``-p`` on the command line win.
    No ``--junitxml``: triage writes ``junit.xml`` from the report log (``junit_write``), and
    the project's own ``--junitxml`` stays its own.
    """
    return [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        reportlog.__name__,
        f"{reportlog.OPTION}={scratch / REPORT_LOG}",
        "-p",
        collected.__name__,
        f"{collected.OPTION}={scratch / TOTAL}",
        "-p",
        "no:cacheprovider",
        # Long tracebacks carry each frame's function; the project's short style would not.
        "--tb=long",
        # ... except an expected failure's: nothing reads it, and the long style is costly.
        "-p",
        EXPECTED_PLUGIN,
        *args,
    ]


@dataclass
class Started:
    """A running pytest: its process, its scratch directory, when and from what it began."""

    process: subprocess.Popen[bytes]
    scratch: Path
    began: float
    usage_before: resource.struct_rusage

    def stop(self) -> None:
        """End pytest if it still runs (whatever ended triage early), and reap it."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def start_suite(
    root: Path,
    scratch: Path,
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Started:
    """Start pytest in ``cwd`` (default ``root``); its console output goes to a file.

    A file, not a pipe: nobody reads a pipe while the report log is followed, and a full pipe
    would stall pytest.
    """
    before, began = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    with (scratch / OUTPUT).open("wb") as sink:
        try:
            process = subprocess.Popen(  # noqa: S603 - our interpreter running pytest
                pytest_command(scratch, args),
                cwd=cwd or root,
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        except OSError as error:
            msg = f"pytest could not start: {error.strerror or error}"
            raise QualityKitError(msg) from None
    return Started(process, scratch, began, before)


def start(root: Path, pytest_args: Sequence[str], stack: contextlib.ExitStack) -> Started:
    """Start the suite of the project at or above ``root``; ``stack`` ends it, then its scratch."""
    scratch = stack.enter_context(tempfile.TemporaryDirectory(prefix="qualitykit-triage-"))
    started = start_suite(find_root(root), Path(scratch), pytest_args)
    stack.callback(started.stop)
    return started
