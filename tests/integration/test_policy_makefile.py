"""The makefile family on real git repositories: `.PHONY` (QK-MK-001), `$(MAKE) target VAR=…`
indirection (QK-MK-002), required targets (QK-MK-003): red naming file, line and rule, green
when fixed, green with a reasoned allow, quiet on the shapes real Makefiles use."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from integration.policy_cases import Case, line_of, with_allow, write_repo
from qualitykit.policy.config import parse_policy
from qualitykit.policy.engine import run_policy
from qualitykit.policy.project import PolicyProject

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Repo
    from qualitykit.policy.findings import PolicyReport

HEAD = "SHELL := bash\n.SHELLFLAGS := -eu -o pipefail -c\n\n"
REQUIRED = '[tool.qualitykit.policy.rules.QK-MK-003]\nrequired = ["quality", "test"]\n'


def makefile(body: str) -> dict[str, str]:
    return {"Makefile": HEAD + body}


def pyproject(extra: str) -> dict[str, str]:
    return {"pyproject.toml": f'[project]\nname = "x"\nversion = "0"\n\n{extra}'}


INDIRECT = (
    ".PHONY: check pytest-core\n\ncheck:\n\t$(MAKE) pytest-core PYARGS=tests/unit\n\n"
    "pytest-core:\n\t$(RUN) pytest $(PYTEST_BASE) $(PYARGS)\n"
)
DIRECT = (
    ".PHONY: check pytest-core\n\ncheck:\n\t$(RUN) pytest $(PYTEST_BASE) tests/unit\n\n"
    "pytest-core:\n\t$(RUN) pytest $(PYTEST_BASE) $(PYARGS)\n"
)

CASES: tuple[Case, ...] = (
    Case(
        "QK-MK-001",
        makefile(".PHONY: check\n\ncheck:\n\tpytest\n\nlint:\n\truff check .\n"),
        makefile(".PHONY: check lint\n\ncheck:\n\tpytest\n\nlint:\n\truff check .\n"),
        "Makefile",
        "lint:",
    ),
    Case(
        "QK-MK-001",
        {**makefile("docs:\n\tsphinx-build docs docs/_build\n"), "docs/index.rst": "Hi\n"},
        {**makefile(".PHONY: docs\ndocs:\n\tsphinx-build docs docs/_build\n")},
        "Makefile",
        "docs:",
        name="QK-MK-001-directory",
    ),
    Case(
        "QK-MK-001",
        # .PHONY lists written over continuation lines, and in an included file.
        {
            **makefile("include common.mk\n.PHONY: a \\\n\tb\na:\n\techo a\nb:\n\techo b\nc: a\n"),
            "common.mk": ".PHONY: d\nd:\n\techo d\n",
        },
        {
            **makefile("include common.mk\n.PHONY: a \\\n\tb\na:\n\techo a\nb:\n\techo b\n"),
            "common.mk": ".PHONY: d\nd:\n\techo d\n",
        },
        "Makefile",
        "c:",
        name="QK-MK-001-continued-and-included",
    ),
    Case("QK-MK-002", makefile(INDIRECT), makefile(DIRECT), "Makefile", "$(MAKE)"),
    Case(
        "QK-MK-002",
        makefile(
            INDIRECT.replace("$(MAKE) pytest-core", "$(MAKE) -C . --no-print-directory pytest-core")
        ),
        makefile(DIRECT),
        "Makefile",
        "$(MAKE)",
        name="QK-MK-002-same-directory",
    ),
    Case(
        "QK-MK-003",
        {**makefile(".PHONY: test\ntest:\n\tpytest\n"), **pyproject(REQUIRED)},
        {
            **makefile(".PHONY: quality test\nquality: test\ntest:\n\tpytest\n"),
            **pyproject(REQUIRED),
        },
        "Makefile",
        None,
    ),
    Case(
        "QK-MK-003",
        pyproject(REQUIRED),
        {
            **makefile(".PHONY: quality test\nquality: test\ntest:\n\tpytest\n"),
            **pyproject(REQUIRED),
        },
        "pyproject.toml",
        "required",
        name="QK-MK-003-no-makefile",
    ),
)

SPHINX = """SPHINXBUILD ?= sphinx-build
ifeq ($(shell which $(SPHINXBUILD) >/dev/null 2>&1; echo $$?), 1)
$(error The '$(SPHINXBUILD)' command was not found, see http://sphinx-doc.org/)
endif

.PHONY: help Makefile

help:
\t@$(SPHINXBUILD) -M help . _build

# Catch-all target: route all unknown targets to Sphinx using the new "make mode" option.
%: Makefile
\t@$(SPHINXBUILD) -M $@ . _build $(SPHINXOPTS)
"""
CLEAN: dict[str, dict[str, str]] = {
    "sphinx-catch-all-and-error-with-url": {"docs/Makefile": SPHINX},
    "file-targets": {
        **makefile(
            ".PHONY: all\nall: build/out.txt dist venv LICENSE\n"
            "build/out.txt: src.txt\n\tcp src.txt build/out.txt\n"
            "dist:\n\tmkdir -p $@\n"
            "venv:\n\tpython -m venv venv\n"
            "LICENSE:\n\tcurl -o LICENSE https://example.invalid/license\n"
            "$(STAMP):\n\ttouch $(STAMP)\n"
        ),
        "LICENSE": "MIT\n",
        "src.txt": "x\n",
    },
    "target-variable-define-and-conditional-recipe": makefile(
        ".PHONY: test\ntest: PYTEST_ARGS = -x\n"
        "define HELP\nnot-a-target:\n\techo no\nendef\n"
        "test:\nifdef CI\n\tpytest $(PYTEST_ARGS) --ci\nelse\n\tpytest $(PYTEST_ARGS)\nendif\n"
    ),
    "make-calls-that-are-no-indirection": makefile(
        ".PHONY: all docs lint release\n"
        "all:\n\t$(MAKE) lint\n\t$(MAKE) -C docs html SPHINXOPTS=-W\n"
        "\t$(MAKE) -f other.mk lint X=1\n"
        "release:\n\t$(MAKE) publish VERSION=1\n"
        "lint:\n\truff check .\n"
    ),
    "force-idiom": makefile("out.txt: FORCE\n\tdate > out.txt\nFORCE:\n"),
    "no-required-targets-configured": makefile(".PHONY: x\nx:\n\techo x\n"),
}


def scan(root: Path) -> PolicyReport:
    """The policy with the repository's own ``[tool.qualitykit.policy]``, as the CLI reads it."""
    project = PolicyProject.load(root)
    config = parse_policy(project.table("tool", "qualitykit", "policy"))
    return run_policy(project, config)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_violation_is_red_naming_rule_file_and_line(tmp_path: Path, case: Case) -> None:
    write_repo(tmp_path, case.red)
    line = line_of(case.red[case.file], case.marker)

    report = scan(tmp_path)

    assert [(f.rule, f.file, f.line) for f in report.findings] == [(case.rule, case.file, line)]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_fixed_version_is_green(tmp_path: Path, case: Case) -> None:
    write_repo(tmp_path, case.green)

    assert scan(tmp_path).findings == ()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_reasoned_allow_is_green(tmp_path: Path, case: Case) -> None:
    line = line_of(case.red[case.file], case.marker)
    write_repo(tmp_path, {**case.red, case.file: with_allow(case.red[case.file], line, case.rule)})

    assert scan(tmp_path).findings == ()


@pytest.mark.parametrize("shape", list(CLEAN))
def test_real_world_shapes_are_green(tmp_path: Path, shape: str) -> None:
    write_repo(tmp_path, CLEAN[shape])

    assert scan(tmp_path).findings == ()


def test_messages_say_why_and_what_to_call(tmp_path: Path) -> None:
    """The .PHONY message names the directory that hides the target; the indirection message
    names the recipe to call instead; the required-target message names the target."""
    write_repo(
        tmp_path,
        {
            **makefile(INDIRECT + "tests:\n\tpytest\n"),
            "tests/test_x.py": "def test_x() -> None:\n    assert True\n",
            **pyproject(REQUIRED),
        },
    )

    messages = {f.rule: f.message for f in scan(tmp_path).findings}

    assert "the directory `tests/` exists" in messages["QK-MK-001"]
    assert messages["QK-MK-002"] == (
        "`$(MAKE) pytest-core PYARGS=tests/unit` re-runs make for `pytest-core` of this "
        "Makefile with PYARGS=tests/unit; call its recipe directly: "
        "`$(RUN) pytest $(PYTEST_BASE) $(PYARGS)`"
    )
    assert messages["QK-MK-003"] == "required target `test` is missing from Makefile"


def test_bad_required_option_is_one_line_and_exit_2(repo: Repo) -> None:
    repo.configure('[tool.qualitykit.policy.rules.QK-MK-003]\nrequired = "quality"\n')

    done = repo.qualitykit("policy")

    assert done.returncode == 2, done.stdout
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "rules.QK-MK-003.required" in done.stderr
