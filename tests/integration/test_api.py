"""The Python API on a real git repository: the same steps and models as the CLI."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualitykit import (
    GateResult,
    Status,
    StepResult,
    pytest_run,
    ruff_check,
    ruff_format_check,
    run_gate,
    run_step,
    typecheck,
)

if TYPE_CHECKING:
    from conftest import Repo


TYPE_ERROR_MODULE = '''\
"""A tiny module with a type error."""


def double(value: int) -> int:
    """Twice ``value``."""
    return str(value * 2)
'''

FAILING_TEST = """\
from pkg import double


def test_double_is_triple() -> None:
    assert double(2) == 6
"""


def findings_of(result: StepResult) -> list[tuple[str | None, int | None, int | None, str | None]]:
    return [(finding.file, finding.line, finding.col, finding.code) for finding in result.findings]


def test_ruff_check_clean_then_a_lint_error(repo: Repo) -> None:
    clean = ruff_check(repo.root)
    assert clean.status is Status.PASS, clean.summary
    assert clean.ok
    assert clean.counts.files == 3
    assert clean.findings == ()
    # ruff runs through the adapter that also reports the files ruff itself resolved.
    assert clean.command[1:4] == ("-m", "qualitykit.adapters.ruff_json", "check")

    repo.write("src/pkg/extra.py", '"""Extra."""\n\nimport os\n')
    dirty = ruff_check(repo.root)
    assert dirty.status is Status.FAIL
    assert not dirty.ok
    assert findings_of(dirty) == [("src/pkg/extra.py", 3, 8, "F401")]
    assert dirty.counts.files == 4
    assert dirty.counts.findings == 1
    assert dirty.exit_code == 1
    # --no-fix: the file still holds the unused import.
    assert "import os" in (repo.root / "src/pkg/extra.py").read_text(encoding="utf-8")


def test_ruff_format_check(repo: Repo) -> None:
    assert ruff_format_check(repo.root).status is Status.PASS
    repo.write("src/pkg/ugly.py", "x = {  'a':1 }\n")
    result = ruff_format_check(repo.root)
    assert result.status is Status.FAIL
    assert [finding.file for finding in result.findings] == ["src/pkg/ugly.py"]


def test_typecheck_clean_then_a_type_error(repo: Repo) -> None:
    clean = typecheck(repo.root)
    assert clean.status is Status.PASS, clean.summary
    assert clean.step == "mypy"
    assert clean.counts.files == 2

    repo.write("src/pkg/core.py", TYPE_ERROR_MODULE)
    broken = typecheck(repo.root)
    assert broken.status is Status.FAIL
    assert findings_of(broken) == [("src/pkg/core.py", 6, 12, "return-value")]
    assert broken.findings[0].message.startswith("Incompatible return value type")

    with_pyright = typecheck(repo.root, checker="pyright")
    assert with_pyright.step == "pyright"
    assert with_pyright.status is Status.FAIL
    assert findings_of(with_pyright) == [("src/pkg/core.py", 6, 12, "reportReturnType")]


def test_pytest_run_passing_then_failing(repo: Repo) -> None:
    # The package lives under src/: tell pytest, as a project would (no environment needed).
    pyproject = repo.root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8")
        + '\n[tool.pytest.ini_options]\npythonpath = ["src"]\n',
        encoding="utf-8",
    )
    passing = pytest_run(repo.root, ["tests/regression"])
    assert passing.status is Status.PASS, passing.summary
    assert passing.step == "pytest"
    assert (passing.counts.tests, passing.counts.failures, passing.counts.errors) == (1, 0, 0)

    repo.write("tests/regression/test_more.py", FAILING_TEST)
    failing = pytest_run(repo.root, ["tests/regression"])
    assert failing.status is Status.FAIL
    assert (failing.counts.tests, failing.counts.failures) == (2, 1)
    assert findings_of(failing) == [("tests/regression/test_more.py", 4, None, "failure")]
    assert "test_double_is_triple" in failing.findings[0].message


def test_pytest_run_with_no_tests_is_an_error(repo: Repo) -> None:
    repo.write("tests/empty/test_nothing.py", '"""No tests here."""\n')
    result = pytest_run(repo.root, ["tests/empty"])
    assert result.status is Status.ERROR
    assert "no tests collected" in result.summary


def test_run_gate_and_run_step(repo: Repo) -> None:
    gate = run_gate(repo.root, steps=["ruff-lint", "ruff-format"])
    assert isinstance(gate, GateResult)
    assert [result.step for result in gate.steps] == ["ruff-lint", "ruff-format"]
    assert gate.ok

    repo.write("src/pkg/extra.py", '"""Extra."""\n\nimport os\n')
    again = run_gate(repo.root, steps=["ruff-format", "ruff-lint"])
    assert [result.step for result in again.steps] == ["ruff-format", "ruff-lint"]
    assert again.failed_steps == ("ruff-lint",)

    single = run_step("ruff-lint", repo.root)
    assert single.status is Status.FAIL
    assert findings_of(single) == findings_of(again.steps[1])


def test_check_json_is_exactly_the_step_result(repo: Repo) -> None:
    repo.write("src/pkg/extra.py", '"""Extra."""\n\nimport os\n')
    api = ruff_check(repo.root)
    assert api.status is Status.FAIL

    cli = repo.qualitykit("check", "ruff-lint", "--json")
    assert cli.returncode == 1, cli.stderr
    from_cli = StepResult.model_validate_json(cli.stdout)
    assert from_cli.status == api.status
    assert from_cli.findings == api.findings
    assert from_cli.counts == api.counts
    assert from_cli.cached is False  # a failure is never reused


def test_check_json_of_a_passing_step(repo: Repo) -> None:
    api = ruff_format_check(repo.root)
    cli = repo.qualitykit("check", "ruff-format", "--json")
    assert cli.returncode == 0, cli.stderr
    from_cli = StepResult.model_validate_json(cli.stdout)
    assert (from_cli.step, from_cli.status, from_cli.findings) == ("ruff-format", api.status, ())
    assert from_cli.counts == api.counts
