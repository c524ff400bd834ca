"""The imports family (QK-IMP-…): ruff's effective configuration keeps FA, I002 (with the
future import required) and TID252 (``ban-relative-imports = "all"``) on; a configuration that
switches one off is red at the line that does it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from integration.policy_cases import line_of, where, with_allow, write_repo
from qualitykit.policy.config import PolicyConfig
from qualitykit.policy.engine import run_policy
from qualitykit.policy.project import PolicyProject
from qualitykit.policy.ruffconfig import load, verdict
from qualitykit.policy.rules.exceptions import EXCEPTION_CODES

if TYPE_CHECKING:
    from collections.abc import Mapping

    from qualitykit.policy.findings import PolicyReport

GOOD_LINT = """\
[tool.ruff.lint]
select = ["E", "F", "FA", "I", "TID"]
ignore = ["E501"]

[tool.ruff.lint.isort]
required-imports = ["from __future__ import annotations"]

[tool.ruff.lint.flake8-tidy-imports]
ban-relative-imports = "all"
"""
MODULE = {"src/pkg/core.py": "from __future__ import annotations\n", "tests/test_core.py": ""}
PYPROJECT = '[project]\nname = "x"\nversion = "0"\n\n'


def project(lint: str, **more: str) -> dict[str, str]:
    return {"pyproject.toml": PYPROJECT + lint, **MODULE, **more}


def scan(root: Path, **rules: Mapping[str, object]) -> PolicyReport:
    config = PolicyConfig(
        enable=("imports",), rules={k.replace("_", "-"): dict(v) for k, v in rules.items()}
    )
    return run_policy(PolicyProject.load(root), config)


def test_the_configuration_that_keeps_every_rule_on_is_green(tmp_path: Path) -> None:
    write_repo(tmp_path, project(GOOD_LINT))

    report = scan(tmp_path)

    assert report.findings == ()
    assert {"QK-IMP-001", "QK-IMP-002", "QK-IMP-003"} <= set(report.rules)


def test_deleting_fa_from_select_is_red_at_select(tmp_path: Path) -> None:
    """The acceptance case: FA deleted from `select` must fail the gate, naming the line."""
    lint = GOOD_LINT.replace('"FA", ', "")
    write_repo(tmp_path, project(lint))

    report = scan(tmp_path)

    line = line_of(PYPROJECT + lint, "select =")
    assert where(report) == {("QK-IMP-001", "pyproject.toml", line)}
    assert "does not include FA100, FA102" in report.findings[0].message
    assert report.findings[0].fix == 'add "FA100", "FA102" to `select`'


@pytest.mark.parametrize(
    ("change", "marker", "says"),
    [
        (('ignore = ["E501"]', 'ignore = ["E501", "FA102"]'), "ignore =", 'has "FA102"'),
        (('"FA", ', '"F", '), "select =", "does not include FA100"),  # F is not FA
        (('ignore = ["E501"]', 'extend-ignore = ["FA"]'), "extend-ignore", 'has "FA"'),
        # Within one table the more specific selector wins: FA100 selected beats FA ignored…
        (('"FA", ', '"FA100", "FA102", '), None, ""),
        # …and an ignore as specific as the select wins.
        (('ignore = ["E501"]', 'ignore = ["FA1"]'), "ignore =", 'has "FA1"'),
    ],
)
def test_ruff_selection_semantics(
    tmp_path: Path, change: tuple[str, str], marker: str | None, says: str
) -> None:
    lint = GOOD_LINT.replace(*change)
    if marker is None:
        lint = lint.replace('ignore = ["E501"]', 'ignore = ["FA"]')
    write_repo(tmp_path, project(lint))

    report = scan(tmp_path)

    if marker is None:
        assert report.findings == ()
        return
    assert where(report) == {("QK-IMP-001", "pyproject.toml", line_of(PYPROJECT + lint, marker))}
    assert says in report.findings[0].message


def test_all_selects_everything_and_the_legacy_top_level_table_counts(tmp_path: Path) -> None:
    lint = GOOD_LINT.replace("[tool.ruff.lint]\n", "[tool.ruff]\n").replace(
        '"E", "F", "FA", "I", "TID"', '"ALL"'
    )
    write_repo(tmp_path, project(lint))

    assert scan(tmp_path).findings == ()


def test_no_ruff_configuration_means_ruffs_default_selection(tmp_path: Path) -> None:
    write_repo(tmp_path, project(""))

    report = scan(tmp_path)

    assert where(report) == {
        ("QK-IMP-001", "pyproject.toml", 1),
        ("QK-IMP-002", "pyproject.toml", 1),
        ("QK-IMP-003", "pyproject.toml", 1),
    }
    assert any("only ruff's default selection could" in f.message for f in report.findings)


def test_ruffs_default_selection_alone_does_not_keep_a_code_on(tmp_path: Path) -> None:
    """ruff 0.16+ runs FA100 by default; an upgrade or downgrade can change that silently."""
    lint = GOOD_LINT.replace("select = [", "extend-select = [").replace('"FA", ', "")
    write_repo(tmp_path, project(lint))

    report = scan(tmp_path)

    header = line_of(PYPROJECT + lint, "[tool.ruff.lint]")
    assert where(report) == {("QK-IMP-001", "pyproject.toml", header)}
    assert report.findings[0].fix.startswith('add "FA100", "FA102" to `extend-select`')


def test_ruff_toml_wins_over_pyproject(tmp_path: Path) -> None:
    ruff_toml = GOOD_LINT.replace("[tool.ruff.", "[").replace('"TID"', '"TID251"')
    write_repo(tmp_path, project(GOOD_LINT, **{"ruff.toml": ruff_toml}))

    report = scan(tmp_path)

    assert where(report) == {("QK-IMP-003", "ruff.toml", line_of(ruff_toml, "select ="))}


def test_extend_chain_base_first_and_child_ignores_win(tmp_path: Path) -> None:
    base = GOOD_LINT.replace("[tool.ruff.", "[")
    child = 'extend = "../shared/ruff-base.toml"\n\n[lint]\nextend-ignore = ["I002"]\n'
    files = {"shared/ruff-base.toml": base, "app/.ruff.toml": child}
    write_repo(tmp_path, files)
    write_repo(tmp_path / "app", {"src/m.py": ""})

    report = scan(tmp_path / "app")

    assert where(report) == {("QK-IMP-002", ".ruff.toml", 4)}
    assert 'ruff `extend-ignore` has "I002"' in report.findings[0].message


def test_extend_naming_a_missing_file_is_a_finding_not_a_pass(tmp_path: Path) -> None:
    write_repo(tmp_path, {"ruff.toml": 'extend = "missing.toml"\n', **MODULE})

    report = scan(tmp_path)

    assert {(f.rule, f.line) for f in report.findings} == {
        ("QK-IMP-001", 1),
        ("QK-IMP-002", 1),
        ("QK-IMP-003", 1),
    }
    assert "'missing.toml', which cannot be read" in report.findings[0].message


def test_per_file_ignores_of_source_files_are_red_of_tests_only_when_not_exempted(
    tmp_path: Path,
) -> None:
    lint = (
        GOOD_LINT
        + '\n[tool.ruff.lint.per-file-ignores]\n"src/**" = ["FA"]\n"tests/*" = ["TID252"]\n'
    )
    write_repo(tmp_path, project(lint))
    text = PYPROJECT + lint

    held = scan(tmp_path)
    exempt = scan(tmp_path, **{"QK-IMP-003": {"ignored-in": ["tests/"]}})

    assert where(held) == {
        ("QK-IMP-001", "pyproject.toml", line_of(text, '"src/**"')),
        ("QK-IMP-003", "pyproject.toml", line_of(text, '"tests/*"')),
    }
    assert "switches FA100, FA102 off for 1 file(s): src/pkg/core.py" in held.findings[0].message
    assert where(exempt) == {("QK-IMP-001", "pyproject.toml", line_of(text, '"src/**"'))}


def test_required_imports_must_hold_the_future_import(tmp_path: Path) -> None:
    lint = GOOD_LINT.replace("from __future__ import annotations", "import os")
    write_repo(tmp_path, project(lint))

    report = scan(tmp_path)

    line = line_of(PYPROJECT + lint, "required-imports")
    assert where(report) == {("QK-IMP-002", "pyproject.toml", line)}
    assert "lacks `from __future__ import annotations`" in report.findings[0].message


def test_ban_relative_imports_parents_is_red_unless_the_options_accept_it(tmp_path: Path) -> None:
    lint = GOOD_LINT.replace('"all"', '"parents"')
    write_repo(tmp_path, project(lint))

    strict = scan(tmp_path)
    lenient = scan(tmp_path, **{"QK-IMP-003": {"ban-relative-imports": "parents"}})

    line = line_of(PYPROJECT + lint, "ban-relative-imports")
    assert where(strict) == {("QK-IMP-003", "pyproject.toml", line)}
    assert lenient.findings == ()


def test_reasoned_allow_at_the_line_that_switches_it_off_is_green(tmp_path: Path) -> None:
    lint = GOOD_LINT.replace('ignore = ["E501"]', 'ignore = ["E501", "FA102"]')
    text = PYPROJECT + lint
    allowed = with_allow(text, line_of(text, "ignore ="), "QK-IMP-001")
    write_repo(tmp_path, {**MODULE, "pyproject.toml": allowed})

    assert scan(tmp_path).findings == ()


# The model against ruff itself: the codes the model says the configuration selects are the
# codes ruff's own resolved settings enable (with a `select`), or among them (without one,
# ruff's version-dependent default adds more, which the policy does not count).
LINT = "[tool.ruff.lint]\n"
RUFF_CONFIGS = {
    "prefixes-and-specificity": LINT + 'select = ["FA100", "TRY", "E"]\nignore = ["FA", "TRY3"]\n',
    "default-plus-extend": LINT + 'extend-select = ["BLE", "I"]\nignore = ["E7"]\n',
    "all-minus-some": LINT + 'select = ["ALL"]\nignore = ["S1", "B904", "TID"]\n',
    "legacy-and-lint": '[tool.ruff]\nselect = ["F"]\n\n' + LINT + 'extend-select = ["FA102"]\n',
    "extend-then-select": '[tool.ruff]\nextend = "base.toml"\n\n' + LINT + 'select = ["TRY3"]\n',
}
CODES = ("FA100", "FA102", "I002", "TID252", *EXCEPTION_CODES)


def _ruff_enabled(root: Path) -> set[str]:
    ruff = Path(sys.executable).parent / "ruff"
    done = subprocess.run(
        [str(ruff), "check", "--show-settings", "src/pkg/core.py"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    block = done.stdout.split("linter.rules.enabled = [", 1)[1].split("]", 1)[0]
    return set(re.findall(r"\(([A-Z]+\d+)\)", block))


@pytest.mark.parametrize("lint", RUFF_CONFIGS.values(), ids=RUFF_CONFIGS.keys())
def test_the_model_agrees_with_ruffs_resolved_settings(tmp_path: Path, lint: str) -> None:
    base = {"base.toml": '[lint]\nselect = ["I", "TRY"]\n'}
    write_repo(tmp_path, {**project(lint), **base})
    config = load(PolicyProject.load(tmp_path))

    modelled = {code for code in CODES if verdict(config, code).on}

    enabled = _ruff_enabled(tmp_path) & set(CODES)
    assert modelled == enabled if "\nselect = [" in lint else modelled < enabled


def test_extend_loop_is_a_finding_not_a_pass(tmp_path: Path) -> None:
    files = {"ruff.toml": 'extend = "base.toml"\n', "base.toml": 'extend = "ruff.toml"\n'}
    write_repo(tmp_path, {**files, **MODULE})

    report = scan(tmp_path)

    assert {(f.rule, f.file, f.line) for f in report.findings} >= {("QK-IMP-001", "base.toml", 1)}
    assert "`extend` loops back to 'ruff.toml'" in report.findings[0].message


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        ('select = ["E", "F"]\n\n[isort]\nrequired-imports = []\n', "select ="),
        ('lint.select = ["E", "F"]\n', "lint.select"),
        (
            'line-length = 100\n\n[lint]\nextend-ignore = ["FA"]\nselect = ["ALL"]\n',
            "extend-ignore",
        ),
    ],
    ids=["legacy-top-level", "dotted-lint-key", "lint-table"],
)
def test_ruff_toml_lines_are_found_wherever_the_key_is_written(
    tmp_path: Path, text: str, marker: str
) -> None:
    write_repo(tmp_path, {".ruff.toml": text, **MODULE})

    report = scan(tmp_path, **{"QK-IMP-001": {}})

    imp_001 = [f for f in report.findings if f.rule == "QK-IMP-001"]
    assert [(f.file, f.line) for f in imp_001] == [(".ruff.toml", line_of(text, marker))]


def test_extend_per_file_ignores_of_every_file_in_the_chain_count(tmp_path: Path) -> None:
    base = (
        GOOD_LINT.replace("[tool.ruff.", "[")
        + '\n[lint.extend-per-file-ignores]\n"src/**" = ["I002"]\n'
    )
    lint = 'extend = "base.toml"\n\n[tool.ruff.lint.per-file-ignores]\n"tests/**" = ["I"]\n'
    pyproject = PYPROJECT + "[tool.ruff]\n" + lint
    write_repo(tmp_path, {**MODULE, "base.toml": base, "pyproject.toml": pyproject})

    report = scan(tmp_path, **{"QK-IMP-002": {"ignored-in": ["tests/"]}})

    assert where(report) == {("QK-IMP-002", "base.toml", line_of(base, '"src/**"'))}
