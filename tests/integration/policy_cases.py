"""The gate-integrity cases: for each rule, a violation, the same without it, and where it is.

Each :class:`Case` is a set of files written into a fresh git repository. ``red`` breaks
exactly the rule (every other rule stays quiet); ``green`` is the fixed version; ``marker``
names the text of the offending line (None: the file's first line, or the line below a
shebang). A :class:`BaseCase` also has the files committed on ``main`` before the change.
"""

from __future__ import annotations

import subprocess
import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qualitykit.policy.config import PolicyConfig
from qualitykit.policy.engine import run_policy
from qualitykit.policy.project import PolicyProject

if TYPE_CHECKING:
    from pathlib import Path

    from qualitykit.policy.findings import PolicyReport

MAKE_HEAD = "SHELL := bash\n.SHELLFLAGS := -eu -o pipefail -c\n\n.PHONY: check\n\ncheck:\n"
BASH = "#!/usr/bin/env bash\nset -euo pipefail\n"
CI_SCRIPT = ".ci/check.sh"
WORKFLOW = ".github/workflows/ci.yml"
PRE_COMMIT = ".pre-commit-config.yaml"


def make(*recipe: str, head: str = MAKE_HEAD) -> dict[str, str]:
    """A Makefile whose ``check`` target runs ``recipe``."""
    return {"Makefile": head + "".join(f"\t{line}\n" for line in recipe)}


def script(*lines: str, head: str = BASH) -> dict[str, str]:
    """A CI shell script (under .ci/, so the gate runs it)."""
    return {CI_SCRIPT: head + "".join(f"{line}\n" for line in lines)}


def workflow(*run: str, step: str = "", job: str = "") -> dict[str, str]:
    """A workflow with one job and one step running ``run`` (one line each)."""
    body = "".join(f"          {line}\n" for line in run)
    text = (
        "name: ci\non: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n"
        f"{job}    steps:\n      - name: Test\n{step}        run: |\n{body}"
    )
    return {WORKFLOW: text}


def pre_commit(hook_extra: str = "", top: str = "") -> dict[str, str]:
    """A pre-commit config with one local hook."""
    text = (
        f"{top}repos:\n  - repo: local\n    hooks:\n      - id: lint\n        name: lint\n"
        f"        entry: ruff check\n        language: system\n{hook_extra}"
    )
    return {PRE_COMMIT: text}


def pyproject(extra: str) -> dict[str, str]:
    """A pyproject.toml with ``extra`` tables."""
    return {"pyproject.toml": '[project]\nname = "x"\nversion = "0"\n\n' + textwrap.dedent(extra)}


@dataclass(frozen=True)
class Case:
    """One rule's violation (``red``) and its fix (``green``)."""

    rule: str
    red: dict[str, str]
    green: dict[str, str]
    file: str
    marker: str | None
    allowable: bool = True
    name: str = ""

    @property
    def id(self) -> str:
        """The pytest id."""
        return self.name or self.rule


@dataclass(frozen=True)
class BaseCase:
    """A change on a branch (``red``) from ``base``, and a change that keeps the gate's teeth."""

    rule: str
    base: dict[str, str]
    red: dict[str, str]
    green: dict[str, str]
    file: str
    marker: str | None
    name: str = ""
    says: tuple[str, ...] = field(default_factory=tuple[str, ...])

    @property
    def id(self) -> str:
        """The pytest id."""
        return self.name or self.rule


def scan(root: Path, config: PolicyConfig | None = None) -> PolicyReport:
    """The policy ``config`` (every default rule when None) over the repository at ``root``."""
    return run_policy(PolicyProject.load(root), config or PolicyConfig())


def where(report: PolicyReport) -> set[tuple[str, str, int]]:
    """(rule, file, line) of each finding: what a test asserts on, one helper for every family."""
    return {(finding.rule, finding.file, finding.line) for finding in report.findings}


def line_of(text: str, marker: str | None) -> int:
    """The 1-based line holding ``marker`` (the file-level line when None)."""
    lines = text.splitlines()
    if marker is None:
        return 2 if lines and lines[0].startswith("#!") else 1
    return next(number for number, line in enumerate(lines, 1) if marker in line)


def with_allow(text: str, line: int, rule: str) -> str:
    """``text`` with a reasoned allow for ``rule`` on a comment line above ``line``."""
    lines = text.splitlines(keepends=True)
    target = lines[line - 1] if line <= len(lines) else ""
    indent = target[: len(target) - len(target.lstrip())]
    allow = f"{indent}# qualitykit: allow[{rule}] the test says why this one is fine\n"
    return "".join([*lines[: line - 1], allow, *lines[line - 1 :]])


def write_repo(root: Path, files: dict[str, str]) -> None:
    """A git repository at ``root`` holding ``files`` (untracked: the policy reads them too)."""
    root.mkdir(parents=True, exist_ok=True)
    if not (root / ".git").exists():
        git(root, "init", "-q", "-b", "main")
        git(root, "config", "user.email", "test@example.invalid")
        git(root, "config", "user.name", "qualitykit tests")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def git(root: Path, *args: str) -> str:
    """Run git in ``root``; its stdout."""
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout


CASES: tuple[Case, ...] = (
    Case(
        "QK-INT-001",
        {"Makefile": ".PHONY: check\ncheck:\n\tpytest | tee log\n"},
        make("pytest | tee log"),
        "Makefile",
        None,
    ),
    Case(
        "QK-INT-001",
        {"Makefile": "SHELL := /bin/sh\n.PHONY: check\ncheck:\n\tpytest; echo done\n"},
        make("pytest; echo done"),
        "Makefile",
        "SHELL :=",
        name="QK-INT-001-sh",
    ),
    Case(
        "QK-INT-002",
        {"Makefile": "SHELL := bash\n.PHONY: check\ncheck:\n\tpytest | tee log\n"},
        make("pytest | tee log"),
        "Makefile",
        "SHELL :=",
    ),
    Case(
        "QK-INT-002",
        make("pytest | tee log", head=MAKE_HEAD.replace("-eu -o pipefail", "-e")),
        make("pytest | tee log"),
        "Makefile",
        ".SHELLFLAGS",
        name="QK-INT-002-flags",
    ),
    Case("QK-INT-003", make("-pytest"), make("pytest"), "Makefile", "-pytest"),
    Case(
        "QK-INT-003",
        make("@-ruff check ."),
        make("@ruff check ."),
        "Makefile",
        "@-ruff",
        name="QK-INT-003-silent",
    ),
    Case(
        "QK-INT-004",
        {"Makefile": MAKE_HEAD + "\tpytest\n\n.IGNORE: check\n"},
        make("pytest"),
        "Makefile",
        ".IGNORE",
    ),
    Case("QK-INT-005", make("$(MAKE) -i lint"), make("$(MAKE) lint"), "Makefile", "-i lint"),
    Case(
        "QK-INT-005",
        {"Makefile": "MAKEFLAGS += -i\n" + MAKE_HEAD + "\tpytest\n"},
        make("pytest"),
        "Makefile",
        "MAKEFLAGS",
        name="QK-INT-005-makeflags",
    ),
    Case("QK-INT-010", make("pytest || true"), make("pytest"), "Makefile", "|| true"),
    Case(
        "QK-INT-010",
        script("mypy src || :"),
        script("mypy src"),
        CI_SCRIPT,
        "|| :",
        name="QK-INT-010-colon",
    ),
    Case("QK-INT-011", script("pytest || exit 0"), script("pytest || exit 1"), CI_SCRIPT, "exit 0"),
    Case(
        "QK-INT-013",
        script("set +e", "pytest"),
        script("set +e", "pytest", "status=$?", "set -e", 'exit "$status"'),
        CI_SCRIPT,
        "set +e",
    ),
    Case(
        "QK-INT-013",
        {
            "tox.ini": "[testenv:tz]\ncommands = {toxinidir}/ci_tools/tz.sh\n",
            "ci_tools/tz.sh": BASH + "set +e\nmake tarballs\nset -e\n",
        },
        {
            "tox.ini": "[testenv:tz]\ncommands = {toxinidir}/ci_tools/tz.sh\n",
            "ci_tools/tz.sh": BASH + "make tarballs\n",
        },
        "ci_tools/tz.sh",
        "set +e",
        name="QK-INT-013-named-by-tox",
    ),
    Case("QK-INT-014", script("set +o pipefail", "pytest"), script("pytest"), CI_SCRIPT, "set +o"),
    Case(
        "QK-INT-015",
        workflow("ruff check --exit-zero ."),
        workflow("ruff check ."),
        WORKFLOW,
        "--exit-zero",
    ),
    Case(
        "QK-INT-015",
        pyproject('[tool.qualitykit.steps.ruff-lint]\nargs = ["--exit-zero"]\n'),
        pyproject('[tool.qualitykit.steps.ruff-lint]\nargs = ["--select", "E"]\n'),
        "pyproject.toml",
        "args",
        name="QK-INT-015-step-args",
    ),
    Case(
        "QK-INT-010",
        pyproject(
            '[tool.qualitykit.commands.docs]\ncommand = ["bash", "-c", "make docs || true"]\n'
        ),
        pyproject('[tool.qualitykit.commands.docs]\ncommand = ["make", "docs"]\n'),
        "pyproject.toml",
        "command =",
        name="QK-INT-010-command-step",
    ),
    Case(
        "QK-INT-016",
        make("git commit --no-verify -m release"),
        make("git commit -m release"),
        "Makefile",
        "--no-verify",
    ),
    Case(
        "QK-INT-016",
        script("git commit -n -m wip"),
        script("git commit -m wip"),
        CI_SCRIPT,
        "commit -n",
        name="QK-INT-016-n",
    ),
    Case(
        "QK-INT-017",
        workflow("SKIP=mypy pre-commit run --all-files"),
        workflow("pre-commit run --all-files"),
        WORKFLOW,
        "SKIP=",
    ),
    Case(
        "QK-INT-018",
        script("pytest || echo 'tests failed'"),
        script("pytest || { echo 'tests failed'; exit 1; }"),
        CI_SCRIPT,
        "pytest ||",
    ),
    Case(
        "QK-INT-018",
        make("uv run --frozen pytest -q || echo 'tests failed'"),
        make("uv run --frozen pytest -q"),
        "Makefile",
        "pytest",
        name="QK-INT-018-runner",
    ),
    Case(
        "QK-INT-021",
        script("python -m mypy src || { echo 'types failed'; exit 0; }"),
        script("python -m mypy src || { echo 'types failed'; exit 1; }"),
        CI_SCRIPT,
        "mypy",
        name="QK-INT-021-brace",
    ),
    Case(
        "QK-INT-019",
        make("pytest --cov-fail-under=0"),
        make("pytest --cov-fail-under=90"),
        "Makefile",
        "fail-under",
    ),
    Case(
        "QK-INT-020",
        workflow("pytest --continue-on-collection-errors"),
        workflow("pytest"),
        WORKFLOW,
        "--continue",
    ),
    Case(
        "QK-INT-021",
        script("if ! pytest; then", "  echo 'tests failed'", "  exit 0", "fi"),
        script("if ! pytest; then", "  echo 'tests failed'", "  exit 1", "fi"),
        CI_SCRIPT,
        "exit 0",
    ),
    Case(
        "QK-INT-021",
        workflow("if pytest; then", "  echo ok", "else", "  exit 0", "fi"),
        workflow("if pytest; then", "  echo ok", "else", "  exit 1", "fi"),
        WORKFLOW,
        "exit 0",
        name="QK-INT-021-else",
    ),
    Case(
        "QK-INT-023",
        script("pytest", "echo done", head="#!/usr/bin/env bash\n"),
        script("pytest", "echo done"),
        CI_SCRIPT,
        None,
    ),
    Case(
        "QK-INT-024",
        script("pytest | tee log", head="#!/usr/bin/env bash\nset -e\n"),
        script("pytest | tee log"),
        CI_SCRIPT,
        "| tee",
    ),
    Case(
        "QK-INT-030",
        workflow("pytest", step="        continue-on-error: true\n"),
        workflow("pytest"),
        WORKFLOW,
        "continue-on-error",
    ),
    Case(
        "QK-INT-031",
        workflow("pytest", job="    if: false\n"),
        workflow("pytest"),
        WORKFLOW,
        "if: false",
    ),
    Case(
        "QK-INT-032",
        workflow("pytest", step="        shell: bash {0}\n"),
        workflow("pytest", step="        shell: bash\n"),
        WORKFLOW,
        "shell:",
    ),
    Case(
        "QK-INT-033",
        workflow("pytest | tee log"),
        workflow("pytest | tee log", step="        shell: bash\n"),
        WORKFLOW,
        "| tee",
    ),
    Case(
        "QK-INT-040",
        pre_commit("        exclude: '.*'\n"),
        pre_commit("        exclude: '^vendor/'\n"),
        PRE_COMMIT,
        "exclude",
    ),
    Case(
        "QK-INT-041",
        pre_commit("        stages: [manual]\n"),
        pre_commit("        stages: [pre-commit]\n"),
        PRE_COMMIT,
        "stages",
    ),
    Case("QK-INT-042", pre_commit(top="ci:\n  skip: [lint]\n"), pre_commit(), PRE_COMMIT, "skip"),
    Case(
        "QK-INT-050",
        pyproject('[tool.pytest.ini_options]\naddopts = "-ra --continue-on-collection-errors"\n'),
        pyproject('[tool.pytest.ini_options]\naddopts = "-ra"\n'),
        "pyproject.toml",
        "addopts",
    ),
    Case(
        "QK-INT-051",
        pyproject("[tool.mypy]\nstrict = true\nignore_errors = true\n"),
        pyproject("[tool.mypy]\nstrict = true\n"),
        "pyproject.toml",
        "ignore_errors",
    ),
    Case(
        "QK-INT-052",
        pyproject('[tool.ruff.lint]\nselect = ["E"]\nignore = ["ALL"]\n'),
        pyproject('[tool.ruff.lint]\nselect = ["E"]\nignore = ["E501"]\n'),
        "pyproject.toml",
        "ignore",
    ),
    Case(
        "QK-INT-052",
        pyproject('[tool.ruff.lint.per-file-ignores]\n"tests/**" = ["ALL"]\n'),
        pyproject('[tool.ruff.lint.per-file-ignores]\n"tests/**" = ["S101"]\n'),
        "pyproject.toml",
        "tests/**",
        name="QK-INT-052-per-file",
    ),
    Case(
        "QK-INT-053",
        pyproject('[tool.pyright]\ntypeCheckingMode = "off"\n'),
        pyproject('[tool.pyright]\ntypeCheckingMode = "strict"\n'),
        "pyproject.toml",
        "typeCheckingMode",
    ),
    Case(
        "QK-POL-001",
        make("pytest  # qualitykit: allow[QK-INT-010]"),
        make("pytest  # qualitykit: allow[QK-INT-010] nothing to allow, but a reason"),
        "Makefile",
        "allow",
        allowable=False,
    ),
    Case(
        "QK-POL-002",
        {"src/app.py": "x = 1  # qualitykit: allow[QK-INT-999] a typo in the id\n"},
        {"src/app.py": "x = 1  # qualitykit: allow[QK-INT-070] a real id\n"},
        "src/app.py",
        "allow",
        allowable=False,
    ),
)

COVERAGE = "[tool.qualitykit.coverage]\nfloor = {floor}\ntolerance = {tolerance}\n"
HOOKS = (
    "repos:\n  - repo: local\n    hooks:\n"
    "      - id: lint\n        name: lint\n        entry: ruff check\n        language: system\n"
    "      - id: types\n        name: types\n        entry: mypy\n        language: system\n"
)
JOBS = (
    "name: ci\non: push\njobs:\n"
    "  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make test\n"
    "  lint:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make lint\n"
)
RUFF_ALL = '[tool.ruff.lint]\nselect = ["ALL"]\n\n[tool.ruff.lint.per-file-ignores]\n'
MODULE = "import os\n\n\ndef f() -> int:\n    return 1\n"

BASE_CASES: tuple[BaseCase, ...] = (
    BaseCase(
        "QK-INT-060",
        pyproject('[tool.qualitykit]\ngate = ["ruff-lint", "mypy"]\n'),
        pyproject('[tool.qualitykit]\ngate = ["ruff-lint"]\n'),
        pyproject('[tool.qualitykit]\ngate = ["ruff-lint", "mypy", "pyright"]\n'),
        "pyproject.toml",
        "gate",
        says=("'mypy' removed",),
    ),
    BaseCase(
        "QK-INT-060",
        pyproject("[tool.qualitykit.policy]\ndisable = []\n"),
        pyproject('[tool.qualitykit.policy]\ndisable = ["QK-INT-010"]\n'),
        pyproject("[tool.qualitykit.policy]\ndisable = []\n"),
        "pyproject.toml",
        "disable",
        name="QK-INT-060-policy",
        says=("'QK-INT-010' disabled",),
    ),
    BaseCase(
        "QK-INT-061",
        {WORKFLOW: JOBS},
        {
            WORKFLOW: JOBS.split("  lint:", maxsplit=1)[0].replace(
                "      - run: make test\n", "      - run: make test\n      - run: make lint\n"
            )
        },
        {WORKFLOW: JOBS.replace("make lint", "make lint typecheck")},
        WORKFLOW,
        None,
        says=("job 'lint' removed",),
    ),
    BaseCase(
        "QK-INT-062",
        {PRE_COMMIT: HOOKS, **make("mypy src")},
        {PRE_COMMIT: HOOKS.split("      - id: types", maxsplit=1)[0], **make("mypy src")},
        {PRE_COMMIT: HOOKS.replace("entry: mypy", "entry: mypy --strict"), **make("mypy src")},
        PRE_COMMIT,
        None,
        says=("hook 'types' removed",),
    ),
    BaseCase(
        "QK-INT-068",
        workflow("ruff check .", "pytest -q"),
        workflow("ruff check ."),
        {**workflow("ruff check .", "make test"), **make("pytest -q -n 2")},
        WORKFLOW,
        None,
        says=(
            "`pytest` no longer runs anywhere (it ran as `pytest -q` in .github/workflows/ci.yml:",
        ),
    ),
    BaseCase(
        "QK-INT-068",
        make("ruff check .", "ruff format --check ."),
        make("ruff check ."),
        make("ruff check --no-fix .", "ruff format --check --diff ."),
        "Makefile",
        None,
        name="QK-INT-068-subcommand",
        says=("`ruff format` no longer runs anywhere",),
    ),
    BaseCase(
        "QK-INT-063",
        pyproject(COVERAGE.format(floor=90, tolerance=0.5)),
        pyproject(COVERAGE.format(floor=80, tolerance=0.5)),
        pyproject(COVERAGE.format(floor=95, tolerance=0.5)),
        "pyproject.toml",
        "floor",
        says=("floor: 90 → 80",),
    ),
    BaseCase(
        "QK-INT-063",
        pyproject(COVERAGE.format(floor=90, tolerance=0.5)),
        pyproject(COVERAGE.format(floor=90, tolerance=2)),
        pyproject(COVERAGE.format(floor=90, tolerance=0.1)),
        "pyproject.toml",
        "tolerance",
        name="QK-INT-063-tolerance",
        says=("tolerance: 0.5 → 2",),
    ),
    BaseCase(
        "QK-INT-064",
        pyproject("[tool.qualitykit.mutation]\nthreshold = 80\n"),
        pyproject("[tool.qualitykit.mutation]\nthreshold = 60\n"),
        pyproject("[tool.qualitykit.mutation]\nthreshold = 85\n"),
        "pyproject.toml",
        "threshold",
        says=("threshold: 80 → 60",),
    ),
    BaseCase(
        "QK-INT-065",
        pyproject('[tool.ruff.lint]\nselect = ["E", "D"]\nignore = ["D203"]\n'),
        pyproject('[tool.ruff.lint]\nselect = ["E", "D"]\nignore = ["D203", "E501"]\n'),
        # Ignoring what was never selected is no weakening (DTZ is not D, BLE is not B).
        pyproject('[tool.ruff.lint]\nselect = ["E", "D"]\nignore = ["D203", "DTZ001", "BLE001"]\n'),
        "pyproject.toml",
        "ignore",
        says=("grew by ['E501']",),
    ),
    BaseCase(
        # Regression: without `select` ruff runs its default set, which grew with ruff 0.16
        # (BLE001 among some 400 rules); the old check assumed E4/E7/E9/F and let this pass.
        "QK-INT-065",
        pyproject('[tool.ruff.lint]\nignore = ["D203"]\n'),
        pyproject('[tool.ruff.lint]\nignore = ["D203", "BLE001"]\n'),
        pyproject('[tool.ruff]\nline-length = 100\n[tool.ruff.lint]\nignore = ["D203"]\n'),
        "pyproject.toml",
        "ignore",
        name="QK-INT-065-default-select",
        says=("grew by ['BLE001']",),
    ),
    BaseCase(
        "QK-INT-065",
        pyproject(RUFF_ALL + '"tests/**" = ["S101"]\n'),
        pyproject(RUFF_ALL + '"tests/**" = ["S101", "ANN"]\n'),
        pyproject(RUFF_ALL + '"tests/**" = ["S101"]\n"docs/**" = []\n'),
        "pyproject.toml",
        "tests/**",
        name="QK-INT-065-per-file",
        says=("grew by ['ANN']",),
    ),
    BaseCase(
        "QK-INT-066",
        pyproject("[tool.mypy]\nstrict = true\n"),
        pyproject("[tool.mypy]\nstrict = false\n"),
        pyproject("[tool.mypy]\nstrict = true\nwarn_unreachable = true\n"),
        "pyproject.toml",
        "strict",
        says=("strict: true → False",),
    ),
    BaseCase(
        "QK-INT-066",
        pyproject("[tool.mypy]\nstrict = true\n"),
        pyproject(
            '[tool.mypy]\nstrict = true\n\n[[tool.mypy.overrides]]\nmodule = "pkg.legacy"\n'
            "ignore_errors = true\n"
        ),
        pyproject(
            '[tool.mypy]\nstrict = true\n\n[[tool.mypy.overrides]]\nmodule = "pkg.legacy"\n'
            "warn_return_any = true\n"
        ),
        "pyproject.toml",
        "ignore_errors",
        name="QK-INT-066-overrides",
        says=("grew by ['pkg.legacy']",),
    ),
    BaseCase(
        "QK-INT-067",
        pyproject('[tool.pyright]\ntypeCheckingMode = "strict"\n'),
        pyproject('[tool.pyright]\ntypeCheckingMode = "strict"\nreportUnusedImport = "none"\n'),
        pyproject('[tool.pyright]\ntypeCheckingMode = "strict"\nreportUnusedImport = "error"\n'),
        "pyproject.toml",
        "reportUnusedImport",
        says=("reportUnusedImport: the mode's default → 'none'",),
    ),
    BaseCase(
        "QK-INT-070",
        {"src/m.py": MODULE},
        {"src/m.py": MODULE.replace("import os", "import os  # noqa: F401")},
        {"src/m.py": MODULE.replace("import os\n", "")},
        "src/m.py",
        "noqa",
        says=("0 → 1",),
    ),
    BaseCase(
        "QK-INT-071",
        {"src/m.py": MODULE},
        {"src/m.py": MODULE.replace("return 1", 'return "1"  # type: ignore[return-value]')},
        {"src/m.py": MODULE.replace("return 1", "return 2")},
        "src/m.py",
        "type: ignore",
        says=("`# type: ignore` in src/m.py: 0 → 1",),
    ),
    BaseCase(
        "QK-INT-072",
        {"src/m.py": MODULE},
        {"src/m.py": MODULE.replace("return 1", "return 1  # pyright: ignore[reportReturnType]")},
        {"src/m.py": MODULE.replace("return 1", "return 3")},
        "src/m.py",
        "pyright: ignore",
        says=("0 → 1",),
    ),
    BaseCase(
        "QK-INT-073",
        {"src/m.py": MODULE},
        {"src/m.py": MODULE.replace("def f() -> int:", "def f() -> int:  # pragma: no cover")},
        {"src/m.py": MODULE.replace("return 1", "return 4")},
        "src/m.py",
        "pragma",
        says=("0 → 1",),
    ),
    BaseCase(
        "QK-INT-074",
        {"tests/test_m.py": "def test_m() -> None:\n    assert True\n"},
        {
            "tests/test_m.py": (
                "import pytest\n\n\n@pytest.mark.skip(reason='flaky')\n"
                "def test_m() -> None:\n    assert True\n"
            )
        },
        {"tests/test_m.py": "def test_m() -> None:\n    assert 1 == 1\n"},
        "tests/test_m.py",
        "mark.skip",
        says=("0 → 1",),
    ),
)

# Real-world shapes that keep the gate's teeth: none may be reported (false-positive guards).
RETRY_SH = """#!/usr/bin/env bash
sleep_time=60
for i in `seq 1 5`; do
    "$@" && exit 0
    sleep $sleep_time
done

exit 1
"""
SPHINX_MAKEFILE = """SPHINXBUILD = sphinx-build

.PHONY: html
html:
\t$(SPHINXBUILD) -b html . _build/html
\t@echo "Build finished; the HTML pages are in _build/html."
"""
CLEAN_SHAPES: dict[str, dict[str, str]] = {
    "retry-wrapper-without-set-e": {
        "ci_tools/retry.sh": RETRY_SH,
        WORKFLOW: workflow("./ci_tools/retry.sh python update.py")[WORKFLOW],
    },
    "sphinx-makefile-quoted-semicolon": {"docs/Makefile": SPHINX_MAKEFILE},
    "status-captured-after-set-plus-e": script(
        "set +e", "pytest", "status=$?", "set -e", 'exit "$status"'
    ),
    "probe-with-fallback": script("command -v ruff || pip install ruff", "ruff check ."),
    "exit-0-in-a-non-failure-branch": script(
        "if [ -f done.flag ]; then", "  exit 0", "fi", "pytest"
    ),
    "check-as-last-command-of-a-plain-script": script("echo start", "pytest", head="#!/bin/sh\n"),
    "exit-1-in-failure-branch": script("if ! pytest; then", "  exit 1", "fi"),
    "workflow-bash-pipe": workflow("pytest | tee log", step="        shell: bash\n"),
    "hook-excludes-some": pre_commit("        exclude: '^(docs|vendor)/'\n"),
    "manual-hook-run-by-ci": {
        **pre_commit("        stages: [manual]\n"),
        **workflow("pre-commit run --all-files --hook-stage manual"),
    },
    "commit-message-mentions-a-flag": script('git commit -m "docs: explain -n and --no-verify"'),
    "install-fallback-names-a-tool": script("pip install ruff || pip install --user ruff"),
    "housekeeping-or-true": make("rm -f .coverage || true", "pytest"),
    "github-expression-or": workflow("pytest ${{ inputs.args || '' }}"),
    "negated-non-check-exit-0": script("if ! git diff --quiet; then", "  exit 0", "fi", "pytest"),
    "quoted-pipe-and-semicolon": make("echo 'pytest | tee; done'"),
}
