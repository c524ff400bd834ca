"""The bundle's ``junit.xml``: pytest's own JUnit writer, fed from the report log.

Running pytest's junitxml plugin beside the report log cost about 2.5 % of python-dateutil's
suite (``benchmarks/triage.py`` part b): work per report inside pytest, on the suite's critical
path. The same writer (``_pytest.junitxml.LogXML``) here takes the reports the report log
already holds, deserialised as pytest-xdist's controller does with its workers' reports, while
pytest runs, on the other core. The project's ``junit_*`` settings and ``--junitprefix`` come
from the ``collected`` plugin, so the file is the one pytest would have written; and a
``--junitxml`` of the project's own (its ``addopts``) is no longer overridden by ours.

What exists only inside pytest's process is not in it: suite properties and attributes added
through the writer itself (``record_testsuite_property``, ``record_xml_attribute``,
Hypothesis' statistics, which the report log holds too).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, cast

from _pytest.junitxml import LogXML
from _pytest.reports import CollectReport, TestReport, pytest_report_from_serializable
from pydantic import BaseModel, ConfigDict, ValidationError

if TYPE_CHECKING:
    from pathlib import Path

_KINDS = frozenset({"TestReport", "CollectReport"})


class JUnitSettings(BaseModel):
    """The project's JUnit settings (pytest's defaults when the plugin said none)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prefix: str | None = None
    suite_name: str = "pytest"
    logging: Literal["no", "log", "system-out", "system-err", "out-err", "all"] = "no"
    duration_report: Literal["total", "call"] = "total"
    family: Literal["legacy", "xunit1", "xunit2"] = "xunit2"
    log_passing_tests: bool = True


class JUnitWriter:
    """Report-log records in, ``junit.xml`` out (written to ``path``).

    Records that come before the settings are known (collection reports) wait for them.
    """

    def __init__(self, path: Path) -> None:
        """Write the XML to ``path`` when asked (``xml``)."""
        self.path = path
        self._pending: list[dict[str, Any]] = []
        self._writer: LogXML | None = None

    def configure(self, settings: object) -> None:
        """Take the project's settings (the ``junit`` entry the plugin wrote; None: defaults)."""
        if self._writer is not None:
            return
        try:
            chosen = JUnitSettings.model_validate(settings or {})
        # qualitykit: allow[QK-EXC-002] settings we cannot read: pytest's defaults, still JUnit
        except ValidationError:
            chosen = JUnitSettings()
        self._writer = LogXML(
            str(self.path),
            chosen.prefix,
            chosen.suite_name,
            chosen.logging,
            chosen.duration_report,
            chosen.family,
            chosen.log_passing_tests,
        )
        self._writer.pytest_sessionstart()
        pending, self._pending = self._pending, []
        for data in pending:
            self._take(self._writer, data)

    def feed(self, data: dict[str, Any]) -> None:
        """Take one decoded report-log line (other record types are ignored)."""
        if data.get("$report_type") not in _KINDS:
            return
        if self._writer is None:
            self._pending.append(data)
        else:
            self._take(self._writer, data)

    @staticmethod
    def _take(writer: LogXML, data: dict[str, Any]) -> None:
        fixed = dict(data)  # deserialising replaces parts of the dict it is given
        longrepr: object = fixed.get("longrepr")
        if isinstance(longrepr, list):
            # JSON made a skip's (path, line, reason) tuple a list; the writer wants the tuple.
            fixed["longrepr"] = tuple(cast("list[object]", longrepr))
        report = pytest_report_from_serializable(fixed)
        if isinstance(report, TestReport):
            writer.pytest_runtest_logreport(report)
        elif isinstance(report, CollectReport):
            writer.pytest_collectreport(report)

    def xml(self) -> bytes:
        """The JUnit XML of every record fed so far."""
        self.configure(None)
        if self._writer is None:  # pragma: no cover - configure always makes one
            return b""
        self._writer.pytest_sessionfinish()
        return self.path.read_bytes()
