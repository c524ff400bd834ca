"""The gate-integrity cases against a base, and the shapes no rule may report.

``BASE_CASES`` break one rule against the ``main`` they branch from (files committed there,
then changed); ``CLEAN_SHAPES`` are real-world shapes that keep the gate's teeth
(false-positive guards). The cases on the files as they are live in ``integrity_cases``.
"""

from __future__ import annotations

import json

from integration.policy_cases import (
    PRE_COMMIT,
    WORKFLOW,
    BaseCase,
    make,
    pre_commit,
    pyproject,
    script,
    workflow,
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

BASELINE = "qualitykit-baseline.json"


def baseline_json(**sizes: int) -> str:
    """A baseline file with ``sizes[step]`` entries per step (``ruff_lint`` is ``ruff-lint``)."""

    def entry(step: str, n: int) -> dict[str, str]:
        return {
            "fingerprint": f"{n:032x}",
            "rule": f"{step}:X{n}",
            "file": "src/a.py",
            "code": f"x = {n}",
            "message": "m",
        }

    steps = {
        step.replace("_", "-"): [entry(step.replace("_", "-"), n) for n in range(count)]
        for step, count in sizes.items()
    }
    return json.dumps({"version": 1, "steps": steps}, indent=2) + "\n"


BASE_CASES: tuple[BaseCase, ...] = (
    BaseCase(
        "QK-INT-069",
        {**pyproject(""), BASELINE: baseline_json(ruff_lint=2, mypy=1)},
        {**pyproject(""), BASELINE: baseline_json(ruff_lint=3, mypy=1)},
        {**pyproject(""), BASELINE: baseline_json(ruff_lint=1)},
        BASELINE,
        '"ruff-lint"',
        says=("ruff-lint: 2 → 3 entries",),
        allowable=False,  # JSON holds no comment: the baseline only shrinks
    ),
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
