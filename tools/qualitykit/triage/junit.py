"""JUnit XML ingest: less detail than a report log, and the capture says so.

JUnit has no phase for a failure (pytest files setup and teardown failures as ``<error>``), no
exception chain and traceback text only; frames are read from its ``file:line:`` lines, without
function names.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from qualitykit.errors import QualityKitError
from qualitykit.triage.capture import split_crash
from qualitykit.triage.models import Capture, Failure, Frame, Kind, OutcomeCounts

if TYPE_CHECKING:
    from pathlib import Path

_FRAME = re.compile(r"^(?P<file>[^\s:][^:]*\.py):(?P<line>\d+): ", re.MULTILINE)
_MAX_TEXT = 8000


def _test_id(case: ET.Element) -> str:
    """The node id pytest gave: ``classname`` (dotted module, then classes) and ``name``.

    xunit1 reports carry the file; xunit2 (pytest's default) do not: classes are then the
    parts that start with a capital letter, as pytest's ``Test*`` convention names them.
    """
    classname = case.get("classname", "")
    name = case.get("name", "")
    parts = [part for part in classname.split(".") if part]
    file = case.get("file")
    if file:
        module = file.removesuffix(".py").replace("/", ".").split(".")
        classes = parts[len(module) :] if parts[: len(module)] == module else []
    else:
        cut = next((i for i, part in enumerate(parts) if part[:1].isupper()), len(parts))
        file = "/".join(parts[:cut]) + ".py" if cut else ""
        classes = parts[cut:]
    return "::".join(part for part in (file, *classes, name) if part)


def _failure(case: ET.Element, problem: ET.Element) -> Failure:
    text = problem.text or ""
    raised = split_crash((problem.get("message") or "").strip())
    if not raised.type:
        raised = split_crash(problem.get("type") or "") if problem.get("type") else raised
    frames = tuple(Frame(file=m["file"], line=int(m["line"])) for m in _FRAME.finditer(text))
    kind: Kind = "failed" if problem.tag == "failure" else "error"
    if "[XPASS(strict)]" in (problem.get("message") or ""):
        kind = "xpass-strict"
    return Failure(
        test_id=_test_id(case),
        phase="call" if kind != "error" else "setup",
        kind=kind,
        exception=raised,
        frames=frames,
        duration_s=_float(case),
        output="".join(
            part.text or "" for part in case if part.tag in {"system-out", "system-err"}
        ),
        longrepr=text[-_MAX_TEXT:],
    )


def _float(case: ET.Element) -> float:
    value = case.get("time") or "0"
    try:
        return float(value)
    except ValueError:
        name = case.get("name", "?")
        raise _BadTimeError(f"testcase {name!r} has time={value!r}, not a number") from None


class _BadTimeError(ValueError):
    """A ``time`` attribute that is not a number (the file is then not usable JUnit)."""


def parse_junit_file(text: str, path: Path) -> Capture:
    """The capture in a JUnit XML report; XML that does not parse names the file and line."""
    try:
        root = ET.fromstring(text)  # noqa: S314 - a pytest report the user handed us
    except ET.ParseError as error:
        line, column = error.position
        msg = f"{path}:{line}: not JUnit XML ({str(error).split(':')[0]} at column {column})"
        raise QualityKitError(msg) from None
    if root.tag not in {"testsuite", "testsuites"}:
        raise QualityKitError(f"{path}:1: not JUnit XML (root element <{root.tag}>)")
    counts = {"tests": 0, "passed": 0, "failed": 0, "errors": 0, "skipped": 0, "xfailed": 0}
    failures: list[Failure] = []
    passed: list[str] = []
    duration = 0.0
    for case in root.iter("testcase"):
        counts["tests"] += 1
        try:
            duration += _float(case)
        except _BadTimeError as error:
            raise QualityKitError(f"{path}: not JUnit XML ({error})") from None
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        skip = case.find("skipped")
        if problem is not None:
            failure = _failure(case, problem)
            failures.append(failure)
            counts["errors" if failure.kind == "error" else "failed"] += 1
        elif skip is not None:
            counts["xfailed" if skip.get("type") == "pytest.xfail" else "skipped"] += 1
        else:
            counts["passed"] += 1
            passed.append(_test_id(case))
    return Capture(
        source="junit",
        detailed=False,
        counts=OutcomeCounts(**counts),
        failures=tuple(failures),
        passed=tuple(passed),
        duration_s=duration,
    )
