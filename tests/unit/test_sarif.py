"""The SARIF builder on the edge cases a small gate run rarely shows, each valid SARIF 2.1.0."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from qualitykit.config import parse_config
from qualitykit.results import Finding, GateResult, Severity, Status, StepResult
from qualitykit.sarif import FINGERPRINT_KEY, StepTool, build, step_tools
from qualitykit.steps import builtin_steps

SCHEMA = Path(__file__).parents[1] / "integration" / "fixtures" / "sarif-schema-2.1.0.json"


def sarif_of(root: Path, *steps: StepResult) -> dict[str, Any]:
    """The SARIF of a gate made of ``steps``, checked against the schema."""
    tools = {"lint": StepTool(description="a linter", version="1.2.3")}
    log: dict[str, Any] = json.loads(
        build(GateResult(steps=steps, duration_s=1.0), root, tools).to_json()
    )
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    errors = [
        e.message for e in jsonschema.validators.validator_for(schema)(schema).iter_errors(log)
    ]
    assert not errors, errors
    return log


def location(result: dict[str, Any]) -> dict[str, Any]:
    physical: dict[str, Any] = result["locations"][0]["physicalLocation"]
    return physical


def test_paths_inside_the_root_are_relative_and_outside_it_absolute(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.py"
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    findings = (
        Finding(file=str(root / "src" / "a b.py"), line=2, col=0, code="X1", message="inside"),
        Finding(file=str(outside), line=1, code="X2", message="outside"),
        Finding(file="./src/c.py", code="X3", message="no line", severity=Severity.NOTE),
        Finding(file="../elsewhere.py", line=1, code="X2", message="outside, relative"),
    )
    step = StepResult(step="lint", status=Status.FAIL, findings=findings)

    (run,) = sarif_of(root, step)["runs"]

    inside, far, lineless, far_relative = (location(result) for result in run["results"])
    assert inside["artifactLocation"] == {"uri": "src/a%20b.py", "uriBaseId": "%SRCROOT%"}
    assert inside["region"] == {"startLine": 2}  # a column of 0 is no column
    assert far["artifactLocation"] == {"uri": outside.as_uri()}
    assert lineless == {"artifactLocation": {"uri": "src/c.py", "uriBaseId": "%SRCROOT%"}}
    assert far_relative["artifactLocation"] == {"uri": outside.as_uri()}
    assert [result["level"] for result in run["results"]] == ["error", "error", "note", "error"]
    assert run["tool"]["driver"] == {
        "name": "lint",
        "fullName": "a linter",
        "version": "1.2.3",
        "rules": [{"id": "X1"}, {"id": "X2"}, {"id": "X3"}],
    }


def test_a_failed_step_without_findings_still_has_a_located_result(tmp_path: Path) -> None:
    step = StepResult(step="check", status=Status.FAIL, summary="exit code 3")

    (run,) = sarif_of(tmp_path, step)["runs"]

    (result,) = run["results"]
    assert result["ruleId"] == "check"
    assert result["message"]["text"] == "exit code 3"
    assert location(result)["artifactLocation"]["uri"] == "pyproject.toml"
    assert result["partialFingerprints"][FINGERPRINT_KEY]
    assert run["tool"]["driver"] == {"name": "check", "rules": [{"id": "check"}]}


def test_skipped_steps_and_notes_are_notifications(tmp_path: Path) -> None:
    skipped = StepResult(step="lint", status=Status.SKIPPED, summary="not configured")
    noted = StepResult(step="cov", status=Status.PASS, notes=("coverage rose",), cached=True)

    first, second = sarif_of(tmp_path, skipped, noted)["runs"]

    assert first["invocations"][0]["executionSuccessful"] is True
    assert first["invocations"][0]["toolExecutionNotifications"] == [
        {"level": "note", "message": {"text": "skipped: not configured"}}
    ]
    assert second["invocations"][0]["toolExecutionNotifications"] == [
        {"level": "note", "message": {"text": "coverage rose"}}
    ]
    assert second["properties"]["cached"] is True


def test_a_finding_in_a_file_gone_since_is_still_fingerprinted(tmp_path: Path) -> None:
    finding = Finding(file="gone.py", line=4, code="E1", message="gone")
    step = StepResult(step="lint", status=Status.FAIL, findings=(finding, finding))

    (run,) = sarif_of(tmp_path, step)["runs"]

    marks = [result["partialFingerprints"][FINGERPRINT_KEY] for result in run["results"]]
    assert len(set(marks)) == 2  # two occurrences of the same (empty) line


def test_every_builtin_step_names_its_installed_tool() -> None:
    tools = step_tools(builtin_steps(parse_config({}, "pyproject.toml")).values())

    assert set(tools) >= {"ruff-lint", "mypy", "pyright", "policy", "coverage", "zizmor"}
    assert all(tool.version for tool in tools.values()), tools
