"""Triage's live progress: pytest's report log read line by line while pytest writes it.

pytest-reportlog flushes one JSON object per line as each report happens, so the file says how
far the run is: a test is done at its teardown report, and it failed when any of its phases
did. The total comes from the ``collected`` plugin's file.

Each line is parsed once, into the capture triage judges (``ReportLogReader``): when pytest
ends, only the lines it wrote since the last poll are left to read, not the whole log (that
parse was most of triage's time after the suite). A line that does not parse is left to the
reading of the whole file, which judges it; progress only skips it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qualitykit.triage.capture import ReportLogReader

if TYPE_CHECKING:
    from pathlib import Path

    from qualitykit.progress import Tracker
    from qualitykit.triage.junit_write import JUnitWriter
    from qualitykit.triage.models import Capture

KEY = "tests"


class _Report(BaseModel):
    """The fields of a report-log line that progress needs."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    report_type: str = Field(default="", alias="$report_type")
    nodeid: str = ""
    when: str | None = None
    outcome: str = ""


class _Total(BaseModel):
    model_config = ConfigDict(extra="ignore")
    total: int = Field(ge=0)
    junit: dict[str, object] | None = None


class ReportLogFollower:
    """Reads the new lines of a growing report log and tells ``tracker`` (task ``tests``)."""

    def __init__(
        self,
        report_log: Path,
        total_file: Path,
        tracker: Tracker,
        junit: JUnitWriter | None = None,
    ) -> None:
        """Follow ``report_log``; the total, once known, is read from ``total_file``.

        ``junit`` (if any) gets every record, and the project's JUnit settings with the total.
        """
        self.report_log = report_log
        self.total_file = total_file
        self.tracker = tracker
        self.offset = 0
        self.partial = b""
        self.total: int | None = None
        self.junit_settings: dict[str, object] | None = None
        self.done = 0
        self.failed: set[str] = set()
        self.junit = junit
        self.reader = ReportLogReader(report_log, junit.feed if junit is not None else None)

    def _read_total(self) -> None:
        try:
            text = self.total_file.read_text(encoding="utf-8")
        # qualitykit: allow[QK-EXC-002] not collected yet: the total is unknown for now
        except FileNotFoundError:
            return
        try:
            read = _Total.model_validate_json(text)
        # qualitykit: allow[QK-EXC-002] no usable total: progress shows no ETA, judges nothing
        except ValidationError:
            return
        self.total = read.total
        self.junit_settings = read.junit
        if self.junit is not None:
            self.junit.configure(read.junit)

    def poll(self) -> None:
        """Take in what pytest has written since the last call."""
        if self.total is None:
            self._read_total()
        try:
            with self.report_log.open("rb") as handle:
                handle.seek(self.offset)
                chunk = handle.read()
        # qualitykit: allow[QK-EXC-002] pytest has not opened it yet: nothing done so far
        except FileNotFoundError:
            return
        self.offset += len(chunk)
        *lines, self.partial = (self.partial + chunk).split(b"\n")
        for line in lines:
            self._take(line)
        self.tracker.update(KEY, done=self.done, total=self.total, failures=len(self.failed))

    def _take(self, line: bytes) -> None:
        record = self.reader.feed(line)
        if record is not None:
            kind, nodeid, when, outcome = (
                record.report_type,
                record.nodeid,
                record.when,
                record.outcome or "",
            )
        elif line.strip():
            try:
                report = _Report.model_validate_json(line)
            # qualitykit: allow[QK-EXC-002] the reading of the whole log judges this line
            except ValidationError:
                return
            kind, nodeid, when, outcome = (
                report.report_type,
                report.nodeid,
                report.when,
                report.outcome,
            )
        else:
            return
        if outcome == "failed" and kind in {"TestReport", "CollectReport"}:
            self.failed.add(nodeid)
        if kind == "TestReport" and when == "teardown":
            self.done += 1

    def capture(self) -> Capture | None:
        """The capture of the whole log, read while it grew; None when it must be read again.

        Only a log read to its end (nothing after the last newline, no byte since the last
        poll) whose every line parsed: anything else is judged by reading the file whole.
        """
        try:
            size = self.report_log.stat().st_size
        # qualitykit: allow[QK-EXC-002] no log: the reading of the whole file says so
        except FileNotFoundError:
            return None
        if self.partial or size != self.offset or self.reader.error is not None:
            return None
        return self.reader.capture()
