"""``make quality`` on fixture repositories, from the outside, as a user runs it.

One test per gate stage: the clean fixture passes every stage; breaking exactly one stage makes
``make`` fail, names that stage and leaves every other stage passing. Then the user-facing
contract: the summary files, the GitHub job summary and annotations, the cached rerun.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from e2e.fixture_repo import (
    ALL_STAGES,
    CORE,
    DEPENDENTS,
    MAKEFILE,
    REGRESSION_TEST,
    WORKFLOW,
)

if TYPE_CHECKING:
    from pathlib import Path

    from e2e.fixture_repo import FixtureRepo, Run

# make's own line when the recipe's command (the gate) exits 1: problems found, not bad usage.
MAKE_RECIPE_FAILED = re.compile(r"make: \*\*\* \[Makefile:\d+: quality\] Error 1$")
FILE_STAGES = {"ruff-format": 3, "ruff-lint": 3, "mypy": 2, "pyright": 2, "vulture": 2}

# A lint finding no other stage objects to: ruff's C408 (a literal reads better than dict()).
LINT_ERROR_CORE = CORE.replace(
    "    return value * 2\n",
    '    doubled = dict(value=value * 2)\n    return doubled["value"]\n',
)


@dataclass(frozen=True)
class Break:
    """The smallest edit that breaks one stage and no other, and the finding it must cause."""

    files: dict[str, str]
    code: str | None
    file: str | None
    message: str = ""


BREAKS: dict[str, Break] = {
    # Operators without spaces: the formatter would rewrite it; no linter rule objects.
    "ruff-format": Break(
        {"src/pkg/core.py": CORE.replace("value * 2", "value*2")},
        code="unformatted",
        file="src/pkg/core.py",
    ),
    "ruff-lint": Break({"src/pkg/core.py": LINT_ERROR_CORE}, code="C408", file="src/pkg/core.py"),
    # mypy --strict (warn_return_any) rejects returning Any where int is declared; pyright's
    # strict mode accepts an explicit Any.
    "mypy": Break(
        {
            "src/pkg/core.py": CORE.replace(
                '"""A tiny, clean module."""\n',
                '"""A tiny, clean module."""\n\nfrom typing import Any\n',
            ).replace("value: int", "value: Any")
        },
        code="no-any-return",
        file="src/pkg/core.py",
    ),
    # pyright strict reports a comparison that is always true; mypy allows `is not None`.
    # A one-line conditional adds no line arc, so coverage stays whole.
    "pyright": Break(
        {
            "src/pkg/core.py": CORE.replace(
                "    return value * 2\n",
                "    return value * 2 if value is not None else 0\n",
            )
        },
        code="reportUnnecessaryComparison",
        file="src/pkg/core.py",
    ),
    # A public class nobody uses: dead code to vulture, fine to every type checker, and its
    # body runs at import, so coverage stays whole.
    "vulture": Break(
        {
            "src/pkg/core.py": CORE
            + '\n\nclass Settings:\n    """Settings nobody reads."""\n\n    retries = 3\n'
        },
        code="unused-class",
        file="src/pkg/core.py",
        message="Settings",
    ),
    # A behaviour change that only the regression test catches.
    "regression": Break(
        {"src/pkg/core.py": CORE.replace("value * 2", "value * 3")},
        code="failure",
        file="tests/regression/test_core.py",
        message="test_double",
    ),
    "actionlint": Break(
        {
            ".github/workflows/ci.yml": WORKFLOW.replace(
                "    runs-on: ubuntu-24.04\n", "    runs-on: ubuntu-24.04\n    needs: [lint]\n"
            )
        },
        code="job-needs",
        file=".github/workflows/ci.yml",
    ),
    # Checkout persisting its token: zizmor's artipacked; valid to actionlint.
    "zizmor": Break(
        {
            ".github/workflows/ci.yml": WORKFLOW.replace(
                "        with:\n          persist-credentials: false\n", ""
            )
        },
        code="artipacked",
        file=".github/workflows/ci.yml",
    ),
    # mbake would add spaces around ?=; make still parses and runs it (the gate must start).
    "makefile": Break(
        {"Makefile": MAKEFILE.replace("PYTHON ?= python3", "PYTHON?=python3")},
        code="mbake-format",
        file="Makefile",
    ),
    # A branch no test takes: coverage drops below the committed baseline (the ratchet) and
    # the floor; the badge, which needs coverage, is not judged.
    # A CI job that may fail and stay green: the policy's gate-integrity self-audit.
    "policy": Break(
        {
            ".github/workflows/ci.yml": WORKFLOW.replace(
                "    runs-on: ubuntu-24.04\n",
                "    runs-on: ubuntu-24.04\n    continue-on-error: true\n",
            )
        },
        code="QK-INT-030",
        file=".github/workflows/ci.yml",
    ),
    "coverage": Break(
        {
            "src/pkg/core.py": CORE.replace(
                "    return value * 2\n",
                "    if value > 10**6:\n        return 0\n    return value * 2\n",
            )
        },
        code="ratchet-drop",
        file="coverage-baseline.json",
    ),
    # A badge committed by hand with another figure.
    "badge": Break(
        {
            "docs/assets/coverage.svg": (
                '<svg xmlns="http://www.w3.org/2000/svg"><text>50%</text></svg>\n'
            )
        },
        code="badge-stale",
        file="docs/assets/coverage.svg",
    ),
    "no-todo": Break(
        {"README.md": "# fixture\n\nTODO: write the docs\n"},
        code=None,
        file=None,
        message="README.md: TODO left",
    ),
}


def status_lines(run: Run) -> dict[str, str]:
    """The gate's one-line-per-step report (``PASS    ruff-lint   3 files, ...``), by step."""
    lines: dict[str, str] = {}
    for line in run.lines():
        match = re.match(r"^(PASS|FAIL|ERROR|SKIPPED) +(\S+) +(.*)$", line)
        if match:
            lines[match[2]] = line
    return lines


def assert_gate_failed_on(repo: FixtureRepo, run: Run, stage: str) -> None:
    """make failed because the gate failed on ``stage`` alone; every other stage passed."""
    assert run.returncode == 2, run.explain()  # make's exit code for a failed recipe
    assert any(MAKE_RECIPE_FAILED.search(line) for line in run.lines()), run.explain()
    dependents = DEPENDENTS.get(stage, ())
    assert f"gate failed: {', '.join((stage, *dependents))}" in run.lines(), run.explain()
    summary = repo.summary()
    assert tuple(summary) == ALL_STAGES
    assert summary[stage]["status"] == "fail", summary[stage]
    for dependent in dependents:
        assert summary[dependent]["status"] in {"fail", "error"}, summary[dependent]
    affected = {stage, *dependents}
    others = {name: result["status"] for name, result in summary.items() if name not in affected}
    assert others == dict.fromkeys(others, "pass"), run.explain()
    assert status_lines(run)[stage].startswith("FAIL "), run.explain()


def test_clean_fixture_passes_every_stage(project: FixtureRepo) -> None:
    run = project.make_quality()

    assert run.returncode == 0, run.explain()
    assert f"gate passed: {len(ALL_STAGES)} steps" in run.output, run.explain()
    lines = status_lines(run)
    assert set(lines) == set(ALL_STAGES), run.explain()
    assert all(line.startswith("PASS ") for line in lines.values()), run.explain()
    summary = project.summary()
    assert tuple(summary) == ALL_STAGES
    assert {result["status"] for result in summary.values()} == {"pass"}
    # Real counts, not a vacuous pass: what each stage looked at.
    for stage, files in FILE_STAGES.items():
        assert summary[stage]["counts"]["files"] == files, summary[stage]
    assert summary["regression"]["counts"]["tests"] == 1
    for stage in ("actionlint", "zizmor", "makefile", "no-todo"):
        assert summary[stage]["counts"]["files"] == 1, summary[stage]
    markdown = project.read(".qualitykit/summary.md")
    assert markdown.startswith("## qualitykit gate passed\n"), markdown


@pytest.mark.parametrize("stage", list(BREAKS))
def test_breaking_one_stage_fails_that_stage_only(project: FixtureRepo, stage: str) -> None:
    broken = BREAKS[stage]
    for name, text in broken.files.items():
        project.write(name, text)

    run = project.make_quality()

    assert_gate_failed_on(project, run, stage)
    findings = project.summary()[stage]["findings"]
    assert findings, f"{stage} failed without a finding"
    assert any(
        finding["code"] == broken.code
        and finding["file"] == broken.file
        and broken.message in finding["message"]
        for finding in findings
    ), findings


def test_breaks_cover_every_stage() -> None:
    assert tuple(BREAKS) == ALL_STAGES


def test_regression_paths_may_name_a_test_file_of_any_name(project: FixtureRepo) -> None:
    # python-slugify's layout: its tests are a root test.py, which pytest runs when named.
    project.configure(gate=("regression", "ruff-lint"), extra='regression = ["test.py"]')
    project.write("test.py", REGRESSION_TEST)
    project.write("tests/regression/test_core.py", REGRESSION_TEST.replace("== 4", "== 5"))

    run = project.make_quality()

    assert run.returncode == 0, run.explain()
    regression = project.summary()["regression"]
    assert regression["status"] == "pass"
    assert regression["counts"]["files"] == 1
    assert regression["counts"]["tests"] == 1


def test_summary_files_after_make_quality(project: FixtureRepo) -> None:
    project.write("src/pkg/core.py", LINT_ERROR_CORE)

    run = project.make_quality()

    assert run.returncode == 2, run.explain()
    state = project.root / ".qualitykit"
    data = json.loads((state / "summary.json").read_text(encoding="utf-8"))
    assert [step["step"] for step in data["steps"]] == list(ALL_STAGES)
    assert data["duration_s"] > 0
    lint = next(step for step in data["steps"] if step["step"] == "ruff-lint")
    assert lint["status"] == "fail"
    assert (lint["counts"]["files"], lint["counts"]["findings"]) == (3, 1), lint
    assert (state / "results" / "ruff-lint.json").is_file()
    assert (state / "logs" / "ruff-lint.log").is_file()
    markdown = (state / "summary.md").read_text(encoding="utf-8")
    assert markdown.startswith("## qualitykit gate failed: ruff-lint\n"), markdown
    for stage in ALL_STAGES:
        row = rf"^\| {re.escape(stage)} \| (pass|fail) \|"
        assert re.search(row, markdown, re.MULTILINE), stage
    assert "`src/pkg/core.py:6:15: C408 " in markdown, markdown


def test_github_actions_job_summary_and_annotations(project: FixtureRepo, tmp_path: Path) -> None:
    project.configure(gate=("ruff-lint", "ruff-format"))
    project.write("src/pkg/core.py", LINT_ERROR_CORE)
    job_summary = tmp_path / "step_summary.md"
    job_summary.write_text("## an earlier step's summary\n", encoding="utf-8")

    run = project.make_quality(GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(job_summary))

    assert run.returncode == 2, run.explain()
    annotations = [line for line in run.stdout.splitlines() if line.startswith("::")]
    expected = (
        "::error file=src/pkg/core.py,line=6,col=15,title=qualitykit ruff-lint::"
        "C408: Unnecessary `dict()` call (rewrite as a literal)"
    )
    assert annotations == [expected], run.explain()
    text = job_summary.read_text(encoding="utf-8")
    assert text.startswith("## an earlier step's summary\n## qualitykit gate failed: ruff-lint\n")
    assert "| ruff-format | pass |" in text
    assert "| ruff-lint | fail |" in text


def test_job_summary_is_written_even_when_a_rerun_would_be_replayed(
    project: FixtureRepo, tmp_path: Path
) -> None:
    project.configure(gate=("ruff-lint", "ruff-format"))
    assert project.make_quality().returncode == 0  # a local run records a replayable pass
    job_summary = tmp_path / "step_summary.md"

    run = project.make_quality(GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(job_summary))

    assert run.returncode == 0, run.explain()
    assert not [line for line in run.stdout.splitlines() if line.startswith("::")]
    text = job_summary.read_text(encoding="utf-8")
    assert text.startswith("## qualitykit gate passed\n"), text
    assert "| ruff-lint | pass |" in text


def test_unchanged_rerun_is_cached_and_fast(project: FixtureRepo) -> None:
    first = project.make_quality()
    assert first.returncode == 0, first.explain()
    assert "(cached)" not in first.output

    second = project.make_quality()

    assert second.returncode == 0, second.explain()
    lines = status_lines(second)
    assert set(lines) == set(ALL_STAGES), second.explain()
    assert all("(cached)" in line for line in lines.values()), second.explain()
    assert second.duration_s < first.duration_s / 2, (first.duration_s, second.duration_s)
    assert all(result["cached"] for result in project.summary().values())


def test_an_edit_reruns_only_the_stages_that_read_it(project: FixtureRepo) -> None:
    assert project.make_quality().returncode == 0
    project.write(".github/workflows/ci.yml", WORKFLOW.replace("name: ci\n", "name: checks\n"))

    run = project.make_quality()

    assert run.returncode == 0, run.explain()
    lines = status_lines(run)
    rerun = {stage for stage, line in lines.items() if "(cached)" not in line}
    # The workflow linters and the policy step (its integrity rules read workflows) reread it.
    assert rerun == {"actionlint", "zizmor", "policy"}, run.explain()


def test_a_failure_is_never_replayed(project: FixtureRepo) -> None:
    project.configure(gate=("ruff-lint", "ruff-format"))
    project.write("src/pkg/core.py", LINT_ERROR_CORE)
    assert project.make_quality().returncode == 2

    again = project.make_quality()

    assert again.returncode == 2, again.explain()
    assert "gate failed: ruff-lint" in again.lines(), again.explain()
    assert "(cached)" not in status_lines(again)["ruff-lint"], again.explain()
    assert "(cached)" in status_lines(again)["ruff-format"], again.explain()
