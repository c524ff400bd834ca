"""Reruns of chosen tests for the deep checks, each test's outcome read from the report log.

A rerun is plain pytest (``triage.run.run_suite``: the project's interpreter and config,
``-p pytest_reportlog``) with explicit node ids, which pytest runs in the order given. A rerun
that crashed, timed out or contradicts its own report proves nothing: it carries a
``problem`` and every test it was asked about reads ``not-run``.
"""

from __future__ import annotations

import configparser
import json
import os
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qualitykit.errors import QualityKitError
from qualitykit.triage.run import run_suite

if TYPE_CHECKING:
    from collections.abc import Sequence

    from qualitykit.triage.deep_models import Outcome

# pytest's own exit codes: 0 all passed, 1 some failed; anything else proves nothing here.
_RAN = {0, 1}


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore")

    report_type: str = Field(alias="$report_type")
    nodeid: str = ""
    when: str | None = None
    outcome: str | None = None
    duration: float = 0.0


@dataclass
class TestResult:
    """One test of a report log: its worst outcome and setup + call + teardown time."""

    outcome: Outcome = "not-run"
    duration_s: float = 0.0


@dataclass(frozen=True)
class ReportTests:
    """The tests of a report log in the order they ran, and whether the session finished."""

    tests: dict[str, TestResult] = field(default_factory=dict[str, TestResult])
    finished: bool = False


def read_tests(text: str) -> ReportTests:
    """Each test's outcome (failed beats skipped beats passed) and duration, in run order.

    Raises ValueError on a line that is not a report-log record.
    """
    tests: dict[str, TestResult] = {}
    finished = False
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            record = _Record.model_validate(json.loads(line))
        except (json.JSONDecodeError, ValidationError) as error:
            raise ValueError(str(error).splitlines()[0]) from None
        if record.report_type == "SessionFinish":
            finished = True
        if record.report_type != "TestReport":
            continue
        test = tests.setdefault(record.nodeid, TestResult())
        test.duration_s += record.duration
        if record.outcome == "failed":
            test.outcome = "failed"
        elif record.outcome == "skipped" and test.outcome != "failed":
            test.outcome = "skipped"
        elif record.outcome == "passed" and record.when == "call" and test.outcome == "not-run":
            test.outcome = "passed"
    return ReportTests(tests, finished)


@dataclass(frozen=True)
class Rerun:
    """What one rerun saw; ``problem`` says why it proved nothing (then every test is not-run)."""

    outcomes: dict[str, Outcome]
    problem: str | None = None

    def outcome(self, test_id: str) -> Outcome:
        """The test's outcome in this rerun; ``not-run`` when it did not report it."""
        return self.outcomes.get(test_id, "not-run")


def pytest_config(root: Path) -> Path | None:
    """The file pytest reads its configuration from in ``root`` (pytest's own search order)."""
    sections = {"tox.ini": "pytest", "setup.cfg": "tool:pytest"}
    for name in ("pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg"):
        path = root / name
        if not path.is_file():
            continue
        if name in {"pytest.ini", ".pytest.ini"}:
            return path
        try:
            if name == "pyproject.toml":
                tool = tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {})
                if isinstance(tool, dict) and "pytest" in tool:
                    return path
                continue
            parser = configparser.ConfigParser(interpolation=None)
            parser.read_string(path.read_text(encoding="utf-8"))
        # qualitykit: allow[QK-EXC-002] the run from the root already read it: pytest ignored it
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, configparser.Error):
            continue
        if parser.has_section(sections[name]):
            return path
    pyproject = root / "pyproject.toml"
    return pyproject if pyproject.is_file() else None


def _elsewhere_env(root: Path) -> dict[str, str]:
    """Our environment, but with the root where ``python -m pytest`` put the CWD on sys.path.

    Relative PYTHONPATH entries keep meaning the root's, so only what the tests themselves
    resolve against the working directory differs between the two runs.
    """
    env = dict(os.environ)
    entries = [
        str(root / entry)  # an absolute entry stays itself: ``/`` drops the left side
        for entry in env.get("PYTHONPATH", "").split(os.pathsep)
        if entry
    ]
    env["PYTHONPATH"] = os.pathsep.join([str(root), *entries])
    return env


@dataclass(frozen=True)
class Rerunner:
    """Reruns tests of the project at ``root``, each pytest process limited to ``timeout``."""

    root: Path
    timeout: float

    def run(self, node_ids: Sequence[str], *, elsewhere: bool = False) -> Rerun:
        """Run ``node_ids`` in this order; ``elsewhere``: from a fresh temporary directory.

        Callers never pass none: pytest would then run the whole suite.

        From elsewhere the node ids are absolute and ``--rootdir``/``-c`` point at the
        project, so its configuration and test ids stay the same.
        """
        with tempfile.TemporaryDirectory(prefix="qualitykit-deep-") as scratch:
            reports = Path(scratch)
            cwd, env, args = None, None, list(node_ids)
            if elsewhere:
                cwd = reports / "elsewhere"
                cwd.mkdir()
                env = _elsewhere_env(self.root)
                config = pytest_config(self.root)
                args = [
                    f"--rootdir={self.root}",
                    *([f"--config-file={config}"] if config else []),
                    # String joining, not Path: a parameter id may hold "/" or "..".
                    *(f"{self.root}{os.sep}{node}" for node in node_ids),
                ]
            return self._run(reports, args, cwd, env)

    def run_args(self, args: Sequence[str]) -> Rerun:
        """Run the suite as the full run did (the user's pytest arguments)."""
        with tempfile.TemporaryDirectory(prefix="qualitykit-deep-") as scratch:
            return self._run(Path(scratch), list(args), None, None)

    def _run(
        self, reports: Path, args: list[str], cwd: Path | None, env: dict[str, str] | None
    ) -> Rerun:
        try:
            run = run_suite(self.root, reports, args, self.timeout, cwd=cwd, env=env)
        except QualityKitError as error:
            return Rerun({}, str(error))
        try:
            report = read_tests(run.report_log.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            report = None
        except ValueError as error:
            return Rerun({}, f"pytest's report log is corrupt ({error})")
        problem = _problem(run.exit_code, report)
        if problem is not None or report is None:
            return Rerun({}, problem or "pytest wrote no report log")
        return Rerun({test: result.outcome for test, result in report.tests.items()})


def _problem(exit_code: int, report: ReportTests | None) -> str | None:
    """Why a rerun proves nothing, or None when its report can be believed."""
    if exit_code not in _RAN:
        return f"pytest exited {exit_code}"
    if report is None:
        return "pytest wrote no report log"
    if not report.finished:
        return "pytest died before the session finished"
    failed = any(result.outcome == "failed" for result in report.tests.values())
    if (exit_code == 1) != failed:
        return f"pytest exited {exit_code}, contradicting its report log"
    return None
