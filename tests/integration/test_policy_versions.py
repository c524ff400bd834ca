"""The ``versions`` family on real git repositories: one declared Python range, every place
that names a version inside it, each disagreement at its file and line with the value to write."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from integration.policy_cases import Case, line_of, scan, where, with_allow, write_repo
from qualitykit.commands import policy as policy_command
from qualitykit.policy.config import PolicyConfig
from qualitykit.policy.engine import run_policy
from qualitykit.policy.project import PolicyProject
from qualitykit.policy.pyversions import NEWEST_MINOR
from qualitykit.policy.registry import rules

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Repo

WORKFLOW = ".github/workflows/ci.yml"
PYPROJECT = "pyproject.toml"


def project(extra: str = "", requires: str | None = ">=3.11") -> dict[str, str]:
    """A pyproject.toml declaring ``requires`` (none when None), with ``extra`` after it."""
    line = f'requires-python = "{requires}"\n' if requires is not None else ""
    return {PYPROJECT: f'[project]\nname = "x"\nversion = "0"\n{line}{extra}'}


def classifiers(*versions: str) -> dict[str, str]:
    items = "".join(f'    "Programming Language :: Python :: {v}",\n' for v in versions)
    return project(f"classifiers = [\n{items}]\n")


def matrix(*versions: str, include: str = "3.12") -> dict[str, str]:
    """A workflow testing ``versions`` through a matrix with one ``include:`` entry."""
    listed = ", ".join(f'"{v}"' for v in versions)
    text = (
        "name: ci\non: push\njobs:\n  test:\n    strategy:\n      matrix:\n"
        f"        python-version: [{listed}]\n        include:\n"
        f'          - python-version: "{include}"\n'
        "    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/setup-python@v5\n"
        "        with:\n          python-version: ${{ matrix.python-version }}\n"
    )
    return {**project(), WORKFLOW: text}


def setup_step(value: str) -> dict[str, str]:
    """A workflow whose setup-uv step sets ``python-version: value``."""
    text = (
        "name: ci\non: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n"
        f"      - uses: astral-sh/setup-uv@v5\n        with:\n          python-version: {value}\n"
    )
    return {**project(), WORKFLOW: text}


CASES: tuple[Case, ...] = (
    Case("QK-PY-001", project(requires=">=13.13.7"), project(), PYPROJECT, "requires-python"),
    Case(
        "QK-PY-001",
        project(requires="3.11+"),
        project(),
        PYPROJECT,
        "requires-python",
        name="QK-PY-001-invalid",
    ),
    Case(
        "QK-PY-001",
        project(requires=">=3.12,<3.11"),
        project(requires=">=3.11,<3.14"),
        PYPROJECT,
        "requires-python",
        name="QK-PY-001-empty",
    ),
    Case(
        "QK-PY-002",
        {**project(), ".python-version": "3.10\n"},
        {**project(), ".python-version": "3.11.7\n"},
        ".python-version",
        "3.10",
    ),
    Case(
        "QK-PY-003", classifiers("3", "3.10", "3.11"), classifiers("3", "3.11"), PYPROJECT, "3.10"
    ),
    Case(
        "QK-PY-003",
        {
            **project(requires=None),
            "setup.cfg": (
                "[metadata]\nname = x\nclassifiers =\n"
                "    Programming Language :: Python :: 3.9\n"
                "    Programming Language :: Python :: 3.10\n\n"
                "[options]\npython_requires = >=3.10\n"
            ),
        },
        {
            **project(requires=None),
            "setup.cfg": (
                "[metadata]\nname = x\nclassifiers =\n"
                "    Programming Language :: Python :: 3.10\n\n"
                "[options]\npython_requires = >=3.10\n"
            ),
        },
        "setup.cfg",
        "3.9",
        name="QK-PY-003-setup-cfg",
    ),
    Case("QK-PY-004", matrix("3.11", "3.12", include="3.10"), matrix("3.11"), WORKFLOW, '"3.10"'),
    Case(
        "QK-PY-004",
        setup_step('"3.9"'),
        setup_step('"3.13"'),
        WORKFLOW,
        "3.9",
        name="QK-PY-004-step",
    ),
    Case(
        "QK-PY-005",
        project('\n[tool.ruff]\ntarget-version = "py310"\n'),
        project('\n[tool.ruff]\ntarget-version = "py311"\n'),
        PYPROJECT,
        "target-version",
    ),
    Case(
        "QK-PY-006",
        project("\n[tool.mypy]\npython_version = 3.10\n"),
        project('\n[tool.mypy]\npython_version = "3.11"\n'),
        PYPROJECT,
        "python_version",
    ),
    Case(
        "QK-PY-006",
        {**project(), "mypy.ini": "[mypy]\npython_version = 3.10\nstrict = True\n"},
        {**project(), "mypy.ini": "[mypy]\npython_version = 3.11\nstrict = True\n"},
        "mypy.ini",
        "python_version",
        name="QK-PY-006-mypy-ini",
    ),
    Case(
        "QK-PY-007",
        project('\n[tool.pyright]\npythonVersion = "3.10"\n'),
        project('\n[tool.pyright]\npythonVersion = "3.12"\n'),
        PYPROJECT,
        "pythonVersion",
    ),
    Case(
        "QK-PY-007",
        {**project(), "pyrightconfig.json": '{\n  // JSONC\n  "pythonVersion": "3.99"\n}\n'},
        {**project(), "pyrightconfig.json": '{\n  // JSONC\n  "pythonVersion": "3.11"\n}\n'},
        "pyrightconfig.json",
        "pythonVersion",
        name="QK-PY-007-json",
    ),
    Case(
        "QK-PY-009",
        {**project(), "setup.cfg": "[metadata]\nname = x\n\n[options]\npython_requires = >=3.9\n"},
        {**project(), "setup.cfg": "[metadata]\nname = x\n\n[options]\npython_requires = >=3.11\n"},
        "setup.cfg",
        "python_requires",
    ),
    Case(
        "QK-PY-008",
        {**project(), "README.md": "# x\n\nInstall on Python ≥ 3.10 with pip.\n"},
        {**project(), "README.md": "# x\n\nInstall on Python ≥ 3.11 with pip.\n"},
        "README.md",
        "Python",
        allowable=False,  # prose has no comments: `exclude` the file instead
    ),
)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_disagreement_is_red_naming_rule_file_and_line(tmp_path: Path, case: Case) -> None:
    write_repo(tmp_path, case.red)

    report = scan(tmp_path)

    assert where(report) == {(case.rule, case.file, line_of(case.red[case.file], case.marker))}
    assert report.findings[0].fix


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_staging_the_file_finds_it_too(tmp_path: Path, case: Case) -> None:
    """The commit stage runs a versions rule only when a file it reads is staged (its
    ``reports_on``): staging the disagreeing file finds exactly what the whole check finds."""
    write_repo(tmp_path, case.red)

    staged = run_policy(PolicyProject.load(tmp_path, only=(case.file,)), PolicyConfig())

    assert where(staged) == where(scan(tmp_path)), staged.findings


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_agreement_is_green(tmp_path: Path, case: Case) -> None:
    write_repo(tmp_path, case.green)

    assert scan(tmp_path).findings == ()


# JSON has no `#` comments and prose no comments at all: those files are `exclude`d instead.
ALLOWABLE = [c for c in CASES if c.allowable and not c.file.endswith(".json")]


@pytest.mark.parametrize("case", ALLOWABLE, ids=lambda case: case.id)
def test_reasoned_allow_is_green(tmp_path: Path, case: Case) -> None:
    line = line_of(case.red[case.file], case.marker)
    write_repo(tmp_path, {**case.red, case.file: with_allow(case.red[case.file], line, case.rule)})

    assert scan(tmp_path).findings == ()


@pytest.mark.parametrize("written", ["3.11", "3.11.7", "pypy3.12", "cpython-3.13", "3.14t"])
def test_python_version_inside_the_range_is_green(tmp_path: Path, written: str) -> None:
    """``3.11.7`` and ``pypy3.12`` agree with ``>=3.11``: membership, not equality."""
    write_repo(tmp_path, {**project(), ".python-version": f"# pinned for uv\n{written}\n"})

    assert scan(tmp_path).findings == ()


@pytest.mark.parametrize("written", ["3.10", "3.10.12", "pypy3.10"])
def test_python_version_outside_the_range_is_red(tmp_path: Path, written: str) -> None:
    write_repo(tmp_path, {**project(), ".python-version": f"{written}\n"})

    found = [(f.line, f.message, f.fix) for f in scan(tmp_path).findings]

    message = f"`{written}` is outside requires-python '>=3.11' (pyproject.toml:4)"
    assert found == [(1, message, "write `3.11`")]


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ("13.13.7", "there is no Python 13"),
        ("3.99", "there is no Python 3.99"),
        ("2.8", "Python 2 ended with 2.7"),
    ],
)
def test_impossible_version_is_named_impossible(tmp_path: Path, written: str, why: str) -> None:
    write_repo(tmp_path, {**project(), ".python-version": f"{written}\n"})

    (finding,) = scan(tmp_path).findings

    assert finding.message.startswith(f"`{written}` is impossible: {why}")
    assert finding.fix == "write `3.11`"


def test_upper_bound_and_exclusions_are_honoured(tmp_path: Path) -> None:
    """``!=3.12.*`` and ``<3.14`` are part of the range: 3.12 and 3.14 are outside it."""
    write_repo(
        tmp_path,
        project(
            'classifiers = [\n    "Programming Language :: Python :: 3.11",\n'
            '    "Programming Language :: Python :: 3.12",\n'
            '    "Programming Language :: Python :: 3.13",\n'
            '    "Programming Language :: Python :: 3.14",\n]\n',
            requires=">=3.11,!=3.12.*,<3.14",
        ),
    )

    outside = {f.message.split("`")[1] for f in scan(tmp_path).findings}

    assert outside == {"3.12", "3.14"}


def test_without_requires_python_the_first_stated_range_is_used(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            **project(requires=None),
            "setup.py": "from setuptools import setup\n\nsetup(python_requires='>=3.12')\n",
            ".python-version": "3.11\n",
        },
    )

    (finding,) = scan(tmp_path).findings

    assert finding.message == "`3.11` is outside python_requires '>=3.12' (setup.py:3)"


def test_without_any_range_the_family_says_nothing(tmp_path: Path) -> None:
    write_repo(tmp_path, {**project(requires=None), ".python-version": "3.10\n"})

    report = scan(tmp_path)

    assert report.findings == ()
    assert "QK-PY-002" in report.rules


def test_run_time_versions_are_notes_not_failures(tmp_path: Path) -> None:
    """``${{ inputs.py }}`` and ``3.x`` cannot be judged from the files: unknown, said so."""
    write_repo(tmp_path, setup_step("${{ inputs.python }}"))
    computed = scan(tmp_path)
    write_repo(tmp_path, setup_step("3.x"))
    latest = scan(tmp_path)

    assert (computed.findings, latest.findings) == ((), ())
    note = "job 'test': python-version `${{ inputs.python }}` is computed at run time"
    assert computed.notes == (f"{WORKFLOW}:9: QK-PY-004 {note}",)
    assert latest.notes == (f"{WORKFLOW}:9: QK-PY-004 `3.x` is resolved at run time: not judged",)
    staged = run_policy(PolicyProject.load(tmp_path, only=(WORKFLOW,)), PolicyConfig())
    assert staged.notes == latest.notes


def test_docs_history_lines_are_not_claims(tmp_path: Path) -> None:
    """A changelog line ("dropped Python 3.8") says nothing about the supported range."""
    readme = (
        "# x\n\n- 2.0: dropped Python 3.8\n- 1.3: fix a Python 3.2 issue\n\n"
        "Supports Python 3.11 through 3.14; python3.12 works.\n"
    )
    write_repo(tmp_path, {**project(), "README.md": readme})

    assert scan(tmp_path).findings == ()


def test_docs_files_are_configurable(tmp_path: Path) -> None:
    write_repo(tmp_path, {**project(), "docs/install.md": "Use python3.10.\n"})
    config = PolicyConfig(rules={"QK-PY-008": {"files": ["docs/install.md"]}})

    assert where(scan(tmp_path, config)) == {("QK-PY-008", "docs/install.md", 1)}
    # Staged, the configured file is judged too (the rule reads its files from the options).
    staged = run_policy(PolicyProject.load(tmp_path, only=("docs/install.md",)), config)
    assert where(staged) == {("QK-PY-008", "docs/install.md", 1)}


def test_cli_prints_notes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_repo(tmp_path, setup_step("${{ inputs.python }}"))

    code = policy_command.run(tmp_path, [], base=None, as_json=False)

    out = capsys.readouterr().out
    assert code == 0, out
    assert f"note: {WORKFLOW}:9: QK-PY-004 job 'test': python-version" in out
    assert out.strip().endswith("no findings")


def test_cli_rejects_a_bad_option_in_one_line(repo: Repo) -> None:
    repo.configure('[tool.qualitykit.policy.rules.QK-PY-008]\nfile = ["README.md"]\n')

    bad = repo.qualitykit("policy")

    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1
    assert bad.stderr.strip().endswith(
        "pyproject.toml: [tool.qualitykit.policy]: rules.QK-PY-008.file: unknown key"
    )


def test_poetry_caret_upper_bound_is_no_impossible_version(tmp_path: Path) -> None:
    """Poetry's ``^3.11`` is ``>=3.11,<4``: an exclusive bound of 4 names no Python 4."""
    poetry = '\n[tool.poetry.dependencies]\npython = "^3.11"\n'
    write_repo(tmp_path, {**project(poetry, requires=None), ".python-version": "3.10\n"})

    found = [(f.rule, f.message) for f in scan(tmp_path).findings]

    assert found == [
        ("QK-PY-002", "`3.10` is outside Poetry's python '>=3.11,<4' (pyproject.toml:6)")
    ]


def test_every_value_of_a_one_line_matrix_is_reported(tmp_path: Path) -> None:
    write_repo(tmp_path, matrix("3.8", "3.9", "3.12"))

    found = [f.message.split("`")[1] for f in scan(tmp_path).findings]

    assert found == ["3.8", "3.9"]


def test_unquoted_3_10_in_a_matrix_is_the_float_3_1(tmp_path: Path) -> None:
    """``[3.10]`` unquoted is YAML's 3.1: the job sets up Python 3.1, not 3.10."""
    files = matrix("3.11")
    write_repo(tmp_path, {**files, WORKFLOW: files[WORKFLOW].replace('["3.11"]', "[3.11, 3.10]")})

    (finding,) = scan(tmp_path).findings

    assert (finding.line, finding.fix) == (7, 'quote it: "3.10"')
    assert finding.message == "unquoted `3.10` is the number 3.1 to YAML: CI sets up Python 3.1"


def test_every_versions_rule_has_a_case() -> None:
    family = {rule_id for rule_id, rule in rules().items() if rule.family == "versions"}

    assert family == {case.rule for case in CASES}
    assert all(rules()[rule_id].default for rule_id in family)


def test_second_statement_is_compared_by_the_pythons_it_admits(tmp_path: Path) -> None:
    """Poetry's ``^3.11`` (``>=3.11,<4``) admits what ``>=3.11`` admits; ``~3.11`` does not."""
    write_repo(tmp_path, project('\n[tool.poetry.dependencies]\npython = "^3.11"\n'))
    same = scan(tmp_path)
    write_repo(tmp_path, project('\n[tool.poetry.dependencies]\npython = "~3.11"\n'))
    narrower = scan(tmp_path)

    assert same.findings == ()
    (finding,) = narrower.findings
    excluded = ", ".join(f"3.{minor}" for minor in range(12, NEWEST_MINOR + 1))
    assert finding.message.endswith(f"it excludes {excluded}")
    assert finding.fix == "write `>=3.11`"


def test_other_implementations_numbering_is_a_note(tmp_path: Path) -> None:
    """``graalpy-24.1`` is GraalPy's release number, not Python 24.1: no impossible version."""
    write_repo(tmp_path, setup_step("graalpy-24.1"))

    report = scan(tmp_path)

    assert report.findings == ()
    assert report.notes == (
        f"{WORKFLOW}:9: QK-PY-004 `graalpy-24.1` is no CPython version: not judged",
    )


def test_docs_range_end_is_judged(tmp_path: Path) -> None:
    write_repo(
        tmp_path, {**project(requires=">=3.11,<3.14"), "README.md": "Python 3.11 through 3.14\n"}
    )

    assert [f.message.split("`")[3] for f in scan(tmp_path).findings] == ["3.14"]


def test_a_field_of_matrix_entries_is_read(tmp_path: Path) -> None:
    """``${{ matrix.config.python }}`` (click's nightly) names each entry's ``python``."""
    text = (
        "name: ci\non: push\njobs:\n  test:\n    strategy:\n      matrix:\n        config:\n"
        "          - {name: new, python: '3.13'}\n          - {name: old, python: '3.9'}\n"
        "    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/setup-python@v5\n"
        "        with:\n          python-version: ${{ matrix.config.python }}\n"
    )
    write_repo(tmp_path, {**project(), WORKFLOW: text})

    report = scan(tmp_path)

    assert where(report) == {("QK-PY-004", WORKFLOW, 9)}
    assert report.notes == ()


def test_notes_are_in_file_and_line_order(tmp_path: Path) -> None:
    steps = "".join(
        f"      - uses: actions/setup-python@v5\n        with:\n          python-version: {v}\n"
        for v in ("3.x", "${{ inputs.a }}", "3.x", "3.x")
    )
    text = f"name: ci\non: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n{steps}"
    write_repo(tmp_path, {**project(), WORKFLOW: "\n" * 90 + text})

    lines = [int(note.split(":")[1]) for note in scan(tmp_path).notes]

    assert lines == [99, 102, 105, 108]


@pytest.mark.parametrize(
    ("requires", "says"),
    [
        (">=2.8", "names an impossible version `>=2.8`: Python 2 ended with 2.7"),
        ("===cpython", "admits no Python at all"),
    ],
)
def test_unusable_range_is_reported_once(tmp_path: Path, requires: str, says: str) -> None:
    """Judging other places against a broken range would only repeat QK-PY-001."""
    write_repo(tmp_path, {**project(requires=requires), ".python-version": "3.10\n"})

    (finding,) = scan(tmp_path).findings

    assert (finding.rule, finding.line) == ("QK-PY-001", 4)
    assert finding.message.endswith(says)


def test_what_cannot_be_judged_is_a_note(tmp_path: Path) -> None:
    workflow = (
        "name: ci\non: push\njobs:\n  test:\n    strategy:\n      matrix:\n"
        '        python-version: ["${{ inputs.extra }}"]\n    runs-on: ubuntu-24.04\n'
        "    steps:\n      - uses: actions/checkout@v5\n      - uses: actions/setup-python@v5\n"
        "        with:\n          python-version: ${{ matrix.py-missing }}\n"
    )
    write_repo(
        tmp_path,
        {
            **project('\n[tool.mypy]\npython_version = "latest"\n'),
            ".python-version": "system\nminiconda3-latest\n",
            WORKFLOW: workflow,
        },
    )

    report = scan(tmp_path)

    assert report.findings == ()
    unknown = "names no Python version this rule can judge"
    not_listed = "is not a literal list: its versions are known at run time"
    assert report.notes == (
        f"{WORKFLOW}:7: QK-PY-004 `${{{{ inputs.extra }}}}` is computed at run time",
        f"{WORKFLOW}:13: QK-PY-004 matrix.py-missing {not_listed}",
        f".python-version:2: QK-PY-002 `miniconda3-latest` {unknown}",
        "pyproject.toml:7: QK-PY-006 mypy python_version `latest` is no Python version",
    )


def test_ruff_toml_and_second_statements(tmp_path: Path) -> None:
    """ruff.toml is read like [tool.ruff]; an unparsable second range is reported there."""
    poetry = '\n[tool.poetry.dependencies]\npython = ">=3.11,<4.0"\n'
    write_repo(
        tmp_path,
        {
            **project(poetry),
            "ruff.toml": 'line-length = 100\ntarget-version = "py312"\n',
            "setup.cfg": "[options]\npython_requires = three\n",
            ".python-version": "3\n",
        },
    )

    found = {(f.rule, f.file, f.line, f.fix) for f in scan(tmp_path).findings}

    assert found == {
        ("QK-PY-005", "ruff.toml", 2, 'target-version = "py311"'),
        ("QK-PY-009", "setup.cfg", 2, "write `>=3.11`"),
    }


def test_range_without_lower_bound_suggests_its_newest_version(tmp_path: Path) -> None:
    """``<3.14`` has no lower bound: ruff's target is not judged, the fix names 3.13."""
    ruff = '\n[tool.ruff]\ntarget-version = "py39"\n'
    write_repo(tmp_path, {**project(ruff, requires="<3.14"), ".python-version": "3.14\n"})

    found = [(f.rule, f.fix) for f in scan(tmp_path).findings]

    assert found == [("QK-PY-002", "write `3.13`")]


def test_gate_step_carries_the_notes(repo: Repo) -> None:
    """The `policy` gate step passes with a run-time CI version, and says it was not judged."""
    repo.write(WORKFLOW, setup_step("${{ inputs.python }}")[WORKFLOW])

    done = repo.qualitykit("check", "policy", "--json")

    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "pass"
    note = "job 'test': python-version `${{ inputs.python }}` is computed at run time"
    assert result["notes"] == [f"{WORKFLOW}:9: QK-PY-004 {note}"]


def test_major_only_classifier_is_judged(tmp_path: Path) -> None:
    """``Python :: 2`` beside ``>=3.11`` is wrong; ``Python :: 3`` and ``3 :: Only`` are right."""
    write_repo(tmp_path, classifiers("2", "3", "3 :: Only", "3.11"))

    assert where(scan(tmp_path)) == {("QK-PY-003", PYPROJECT, 6)}


def test_uv_python_versions_file_is_read(tmp_path: Path) -> None:
    write_repo(tmp_path, {**project(), ".python-versions": "3.12\n3.10\n"})

    assert where(scan(tmp_path)) == {("QK-PY-002", ".python-versions", 2)}
