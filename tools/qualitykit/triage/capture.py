"""pytest-reportlog's JSON lines, read into typed :class:`Capture` results.

pytest writes one JSON object per report (``-p pytest_reportlog --report-log FILE``): its own
serialisation of each report, with the exception chain, each traceback entry's file and line
and the captured output, so nothing is read back from console prose.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qualitykit.errors import QualityKitError
from qualitykit.triage.models import (
    Capture,
    Failure,
    Frame,
    Kind,
    OutcomeCounts,
    Phase,
    RaisedException,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

_MAX_OUTPUT = 8000
# ``def name(`` on the first source line of a long-style entry; ``file:line: in name`` in the
# short style; ``File "f", line n, in name`` in the native style.
_DEF = re.compile(r"^\s*(?:async\s+)?def\s+(\w+)")
_SHORT = re.compile(r"^(?P<file>\S.*?):(?P<line>\d+): in (?P<func>\S+)")
_NATIVE = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<func>\S+)')
_E_LINE = re.compile(r"^E\s+(?P<text>\S.*)$")
_TYPE = re.compile(r"^(?P<type>[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning|\w*))")
_CRASHED = re.compile(r"worker '?\w+'? crashed|node down|Not properly terminated")
# pytest's own failure of a test whose subtests failed: it says nothing the subtests do not.
_SUBTESTS_FAILED = re.compile(r"contains \d+ failed subtests?")


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Location(_Lenient):
    path: str
    lineno: int
    message: str = ""


class _EntryData(_Lenient):
    lines: list[str] = Field(default_factory=list[str])
    reprfileloc: _Location | None = None


class _Entry(_Lenient):
    type: str = "ReprEntry"
    data: _EntryData = Field(default_factory=_EntryData)


class _Traceback(_Lenient):
    reprentries: list[_Entry] = Field(default_factory=list[_Entry])


class _Crash(_Lenient):
    message: str = ""


class _LongRepr(_Lenient):
    """pytest's serialised ``ExceptionChainRepr``: the raised exception and its chain."""

    reprcrash: _Crash | None = None
    reprtraceback: _Traceback = Field(default_factory=_Traceback)
    # None for pytest's native style (``--tb=native``): one traceback, its chain as text.
    chain: list[tuple[_Traceback, _Crash | None, str | None]] | None = None


class _SubtestContext(_Lenient):
    msg: str | None = None
    kwargs: dict[str, object] = Field(default_factory=dict[str, object])

    def label(self) -> str:
        """As pytest shows it: ``[msg] (k=v, ...)``."""
        parts = [f"[{self.msg}]"] if self.msg is not None else []
        if self.kwargs:
            parts.append(f"({', '.join(f'{k}={v}' for k, v in self.kwargs.items())})")
        return " ".join(parts) or "(subtest)"


class _Record(_Lenient):
    """The fields of one report-log line that triage reads (the rest is ignored)."""

    report_type: str = Field(alias="$report_type")
    nodeid: str = ""
    outcome: str | None = None
    when: str | None = None
    # A chain for a failure; text for collection errors and strict xpasses; a skip's
    # (path, line, reason) list.
    longrepr: _LongRepr | str | list[object] | None = None
    sections: list[tuple[str, str]] = Field(default_factory=list[tuple[str, str]])
    duration: float = 0.0
    wasxfail: str | None = None
    exitstatus: int | None = None
    subtest: _SubtestContext | None = Field(default=None, alias="_subtest.context")


def split_crash(message: str) -> RaisedException:
    """``"ValueError: bad"`` → type ValueError, message ``bad`` (first line of the type)."""
    head, sep, rest = message.partition(": ")
    first = head.splitlines()[0] if head else ""
    if sep and _TYPE.fullmatch(first) and " " not in first:
        return RaisedException(type=first, message=rest.strip())
    if _TYPE.fullmatch(message.strip()) and " " not in message.strip():
        return RaisedException(type=message.strip(), message="")
    return RaisedException(type="", message=message.strip())


def _entry_frame(entry: _Entry) -> Frame | None:
    location = entry.data.reprfileloc
    if location is not None:
        function = next((m.group(1) for m in map(_DEF.match, entry.data.lines) if m), None)
        return Frame(file=location.path, line=location.lineno, function=function)
    for line in entry.data.lines:
        found = _SHORT.match(line) or _NATIVE.search(line)
        if found:
            return Frame(file=found["file"], line=int(found["line"]), function=found["func"])
    return None


def _frames(traceback: _Traceback) -> tuple[Frame, ...]:
    frames: list[Frame] = []
    for entry in traceback.reprentries:
        if entry.type == "ReprEntryNative":
            frames.extend(
                Frame(file=m["file"], line=int(m["line"]), function=m["func"])
                for m in _NATIVE.finditer("\n".join(entry.data.lines))
            )
        else:
            frame = _entry_frame(entry)
            if frame is not None:
                frames.append(frame)
    return tuple(frames)


def _traceback_text(traceback: _Traceback) -> list[str]:
    """The traceback as pytest prints it: each entry's source, then its ``file:line``."""
    lines: list[str] = []
    for entry in traceback.reprentries:
        lines.extend(entry.data.lines)
        location = entry.data.reprfileloc
        if location is not None:
            message = f": {location.message}" if location.message else ""
            lines.extend([f"{location.path}:{location.lineno}{message}", ""])
    return lines


def _from_text(text: str) -> RaisedException:
    """The last ``E   Type: message`` line of a textual report (collection errors, JUnit)."""
    found = [m["text"] for m in map(_E_LINE.match, text.splitlines()) if m]
    for line in reversed(found):
        raised = split_crash(line)
        if raised.type:
            return raised
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return RaisedException(type="", message=lines[-1].strip() if lines else "")


def _failure(record: _Record, kind: Kind, phase: Phase) -> Failure:
    output = "".join(f"--- {title} ---\n{text}" for title, text in record.sections)
    longrepr = record.longrepr
    subtest = record.subtest.label() if record.subtest is not None else ""
    if isinstance(longrepr, _LongRepr):
        crash = longrepr.reprcrash or _Crash()
        causes = tuple(
            split_crash(link[1].message if link[1] else "") for link in (longrepr.chain or [])[:-1]
        )
        return Failure(
            test_id=record.nodeid,
            phase=phase,
            kind=kind,
            exception=split_crash(crash.message),
            subtest=subtest,
            chain=causes,
            frames=_frames(longrepr.reprtraceback),
            duration_s=record.duration,
            output=output[-_MAX_OUTPUT:],
            longrepr="\n".join(_traceback_text(longrepr.reprtraceback))[-_MAX_OUTPUT:],
        )
    text = longrepr if isinstance(longrepr, str) else ""
    return Failure(
        test_id=record.nodeid,
        phase=phase,
        kind=kind,
        exception=_from_text(text),
        subtest=subtest,
        duration_s=record.duration,
        output=output[-_MAX_OUTPUT:],
        longrepr=text[-_MAX_OUTPUT:],
    )


def _kind(record: _Record) -> Kind:
    text = record.longrepr if isinstance(record.longrepr, str) else ""
    if text.startswith("[XPASS(strict)]"):
        return "xpass-strict"
    if _CRASHED.search(text):
        return "crashed"
    return "failed" if record.when == "call" else "error"


class _Tally:
    """Per-test outcome, worst phase wins, and the failures in report order."""

    def __init__(self) -> None:
        self.outcome: dict[str, str] = {}
        self.failures: list[Failure] = []
        self.duration = 0.0
        self.exit_status: int | None = None
        self.subtests_failed: set[str] = set()

    def add(self, record: _Record) -> None:
        if record.report_type == "SessionFinish":
            self.exit_status = record.exitstatus
        elif record.report_type == "CollectReport" and record.outcome == "failed":
            self.failures.append(_failure(record, "collection", "collect"))
            self.outcome[record.nodeid] = "errors"
        elif record.report_type == "TestReport":
            self._test(record)
        elif record.report_type == "SubTestReport" and record.outcome == "failed":
            # Each failed subtest is a failure of its own, with its own exception; its test
            # fails too (pytest's report of the test follows).
            self.failures.append(_failure(record, _kind(record), _phase(record.when)))
            self.subtests_failed.add(record.nodeid)

    def _test(self, record: _Record) -> None:
        self.duration += record.duration
        seen = self.outcome.get(record.nodeid)
        if record.outcome == "failed":
            kind = _kind(record)
            longrepr = record.longrepr if isinstance(record.longrepr, str) else ""
            if not (record.nodeid in self.subtests_failed and _SUBTESTS_FAILED.fullmatch(longrepr)):
                self.failures.append(_failure(record, kind, _phase(record.when)))
            if seen not in {"failed", "errors"}:
                self.outcome[record.nodeid] = "failed" if kind != "error" else "errors"
        elif record.outcome == "skipped" and seen is None:
            self.outcome[record.nodeid] = "xfailed" if record.wasxfail is not None else "skipped"
        elif record.outcome == "passed" and record.when == "call" and seen is None:
            self.outcome[record.nodeid] = "xpassed" if record.wasxfail is not None else "passed"

    def capture(self) -> Capture:
        values = list(self.outcome.values())
        counts = OutcomeCounts(
            tests=len(values),
            **{name: values.count(name) for name in OutcomeCounts.model_fields if name != "tests"},
        )
        return Capture(
            source="report-log",
            detailed=True,
            counts=counts,
            failures=tuple(self.failures),
            passed=tuple(test for test, outcome in self.outcome.items() if outcome == "passed"),
            duration_s=self.duration,
            exit_status=self.exit_status,
        )


def _phase(when: str | None) -> Phase:
    if when == "setup":
        return "setup"
    return "teardown" if when == "teardown" else "call"


class ReportLogReader:
    """A report log taken in line by line: while pytest writes it, or a whole file at once.

    The first line that does not parse is the error ``capture`` raises (naming file:line);
    the lines after it are not read.
    """

    def __init__(self, path: Path, sink: Callable[[dict[str, Any]], None] | None = None) -> None:
        """Read lines of the report log at ``path`` (named in the error).

        ``sink`` also gets each good line, decoded (the JUnit writer: one parse for both).
        """
        self.path = path
        self.sink = sink
        self.tally = _Tally()
        self.number = 0
        self.error: str | None = None

    def feed(self, line: str | bytes) -> _Record | None:
        """Take the next line in; its record (None: blank, or the log is already bad)."""
        self.number += 1
        if self.error is not None or not line.strip():
            return None
        try:
            data: object = json.loads(line)
            record = _Record.model_validate(data)
            self.tally.add(record)
            if self.sink is not None and isinstance(data, dict):
                self.sink(cast("dict[str, Any]", data))
        except (json.JSONDecodeError, ValidationError, ValueError) as error:
            problem = str(error).splitlines()[0] if str(error) else type(error).__name__
            self.error = f"{self.path}:{self.number}: not a pytest report-log record ({problem})"
            return None
        return record

    def capture(self) -> Capture:
        """What the lines so far say; the first bad line's error, if any."""
        if self.error is not None:
            raise QualityKitError(self.error)
        return self.tally.capture()


def parse_report_log(
    text: str, path: Path, sink: Callable[[dict[str, Any]], None] | None = None
) -> Capture:
    """The capture in a report log; a line that does not parse is an error naming file:line.

    ``sink`` also gets each good line, decoded.
    """
    reader = ReportLogReader(path, sink)
    for line in text.splitlines():
        reader.feed(line)
    return reader.capture()
