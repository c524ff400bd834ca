"""pytest suites, judged by their JUnit XML report, never by their console output.

A run is a pass only when pytest exits 0, the report exists, was written by this run and
accounts for the run: at least one test that ran (skipped tests did not; an expected failure
did), and failures exactly when pytest says so. A run in which no test ran (none collected, all
deselected, all skipped, ``--collect-only``) is an error, whatever pytest's exit code.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from typing_extensions import override

from qualitykit.errors import ToolOutputError
from qualitykit.results import Counts, Finding, Status
from qualitykit.steps import pytest_config
from qualitykit.steps.base import LOCK_ALL, Completed, Outcome, Step, StepContext

_NO_TESTS_COLLECTED = 5
_EXIT_MEANING = {
    2: "interrupted",
    3: "internal error",
    4: "usage error",
}
TEST_FILES = ("test_*.py", "*_test.py", "conftest.py")


@dataclass(frozen=True)
class JUnitTotals:
    """Totals of a JUnit XML report plus the failed test cases."""

    tests: int
    failures: int
    errors: int
    skipped: int
    failed_cases: tuple[Finding, ...]
    # Expected failures: JUnit files them as skipped, but they ran (and failed as expected).
    xfailed: int = 0

    @property
    def ran(self) -> int:
        """Tests that executed: all of them less the skipped ones that never ran."""
        return self.tests - self.skipped + self.xfailed


def _attribute(element: ET.Element, name: str) -> int:
    value = element.get(name, "0")
    try:
        return int(value)
    except ValueError:
        raise ToolOutputError(f"JUnit attribute {name}={value!r} is not a number") from None


def parse_junit(text: str) -> JUnitTotals:
    """Totals and failed cases of a JUnit XML document (``testsuites`` or one ``testsuite``)."""
    try:
        root = ET.fromstring(text)  # noqa: S314 - written by pytest in this run
    except ET.ParseError as error:
        raise ToolOutputError(f"JUnit report does not parse: {error}") from None
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    if root.tag not in {"testsuite", "testsuites"} or not suites:
        raise ToolOutputError(f"JUnit report has no testsuite (root element <{root.tag}>)")
    failed: list[Finding] = []
    xfailed = 0
    for case in root.iter("testcase"):
        skip = case.find("skipped")
        if skip is not None and skip.get("type") == "pytest.xfail":
            xfailed += 1
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            name = f"{case.get('classname', '')}::{case.get('name', '')}".strip(":")
            line = case.get("line")
            failed.append(
                Finding(
                    file=case.get("file"),
                    line=int(line) + 1 if line and line.isdigit() else None,
                    code=problem.tag,
                    message=f"{name}: {(problem.get('message') or '').strip()[:300]}",
                )
            )
    return JUnitTotals(
        tests=sum(_attribute(suite, "tests") for suite in suites),
        failures=sum(_attribute(suite, "failures") for suite in suites),
        errors=sum(_attribute(suite, "errors") for suite in suites),
        skipped=sum(_attribute(suite, "skipped") for suite in suites),
        failed_cases=tuple(failed),
        xfailed=xfailed,
    )


class PytestSuite(Step):
    """A pytest run over some test paths, with its JUnit report under ``.qualitykit/junit/``."""

    tools = (LOCK_ALL,)
    distribution = "pytest"
    config_files: ClassVar[tuple[str, ...]] = ("*.py", *pytest_config.CONFIG_FILES, "/uv.lock")
    env_vars = ("PYTHONPATH", "PYTEST_ADDOPTS", "PYTEST_PLUGINS")

    def __init__(self, name: str, description: str, default_paths: tuple[str, ...]) -> None:
        """A suite step called ``name`` running ``default_paths`` unless settings override.

        No paths at all means the project's own pytest configuration decides (``testpaths``).
        """
        self.name = name
        self.description = description
        self.default_paths = default_paths

    def paths(self, ctx: StepContext) -> tuple[str, ...]:
        """The test paths given to pytest (none: pytest uses the project's ``testpaths``)."""
        return ctx.settings.paths or self.default_paths

    def collected(self, ctx: StepContext) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Where the run collects and which file names it collects there."""
        if self.paths(ctx):
            return self.paths(ctx), TEST_FILES
        project = pytest_config.read_settings(ctx.root)
        patterns = ("*.py",) if project.doctest_modules else project.python_files
        return pytest_config.collection_roots(ctx.root, project), (*patterns, "conftest.py")

    @override
    def targets(self, ctx: StepContext) -> list[str]:
        roots, patterns = self.collected(ctx)
        # pytest collects a file named on its command line whatever its name (a root test.py).
        named = {path.strip("/") for path in roots if path.endswith(".py")}
        found = set(ctx.files_under(roots, patterns))
        return sorted(found | {name for name in ctx.workspace.files if name in named})

    @override
    def inputs(self, ctx: StepContext) -> list[str]:
        # Tests read fixture data beside them (and doctest files), so every file under the
        # collected paths counts.
        roots, _ = self.collected(ctx)
        return sorted(set(super().inputs(ctx)) | set(ctx.files_under(roots, ("*",))))

    def junit_path(self, ctx: StepContext) -> str:
        """Where this run's JUnit report goes."""
        return str(ctx.state_path("junit", f"{self.name}.xml"))

    @override
    def prepare(self, ctx: StepContext) -> None:
        ctx.state_path("junit").mkdir(parents=True, exist_ok=True)
        # A report left by an earlier run must never stand in for this one.
        ctx.state_path("junit", f"{self.name}.xml").unlink(missing_ok=True)

    def pytest_args(self, ctx: StepContext) -> list[str]:
        """Arguments to pytest: the JUnit report, quiet output, the settings' args, the paths."""
        return [
            f"--junitxml={self.junit_path(ctx)}",
            "-o",
            "junit_family=xunit1",
            "-p",
            "no:cacheprovider",
            "-q",
            *ctx.settings.args,
            *self.paths(ctx),
        ]

    @override
    def command(self, ctx: StepContext) -> list[str]:
        return [sys.executable, "-m", "pytest", *self.pytest_args(ctx)]

    @override
    def parse(self, run: Completed, ctx: StepContext) -> Outcome:
        if run.returncode == _NO_TESTS_COLLECTED:
            msg = "no test ran: pytest exited 5 (no tests collected, or all deselected)"
            raise ToolOutputError(msg)
        meaning = _EXIT_MEANING.get(run.returncode)
        if meaning is not None or run.returncode not in {0, 1}:
            raise ToolOutputError(f"pytest exited {run.returncode} ({meaning or 'unexpected'})")
        try:
            totals = parse_junit(Path(self.junit_path(ctx)).read_text(encoding="utf-8"))
        except FileNotFoundError:
            msg = f"pytest exited {run.returncode} but wrote no JUnit report (did it die mid-run?)"
            raise ToolOutputError(msg) from None
        if totals.ran <= 0:
            detail = f", {totals.skipped - totals.xfailed} skipped" if totals.tests else ""
            msg = f"no test ran: the JUnit report records {totals.tests} tests{detail}"
            raise ToolOutputError(msg)
        bad = totals.failures + totals.errors
        if (bad > 0) != (run.returncode == 1):
            msg = f"pytest exited {run.returncode} but the JUnit report records {bad} failures"
            raise ToolOutputError(msg)
        counts = Counts(
            files=len(self.targets(ctx)),
            findings=bad,
            tests=totals.tests,
            failures=totals.failures,
            errors=totals.errors,
            skipped=totals.skipped,
        )
        return Outcome(
            status=Status.FAIL if bad else Status.PASS,
            summary=counts.describe(),
            findings=totals.failed_cases,
            counts=counts,
        )
