"""Regression: a check step never rewrites the user's files, whatever its arguments say."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Repo

UNUSED_IMPORT = '"""Extra."""\n\nimport os\n'


@pytest.mark.parametrize(
    ("step", "arg"),
    [
        ("ruff-lint", "--fix"),
        ("ruff-lint", "--unsafe-fixes"),
        ("ruff-lint", "--fix-only"),
        ("mypy", "--install-types"),
        ("pyright", "--createstub=pkg"),
        ("zizmor", "--fix=all"),
    ],
)
def test_args_that_turn_a_check_into_a_fixer_are_a_config_error(
    repo: Repo, step: str, arg: str
) -> None:
    """``steps.ruff-lint.args = ["--fix"]`` made ``check ruff-lint`` delete an import and PASS.

    It broke: user args come after ours, so ``--fix`` beat ``--no-fix``; ruff fixed the file in
    place and reported what was left (nothing). Now such an argument is refused before anything
    runs: exit 2, one line naming the key.
    """
    repo.configure(f'[tool.qualitykit.steps.{step}]\nargs = ["{arg}"]\n')
    extra = repo.write("src/pkg/extra.py", UNUSED_IMPORT)

    run = repo.qualitykit("check", step)

    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    (line,) = run.stderr.strip().splitlines()
    assert f"[tool.qualitykit.steps.{step}] args: '{arg.partition('=')[0]}'" in line, line
    assert extra.read_text(encoding="utf-8") == UNUSED_IMPORT


def test_a_check_that_changes_a_file_it_checks_is_an_error(repo: Repo) -> None:
    """Whatever made a step write (a tool's own config, a script), the runner notices it.

    The content digests of the step's inputs are taken before the run (the cache key has them)
    and again after; a difference is the step's ``error``, naming the file, never a PASS.
    """
    repo.configure(
        'gate = ["notes", "ruff-lint"]\n[tool.qualitykit.commands.notes]\n'
        "command = [\"python\", \"-c\", \"open('NOTES.md', 'a').write('edited')\"]\n"
        'inputs = ["NOTES.md"]\n'
    )
    repo.write("NOTES.md", "notes\n")

    run = repo.gate()

    assert run.returncode == 1, run.stderr
    assert run.stderr.strip().splitlines()[-1] == "gate failed: notes"
    notes = repo.summary()["notes"]
    assert notes["status"] == "error"
    assert "project files changed while the step ran" in notes["summary"]
    assert "NOTES.md" in notes["summary"]
    assert repo.summary()["ruff-lint"]["status"] == "pass"


def test_a_projects_own_ruff_fix_setting_never_makes_the_gate_write(repo: Repo) -> None:
    """Pinned for adoption: a project whose ``[tool.ruff]`` says ``fix = true`` (its own habit
    for `ruff check` at a terminal) is checked, never fixed, by the gate's ruff-lint step:
    ``--no-fix`` on the command line beats the setting. The import stays; the step fails.
    """
    repo.configure("")
    pyproject = repo.root / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(text.replace("[tool.ruff]\n", "[tool.ruff]\nfix = true\n"), "utf-8")
    extra = repo.write("src/pkg/extra.py", UNUSED_IMPORT)

    run = repo.qualitykit("check", "ruff-lint")

    assert run.returncode == 1, run.stdout + run.stderr
    assert "F401" in run.stdout + run.stderr
    assert extra.read_text(encoding="utf-8") == UNUSED_IMPORT
