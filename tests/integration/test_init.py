"""``qualitykit init`` on real git repositories made in tmp_path: what it writes, and what not.

A "legacy" project here has its own Makefile, pre-commit config, ruff settings and tests, and
has never seen qualitykit. init must keep every line of it, be idempotent, show a dry run as a
diff without writing, stop on a conflict or a malformed file with one line naming it, and
write all of its files or none.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path

LEGACY_PYPROJECT = """\
[project]
name = "legacy"
version = "1.0"
requires-python = ">=3.11"
optional-dependencies = { test = ["pytest"] }

# the project's own lint settings
[tool.ruff]
line-length = 88

[tool.pytest.ini_options]
testpaths = ["tests"]
"""
LEGACY_MAKEFILE = "# the project's Makefile\nall: build\n\nbuild:\n\t@echo building\n"
LEGACY_PRECOMMIT = """\
repos:
-   repo: local
    hooks:
    -   id: lint   # the project's own
        name: lint
        entry: true
        language: system
"""
OURS = (
    "qualitykit.mk",
    ".bake.toml",
    ".gitignore",
    ".github/workflows/quality.yml",
    ".github/workflows/mutation.yml",
    "tests/regression/README.md",
    ".dev-guidelines/QUALITY.md",
    ".dev-guidelines/TESTING.md",
)


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout


def _init(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [sys.executable, "-m", "qualitykit", "init", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _snapshot(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    """A project that has never seen qualitykit, committed."""
    root = tmp_path / "legacy"
    files = {
        "pyproject.toml": LEGACY_PYPROJECT,
        "Makefile": LEGACY_MAKEFILE,
        ".pre-commit-config.yaml": LEGACY_PRECOMMIT,
        "legacy/__init__.py": '"""Legacy."""\n\n\ndef add(a, b):\n    return a + b\n',
        "tests/test_add.py": (
            "from legacy import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"
        ),
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "legacy")
    return root


def test_init_keeps_every_user_line_and_a_second_init_changes_nothing(legacy: Path) -> None:
    run = _init(legacy)

    assert run.returncode == 0, run.stdout + run.stderr
    assert "init: found layout: flat; source: legacy" in run.stdout
    assert "ruff (pyproject.toml)" in run.stdout
    for name, before in (
        ("pyproject.toml", LEGACY_PYPROJECT),
        ("Makefile", LEGACY_MAKEFILE),
    ):
        assert (legacy / name).read_text(encoding="utf-8").startswith(before), name
    precommit = (legacy / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert precommit.startswith(LEGACY_PRECOMMIT)
    assert "id: qualitykit-policy" in precommit
    for name in OURS:
        assert (legacy / name).is_file(), name
    assert "include qualitykit.mk" in (legacy / "Makefile").read_text(encoding="utf-8")
    assert _git(legacy, "diff", "--stat", "--", "legacy", "tests/test_add.py") == ""

    written = _snapshot(legacy)
    again = _init(legacy)

    assert again.returncode == 0, again.stdout + again.stderr
    assert "init: nothing to change (already adopted)" in again.stdout
    assert _snapshot(legacy) == written


def test_dry_run_prints_every_change_as_a_diff_and_writes_nothing(legacy: Path) -> None:
    before = _snapshot(legacy)

    run = _init(legacy, "--dry-run")

    assert run.returncode == 0, run.stderr
    assert _snapshot(legacy) == before
    for name in (*OURS, "pyproject.toml", "Makefile", ".pre-commit-config.yaml"):
        assert f"+++ b/{name}\n" in run.stdout, name
    assert "+include qualitykit.mk\n" in run.stdout
    assert "+[tool.qualitykit]\n" in run.stdout


def test_the_written_files_pass_the_gates_own_checks(legacy: Path) -> None:
    """The Makefile, workflows and hooks init writes pass makefile, actionlint, zizmor, policy."""
    assert _init(legacy).returncode == 0
    for step in ("makefile", "actionlint", "zizmor"):
        run = subprocess.run(
            [sys.executable, "-m", "qualitykit", "check", step, "--json"],
            cwd=legacy,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert run.returncode in {0, 1}, run.stderr
        result = json.loads(run.stdout)
        ours = [f for f in result["findings"] if f["file"] in {"qualitykit.mk", *OURS}]
        assert result["status"] in {"pass", "fail"}, result["summary"]
        assert not ours, ours
        if step != "makefile":  # the project's own Makefile may not be mbake-formatted
            assert result["status"] == "pass", result["findings"]
    made = subprocess.run(
        ["make", "-n", "quality"], cwd=legacy, capture_output=True, text=True, check=False
    )
    assert made.returncode == 0, made.stderr
    assert "qualitykit gate" in made.stdout


def test_a_quality_target_of_the_project_is_a_conflict_and_nothing_is_written(
    legacy: Path,
) -> None:
    (legacy / "Makefile").write_text(LEGACY_MAKEFILE + "\nquality:\n\t@echo mine\n")
    before = _snapshot(legacy)

    run = _init(legacy)

    assert run.returncode == 2
    assert run.stderr.startswith("qualitykit: error: Makefile:7: target 'quality' already exists")
    assert len(run.stderr.strip().splitlines()) == 1
    assert _snapshot(legacy) == before


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("pyproject.toml", '[project]\nname = "x\n', "pyproject.toml: invalid TOML"),
        (
            ".pre-commit-config.yaml",
            "repos:\n  - repo: local\n  hooks: [\n",
            ".pre-commit-config.yaml:",
        ),
        ("Makefile", "all:\n    echo spaces, not a tab\n", "Makefile:2: make cannot parse it"),
        ("setup.cfg", "[mypy\nstrict = 1\n", "setup.cfg:1: invalid INI"),
    ],
)
def test_a_malformed_file_exits_2_naming_it_and_nothing_is_written(
    legacy: Path, name: str, text: str, where: str
) -> None:
    (legacy / name).write_text(text, encoding="utf-8")
    before = _snapshot(legacy)

    run = _init(legacy)

    assert run.returncode == 2, run.stdout + run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert where in lines[0]
    assert "Traceback" not in run.stderr
    assert _snapshot(legacy) == before


def test_a_file_that_cannot_be_written_leaves_every_file_as_it_was(legacy: Path) -> None:
    """All or none: .github is a file, so the workflows cannot be written: nothing is."""
    (legacy / ".github").write_text("not a directory\n", encoding="utf-8")
    before = _snapshot(legacy)

    run = _init(legacy)

    assert run.returncode == 2, run.stdout + run.stderr
    assert ".github" in run.stderr
    assert _snapshot(legacy) == before
    assert not list(legacy.rglob("*.qk-init"))


def test_outside_a_git_repository_init_refuses(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")

    run = _init(tmp_path)

    assert run.returncode == 2
    assert "not a git repository" in run.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["pyproject.toml"]
