"""A pytest plugin for triage's progress: how many tests the session will run.

pytest-reportlog's collection reports list every collected item, but not the ones
``-k``/``-m``/``--deselect`` or the project's ``addopts`` drop afterwards, so a total taken from
them would overstate the run and its ETA. Once collection is final (``pytest_collection_finish``,
after deselection), this writes ``{"total": N}`` to the file ``--qualitykit-total`` names.
It reads nothing of the tests and changes nothing in the session.

The same file carries the project's JUnit settings (``junit``): triage writes the bundle's
``junit.xml`` itself, from the report log (``junit_write``), as pytest would have.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

OPTION = "--qualitykit-total"


def pytest_addoption(parser: pytest.Parser) -> None:
    """The file to write the total to."""
    parser.addoption(OPTION, default=None, help="qualitykit triage: write the test count here")


def pytest_collection_finish(session: pytest.Session) -> None:
    """Write the number of tests about to run (temp file + rename: read whole or not at all)."""
    target: str | None = session.config.getoption(OPTION)
    if not target:
        return
    path = Path(target)
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    found = {"total": len(session.items), "junit": _junit_settings(session.config)}
    partial.write_text(json.dumps(found), encoding="utf-8")
    partial.replace(path)


def _junit_settings(config: pytest.Config) -> dict[str, object] | None:
    """The project's JUnit settings, as pytest's junitxml plugin reads them (None: disabled)."""
    try:
        return {
            "prefix": getattr(config.option, "junitprefix", None),
            "suite_name": config.getini("junit_suite_name"),
            "logging": config.getini("junit_logging"),
            "duration_report": config.getini("junit_duration_report"),
            "family": config.getini("junit_family"),
            "log_passing_tests": config.getini("junit_log_passing_tests"),
        }
    # qualitykit: allow[QK-EXC-002] `-p no:junitxml`: no settings, triage uses pytest's defaults
    except ValueError:
        return None
