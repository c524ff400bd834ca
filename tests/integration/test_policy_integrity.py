"""Every gate-integrity rule on a real git repository: red with the violation (naming file,
line and rule), green without it, green again with a reasoned inline allow."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from integration.integrity_base_cases import BASE_CASES, CLEAN_SHAPES
from integration.integrity_cases import CASES
from integration.policy_cases import (
    BaseCase,
    Case,
    git,
    line_of,
    where,
    with_allow,
    write_repo,
)
from qualitykit.policy.config import PolicyConfig
from qualitykit.policy.engine import run_policy
from qualitykit.policy.project import PolicyProject
from qualitykit.policy.registry import rules

if TYPE_CHECKING:
    from qualitykit.policy.findings import PolicyReport


def scan(root: Path, base: str | None = None) -> PolicyReport:
    return run_policy(PolicyProject.load(root, base=base), PolicyConfig())


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_violation_is_red_naming_rule_file_and_line(tmp_path: Path, case: Case) -> None:
    write_repo(tmp_path, case.red)
    line = line_of(case.red[case.file], case.marker)

    report = scan(tmp_path)

    assert where(report) == {(case.rule, case.file, line)}, report.findings
    assert report.findings[0].message
    assert report.findings[0].fix


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_staging_the_file_finds_it_too(tmp_path: Path, case: Case) -> None:
    """The commit stage runs only the rules that can report on a staged file: never fewer."""
    write_repo(tmp_path, case.red)

    staged = run_policy(PolicyProject.load(tmp_path, only=(case.file,)), PolicyConfig())

    assert where(staged) == where(scan(tmp_path)), staged.findings


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_fixed_version_is_green(tmp_path: Path, case: Case) -> None:
    write_repo(tmp_path, case.green)

    assert scan(tmp_path).findings == ()


@pytest.mark.parametrize("case", [c for c in CASES if c.allowable], ids=lambda case: case.id)
def test_reasoned_allow_is_green(tmp_path: Path, case: Case) -> None:
    line = line_of(case.red[case.file], case.marker)
    write_repo(tmp_path, {**case.red, case.file: with_allow(case.red[case.file], line, case.rule)})

    assert scan(tmp_path).findings == ()


@pytest.mark.parametrize("case", [c for c in CASES if c.allowable], ids=lambda case: case.id)
def test_allow_without_reason_allows_nothing_and_is_reported(tmp_path: Path, case: Case) -> None:
    line = line_of(case.red[case.file], case.marker)
    allowed = with_allow(case.red[case.file], line, case.rule)
    reasonless = allowed.replace(" the test says why this one is fine", "")
    write_repo(tmp_path, {**case.red, case.file: reasonless})

    rules_found = {finding.rule for finding in scan(tmp_path).findings}

    assert rules_found == {case.rule, "QK-POL-001"}


def branch(tmp_path: Path, base: dict[str, str], change: dict[str, str]) -> Path:
    """``base`` committed on main, then ``change`` committed on a branch."""
    write_repo(tmp_path, base)
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "base")
    git(tmp_path, "switch", "-qc", "feature")
    for name in base:
        if name not in change:
            (tmp_path / name).unlink()
    write_repo(tmp_path, change)
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "--allow-empty", "-m", "change")
    return tmp_path


@pytest.mark.parametrize("case", BASE_CASES, ids=lambda case: case.id)
def test_weakening_since_base_is_red_saying_from_what_to_what(
    tmp_path: Path, case: BaseCase
) -> None:
    root = branch(tmp_path, case.base, case.red)
    line = line_of(case.red[case.file], case.marker)

    report = scan(root, base="main")

    assert where(report) == {(case.rule, case.file, line)}, report.findings
    for words in case.says:
        assert words in report.findings[0].message, report.findings[0].message


@pytest.mark.parametrize("case", BASE_CASES, ids=lambda case: case.id)
def test_change_that_keeps_the_teeth_is_green(tmp_path: Path, case: BaseCase) -> None:
    root = branch(tmp_path, case.base, case.green)

    assert scan(root, base="main").findings == ()


@pytest.mark.parametrize("case", [c for c in BASE_CASES if c.allowable], ids=lambda case: case.id)
def test_reasoned_allow_of_a_weakening_is_green(tmp_path: Path, case: BaseCase) -> None:
    line = line_of(case.red[case.file], case.marker)
    allowed = {**case.red, case.file: with_allow(case.red[case.file], line, case.rule)}
    root = branch(tmp_path, case.base, allowed)

    assert scan(root, base="main").findings == ()


def test_base_rules_do_not_run_without_a_base(tmp_path: Path) -> None:
    case = BASE_CASES[0]
    root = branch(tmp_path, case.base, case.red)

    report = scan(root)

    assert report.findings == ()
    assert case.rule not in report.rules


def test_at_least_25_integrity_patterns_each_tested() -> None:
    integrity = {rule_id for rule_id, rule in rules().items() if rule.family == "integrity"}
    tested = {case.rule for case in CASES} | {case.rule for case in BASE_CASES}

    assert len(integrity) >= 25
    assert integrity <= tested, sorted(integrity - tested)
    # The other families are tested in their own modules (test_policy_<family>.py).
    here = Path(__file__).parent
    elsewhere = "".join(p.read_text(encoding="utf-8") for p in here.glob("test_policy_*.py"))
    named = set(re.findall(r"QK-[A-Z]+-\d{3}", elsewhere))
    untested = [rule_id for rule_id in rules() if rule_id not in tested | named]
    assert untested == []


@pytest.mark.parametrize("shape", list(CLEAN_SHAPES))
def test_real_world_shapes_that_keep_the_teeth_are_green(tmp_path: Path, shape: str) -> None:
    write_repo(tmp_path, CLEAN_SHAPES[shape])

    assert scan(tmp_path).findings == ()


SKIPPED = (
    "import pytest\n\n\n@pytest.mark.skipif(True, reason='windows')\n"
    "def test_{name}() -> None:\n    assert True\n"
)


def test_a_suppression_moved_to_another_file_is_not_new(tmp_path: Path) -> None:
    """Splitting a test module moves its skip marks; the count per file rises, nothing is new."""
    root = branch(
        tmp_path,
        {"tests/test_all.py": SKIPPED.format(name="a")},
        {"tests/test_split.py": SKIPPED.format(name="a")},
    )

    assert scan(root, base="main").findings == ()


def test_a_new_suppression_next_to_a_moved_one_is_reported(tmp_path: Path) -> None:
    moved_and_new = (
        SKIPPED.format(name="a")
        + "\n\n"
        + SKIPPED.format(name="b")
        .replace("import pytest\n\n\n", "")
        .replace("'windows'", "'flaky'")
    )
    root = branch(
        tmp_path,
        {"tests/test_all.py": SKIPPED.format(name="a")},
        {"tests/test_split.py": moved_and_new},
    )

    report = scan(root, base="main")

    assert where(report) == {("QK-INT-074", "tests/test_split.py", 9)}, report.findings
    assert "0 → 2" in report.findings[0].message


def test_suppressions_in_code_the_project_does_not_check_are_not_counted(tmp_path: Path) -> None:
    """pip vendors packages (ruff's extend-exclude), black keeps formatter test data
    (pre-commit's exclude): their `# noqa` and `# type: ignore` suppress nothing."""
    config = {
        "pyproject.toml": '[project]\nname = "x"\n\n[tool.ruff]\nextend-exclude = ["_vendor"]\n',
        ".pre-commit-config.yaml": "exclude: ^tests/data/\nrepos: []\n",
    }
    root = branch(
        tmp_path,
        config,
        {
            **config,
            "src/pkg/_vendor/lib.py": "import os  # noqa: F401\n",
            "tests/data/case.py": "x: int = ''  # type: ignore\n",
        },
    )

    assert scan(root, base="main").findings == ()


def test_a_mypy_flag_dropped_while_strict_stays_on_is_no_weakening(tmp_path: Path) -> None:
    """black removed `strict_bytes = true` when mypy 2 made it a default; strict stayed on."""
    before = '[project]\nname = "x"\n\n[tool.mypy]\nstrict = true\nstrict_bytes = true\n'
    root = branch(
        tmp_path,
        {"pyproject.toml": before},
        {"pyproject.toml": before.replace("strict_bytes = true\n", "")},
    )

    assert scan(root, base="main").findings == ()
