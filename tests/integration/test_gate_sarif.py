"""``.qualitykit/gate.sarif``: the whole gate's findings as SARIF 2.1.0, for code scanning.

Real gate runs in tmp repositories, validated against the official OASIS schema (vendored in
``fixtures/``, see its README), plus what code scanning needs beyond the schema: one run per
step with its own category, every result located in a file relative to ``%SRCROOT%``, a
fingerprint on every result, and a step that errored reported as a failed execution.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema

from qualitykit.files import SARIF_FILE
from qualitykit.results import Finding, GateResult, Status, StepResult
from qualitykit.sarif import FINGERPRINT_KEY, build

if TYPE_CHECKING:
    from conftest import Repo

SCHEMA = Path(__file__).parent / "fixtures" / "sarif-schema-2.1.0.json"

UNUSED_IMPORT = '"""Extra."""\n\nimport os\n'
DEAD_CODE = '"""Dead."""\n\n\ndef _never_called() -> int:\n    return 1\n'
BROKEN_TEST = "from pkg import double\n\n\ndef test_broken() -> None:\n    assert double(2) == 5\n"
NO_TODO = '["python", "-c", "import sys; sys.exit(\'TODO\' in open(\'NOTES.md\').read())"]'


def load_sarif(repo: Repo) -> dict[str, Any]:
    """The gate's SARIF file, after checking it against the SARIF 2.1.0 schema."""
    log: dict[str, Any] = json.loads((repo.root / ".qualitykit" / SARIF_FILE).read_text())
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    # The validator of the draft the schema declares (draft-04 for SARIF 2.1.0).
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    errors = [error.message for error in validator(schema).iter_errors(log)]
    assert not errors, errors
    return log


def runs_by_step(log: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {run["tool"]["driver"]["name"]: run for run in log["runs"]}


def test_findings_of_every_step_are_valid_sarif_one_run_per_step(repo: Repo) -> None:
    repo.configure(
        'gate = ["ruff-lint", "vulture", "regression", "policy", "no-todo"]\n'
        f'[tool.qualitykit.commands.no-todo]\ncommand = {NO_TODO}\ninputs = ["NOTES.md"]\n'
    )
    repo.write("src/pkg/extra.py", UNUSED_IMPORT)
    repo.write("src/pkg/dead.py", DEAD_CODE)
    repo.write("tests/regression/test_more.py", BROKEN_TEST)
    repo.write("Makefile", ".PHONY: check\ncheck:\n\tpytest | tee log\n")
    repo.write("NOTES.md", "TODO\n")

    run = repo.gate()

    assert run.returncode == 1, run.stderr
    log = load_sarif(repo)
    assert log["version"] == "2.1.0"
    summary = repo.summary()
    runs = runs_by_step(log)
    assert list(runs) == list(summary)  # one run per step, in the gate's order
    assert len({run["automationDetails"]["id"] for run in log["runs"]}) == len(runs)
    for step, sarif_run in runs.items():
        assert summary[step]["status"] == "fail", (step, summary[step])
        assert sarif_run["invocations"] == [
            {
                "executionSuccessful": True,
                "exitCode": summary[step]["exit_code"],
                "toolExecutionNotifications": [],
            }
        ]
        assert sarif_run["results"], step
        assert len(sarif_run["results"]) == len(summary[step]["findings"]), step
        rules = {rule["id"] for rule in sarif_run["tool"]["driver"]["rules"]}
        for result in sarif_run["results"]:
            assert result["ruleId"] in rules
            assert result["level"] in {"error", "warning", "note"}
            assert len(result["partialFingerprints"][FINGERPRINT_KEY]) == 32
            # GitHub rejects a whole upload when one result has no file location.
            (location,) = result["locations"]
            artifact = location["physicalLocation"]["artifactLocation"]
            assert artifact["uriBaseId"] == "%SRCROOT%"
            assert (repo.root / artifact["uri"]).is_file(), artifact
    assert runs["ruff-lint"]["tool"]["driver"]["version"]  # the installed ruff's version

    def places(step: str) -> set[tuple[str, str, int]]:
        return {
            (
                result["ruleId"],
                result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                result["locations"][0]["physicalLocation"]["region"]["startLine"],
            )
            for result in runs[step]["results"]
        }

    assert ("F401", "src/pkg/extra.py", 3) in places("ruff-lint")
    ruff_region = runs["ruff-lint"]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert ruff_region == {"startLine": 3, "startColumn": 8}
    assert "src/pkg/dead.py" in {uri for _, uri, _ in places("vulture")}
    assert {uri for _, uri, _ in places("regression")} == {"tests/regression/test_more.py"}
    assert ("QK-INT-001", "Makefile", 1) in places("policy")
    # The policy's own fingerprints are carried over, not recomputed.
    policy_marks = {f["fingerprint"] for f in summary["policy"]["findings"]}
    sarif_marks = {r["partialFingerprints"][FINGERPRINT_KEY] for r in runs["policy"]["results"]}
    assert sarif_marks == policy_marks
    # A finding without a file is anchored at the configuration, and says so.
    (todo,) = runs["no-todo"]["results"]
    assert todo["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "pyproject.toml"
    assert "no place in a file" in todo["locations"][0]["message"]["text"]


def test_an_errored_step_is_a_failed_execution_never_an_empty_clean_run(repo: Repo) -> None:
    repo.configure(
        'gate = ["ruff-lint", "ruff-format", "selfkill"]\n'
        "[tool.qualitykit.commands.selfkill]\n"
        'command = ["python", "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"]\n'
        '[tool.qualitykit.steps.ruff-lint]\npaths = ["nothing-here"]\n'
    )

    run = repo.gate()

    assert run.returncode == 1, run.stderr
    runs = runs_by_step(load_sarif(repo))
    for step, says in (("ruff-lint", "checked 0 files"), ("selfkill", "killed by SIGKILL")):
        (invocation,) = runs[step]["invocations"]
        assert invocation["executionSuccessful"] is False, step
        (notification,) = invocation["toolExecutionNotifications"]
        assert notification["level"] == "error"
        assert says in notification["message"]["text"]
        assert runs[step]["properties"]["status"] == "error"
        assert runs[step]["results"] == []
    clean = runs["ruff-format"]
    assert clean["invocations"][0]["executionSuccessful"] is True
    assert clean["results"] == []
    assert clean["properties"]["status"] == "pass"


def test_a_replayed_no_op_gate_restores_its_sarif(repo: Repo) -> None:
    repo.configure('gate = ["ruff-format"]')
    assert repo.gate().returncode == 0
    sarif = repo.root / ".qualitykit" / SARIF_FILE
    sarif.unlink()

    replay = repo.gate()

    assert replay.returncode == 0, replay.stderr
    assert "no input changed" in replay.stderr  # the fast path, not a real run
    runs = runs_by_step(load_sarif(repo))
    assert list(runs) == ["ruff-format"]
    assert runs["ruff-format"]["properties"]["cached"] is True


def _marks_and_lines(root: Path, inserted: str) -> tuple[list[str], list[int]]:
    root.mkdir()
    (root / "mod.py").write_text(f'"""Doc."""\n{inserted}\nimport os\nimport os\n')
    offset = inserted.count("\n")
    findings = tuple(
        Finding(file="mod.py", line=line + offset, col=8, code="F401", message="unused")
        for line in (3, 4)
    )
    gate = GateResult(
        steps=(StepResult(step="ruff-lint", status=Status.FAIL, findings=findings),),
        duration_s=0.0,
    )
    results = build(gate, root, {}).runs[0].results
    marks = [result.partial_fingerprints[FINGERPRINT_KEY] for result in results]
    lines = [
        region.start_line
        for result in results
        if (region := result.locations[0].physical_location.region) is not None
    ]
    return marks, lines


def test_fingerprints_survive_lines_moving(tmp_path: Path) -> None:
    """The same finding keeps its fingerprint when lines are added above it."""
    before, lines_before = _marks_and_lines(tmp_path / "before", "")
    after, lines_after = _marks_and_lines(tmp_path / "after", "# a comment\n\n")

    assert lines_before == [3, 4]
    assert lines_after == [5, 6]
    assert after == before
    assert len(set(before)) == 2  # the second identical line is another occurrence
