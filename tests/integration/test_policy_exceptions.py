"""The exceptions family (QK-EXC-…): ruff's BLE001, E722, S110, B904 and TRY rules kept on in
its effective configuration, and ``except`` handlers that swallow the error (found in the AST,
including the shapes ruff's S110/S112/SIM105 miss)."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import pytest

from integration.policy_cases import line_of, where, with_allow, write_repo
from qualitykit.policy.config import PolicyConfig
from qualitykit.policy.engine import run_policy
from qualitykit.policy.project import PolicyProject

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Repo
    from qualitykit.policy.findings import PolicyReport

KEPT_ON = """\
[tool.ruff.lint]
select = ["B904", "BLE", "E", "F", "S110", "TRY"]
"""
PYPROJECT = '[project]\nname = "x"\nversion = "0"\n\n'
MODULE = "src/pkg/core.py"


def scan(root: Path, **options: dict[str, object]) -> PolicyReport:
    config = PolicyConfig(enable=("exceptions",), rules=options)
    return run_policy(PolicyProject.load(root), config)


def repo_with(tmp_path: Path, lint: str = KEPT_ON, code: str = "x = 1\n") -> str:
    text = PYPROJECT + lint
    write_repo(tmp_path, {"pyproject.toml": text, MODULE: textwrap.dedent(code)})
    return text


def test_every_exception_rule_selected_is_green(tmp_path: Path) -> None:
    repo_with(tmp_path)

    report = scan(tmp_path)

    assert report.findings == ()
    assert {"QK-EXC-001", "QK-EXC-002"} <= set(report.rules)


def test_one_try_code_ignored_is_red_though_try_is_selected(tmp_path: Path) -> None:
    """ "TRY kept on" is per code: `ignore = ["TRY300"]` drops one rule of the family."""
    text = repo_with(tmp_path, KEPT_ON + 'ignore = ["TRY300"]\n')

    report = scan(tmp_path)

    assert where(report) == {("QK-EXC-001", "pyproject.toml", line_of(text, "ignore ="))}
    assert report.findings[0].message == 'ruff `ignore` has "TRY300", which switches TRY300 off'
    assert report.findings[0].fix == 'remove "TRY300" from `ignore`'


def test_codes_missing_from_select_are_red_at_select(tmp_path: Path) -> None:
    text = repo_with(tmp_path, KEPT_ON.replace('"B904", "BLE", ', ""))

    report = scan(tmp_path)

    assert where(report) == {("QK-EXC-001", "pyproject.toml", line_of(text, "select ="))}
    assert "does not include BLE001, B904" in report.findings[0].message


def test_per_file_ignores_for_source_files_are_red(tmp_path: Path) -> None:
    pfi = '\n[tool.ruff.lint.per-file-ignores]\n"src/pkg/*" = ["BLE001", "S"]\n'
    text = repo_with(tmp_path, KEPT_ON + pfi)

    report = scan(tmp_path)

    assert where(report) == {("QK-EXC-001", "pyproject.toml", line_of(text, '"src/pkg/*"'))}
    assert "switches BLE001, S110 off for 1 file(s): src/pkg/core.py" in report.findings[0].message


def test_narrowed_codes_option_keeps_only_those(tmp_path: Path) -> None:
    repo_with(tmp_path, KEPT_ON + 'ignore = ["TRY003"]\n')

    report = scan(tmp_path, **{"QK-EXC-001": {"codes": ["BLE001", "TRY300"]}})

    assert report.findings == ()


def in_g(caught: str, body: str) -> str:
    """A function ``g`` whose handler for ``caught`` runs ``body``."""
    return f"def g():\n    try:\n        return f()\n    except {caught}:\n        {body}\n"


def in_loop(body: str) -> str:
    """A loop whose handler for KeyError runs ``body``."""
    return f"for x in y:\n    try:\n        f(x)\n    except KeyError:\n        {body}\n"


SWALLOWS = {
    "pass": "try:\n    f()\nexcept ValueError:\n    pass\n",
    "continue-in-loop": in_loop("continue"),
    "ellipsis": "try:\n    f()\nexcept (OSError, ValueError):\n    ...\n",
    "return-none": in_g("OSError", "return None"),
    "bare-return": in_g("Exception", "return"),
    "return-literal": in_g("LookupError", "return -1"),
    "return-empty-list": in_g("Exception", "return []"),
    # The shapes the pre-parse text filter must still let through:
    "same-line": "try:\n    f()\nexcept ValueError: pass\n",
    "comment-first": "try:\n    f()\nexcept ValueError:\n    # fine\n\n    pass\n",
    "multi-line-types": "try:\n    f()\nexcept (\n    OSError,\n    ValueError,\n):\n    ...\n",
    "docstring-like": "try:\n    f()\nexcept ValueError:\n    r'ignored'\n",
    "bare-except": "try:\n    f()\nexcept:\n    pass\n",
    "except-star": "try:\n    f()\nexcept* ValueError:\n    pass\n",
    "import-error-guarding-code": (
        "try:\n    import x\n    x.setup()\nexcept ImportError:\n    pass\n"
    ),
}


@pytest.mark.parametrize("code", SWALLOWS.values(), ids=SWALLOWS.keys())
def test_swallowing_handler_is_red_at_the_except_line(tmp_path: Path, code: str) -> None:
    repo_with(tmp_path, code=code)

    report = scan(tmp_path)

    assert where(report) == {("QK-EXC-002", MODULE, line_of(code, "except"))}
    assert "the error is swallowed" in report.findings[0].message


def test_the_message_names_what_is_caught_where_and_what_it_does(tmp_path: Path) -> None:
    repo_with(tmp_path, code=SWALLOWS["return-none"].replace("def g", "class C:\n def g"))

    (finding,) = scan(tmp_path).findings

    assert finding.message.startswith("`except OSError:` in C.g only returns None")


HANDLED = {
    "logs": "try:\n    f()\nexcept ValueError:\n    log.warning('bad value')\n",
    "re-raises": "try:\n    f()\nexcept ValueError as error:\n    raise Bad('x') from error\n",
    "falls-back": in_g("OSError", "return default()"),
    "records": in_loop("missing.append(x)"),
    "optional-import": "try:\n    import ujson as json\nexcept ImportError:\n    pass\n",
    "optional-import-tuple": (
        "try:\n    from x import y\nexcept (ImportError, ModuleNotFoundError):\n    ...\n"
    ),
}


@pytest.mark.parametrize("code", HANDLED.values(), ids=HANDLED.keys())
def test_handled_error_is_green(tmp_path: Path, code: str) -> None:
    repo_with(tmp_path, code=code)

    assert scan(tmp_path).findings == ()


def test_reasoned_inline_allow_is_green(tmp_path: Path) -> None:
    code = SWALLOWS["return-none"]
    repo_with(tmp_path, code=with_allow(code, line_of(code, "except"), "QK-EXC-002"))

    assert scan(tmp_path).findings == ()


@pytest.mark.parametrize(
    "entry", ["src/pkg/core.py::g", "src/*/*.py::g", "src/pkg/core.py::C.g", "src/**::<module>"]
)
def test_allowlist_entry_covers_its_function(tmp_path: Path, entry: str) -> None:
    module_level = SWALLOWS["pass"]
    method = SWALLOWS["return-none"].replace("def g", "class C:\n def g")
    code = module_level if entry.endswith("<module>") else method
    repo_with(tmp_path, code=code)

    allowed = scan(tmp_path, **{"QK-EXC-002": {"allow": [entry]}})
    other = scan(tmp_path, **{"QK-EXC-002": {"allow": ["src/pkg/core.py::h"]}})

    assert allowed.findings == ()
    assert len(other.findings) == 1


def test_exclude_skips_files(tmp_path: Path) -> None:
    repo_with(tmp_path, code=SWALLOWS["pass"])

    report = scan(tmp_path, **{"QK-EXC-002": {"exclude": ["src/pkg/"]}})

    assert report.findings == ()


@pytest.mark.parametrize(
    ("table", "says"),
    [
        (
            '[tool.qualitykit.policy.rules.QK-EXC-002]\nallow = ["src/pkg/core.py"]\n',
            "rules.QK-EXC-002.allow: 'src/pkg/core.py' is not 'path/glob.py::",
        ),
        (
            '[tool.qualitykit.policy.rules.QK-EXC-001]\ncodes = ["TRY"]\n',
            "rules.QK-EXC-001.codes: not a full ruff code: 'TRY'",
        ),
    ],
    ids=["allow-without-function", "codes-prefix"],
)
def test_bad_family_options_are_one_line_and_exit_2(repo: Repo, table: str, says: str) -> None:
    repo.configure(f'[tool.qualitykit.policy]\nenable = ["exceptions"]\n\n{table}')

    done = repo.qualitykit("policy")

    assert done.returncode == 2, done.stdout
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert says in done.stderr
