"""Triage's report log: pytest-reportlog's JSON lines, written by a pytest plugin of ours.

The same records as pytest-reportlog 1.x writes (``SessionStart``; each test and collection
report as pytest serialises it through ``pytest_report_to_serializable``; ``WarningMessage``;
``SessionFinish``), so the bundle's ``report-log.jsonl`` reads as that tool's. Ours because:

- the project's own ``--report-log`` (in its ``addopts``) stays its own: pytest-reportlog has
  one option, and ours on the command line replaced the project's file;
- the lines are flushed once per test (at its teardown report), not once per report, and the
  encoder skips the circular check (a serialised report is a tree; a value that is not, or
  that JSON cannot encode, is written as its ``str`` as pytest-reportlog does). Encoding the
  reports is most of the cost and stays: ``benchmarks/triage.py`` part b showed no change.

Standard library only at import (triage imports it for its option's name, before pytest
starts); pytest's own objects come through the hooks.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    import warnings

    import pytest

OPTION = "--qualitykit-report-log"
_ENCODE = json.JSONEncoder(check_circular=False).encode


def _line(data: dict[str, Any]) -> str:
    try:
        return _ENCODE(data)
    except (TypeError, ValueError, RecursionError):
        return json.dumps({key: _plain(value) for key, value in data.items()})


def _plain(value: object) -> object:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return str(value)
    return value


class _Writer:
    def __init__(self, config: pytest.Config, path: str) -> None:
        self.config = config
        self.file: TextIO = open(path, "w", encoding="utf-8")  # noqa: PTH123, SIM115 - closed at unconfigure

    def write(self, data: dict[str, Any], *, flush: bool = True) -> None:
        self.file.write(_line(data) + "\n")
        if flush:
            self.file.flush()

    def pytest_sessionstart(self) -> None:
        from _pytest import __version__  # noqa: PLC0415 - pytest.__version__ is this

        self.write({"pytest_version": __version__, "$report_type": "SessionStart"})

    def pytest_sessionfinish(self, exitstatus: int) -> None:
        self.write({"exitstatus": int(exitstatus), "$report_type": "SessionFinish"})

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        data: dict[str, Any] = self.config.hook.pytest_report_to_serializable(
            config=self.config, report=report
        )
        if "_report_type" in data:  # a plugin's report (subtests) names its type this way
            data["$report_type"] = data.pop("_report_type")
        self.write(data, flush=report.when == "teardown")

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        self.write(
            self.config.hook.pytest_report_to_serializable(config=self.config, report=report)
        )

    def pytest_warning_recorded(
        self,
        warning_message: warnings.WarningMessage,
        when: str,
        nodeid: str,
        location: tuple[str, int, str] | None,
    ) -> None:
        del nodeid  # pytest-reportlog's record has none
        category = warning_message.category
        self.write(
            {
                "category": category.__name__ if category else None,
                "filename": warning_message.filename,
                "lineno": warning_message.lineno,
                "message": warning_message.message,
                "$report_type": "WarningMessage",
                "when": when,
                "location": location,
            }
        )

    def close(self) -> None:
        self.file.close()


def pytest_addoption(parser: pytest.Parser) -> None:
    """The file to write the report log to."""
    parser.addoption(OPTION, default=None, help="qualitykit triage: write the report log here")


def pytest_configure(config: pytest.Config) -> None:
    """Write the log when asked, in the controlling process only (xdist workers report to it)."""
    path: str | None = config.getoption(OPTION)
    if path and not hasattr(config, "workerinput"):
        config.pluginmanager.register(_Writer(config, path), "qualitykit-report-log")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Close the log."""
    writer = config.pluginmanager.get_plugin("qualitykit-report-log")
    if isinstance(writer, _Writer):
        writer.close()
        config.pluginmanager.unregister(writer)
