"""A bad baseline or baseline setting: one line naming it, exit 2, nothing run or written."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from conftest import Repo

BASELINE = "qualitykit-baseline.json"
ENTRY = {
    "fingerprint": "0" * 32,
    "rule": "ruff-lint:F401",
    "file": "src/pkg/core.py",
    "code": "import os",
    "message": "`os` imported but unused",
}


def _text(text: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(text, encoding="utf-8")


def _directory(path: Path) -> None:
    path.mkdir()


BAD_FILES: dict[str, tuple[Callable[[Path], None], str]] = {
    "invalid-json": (_text('{"version": 1, "steps": {'), "Invalid JSON"),
    "not-utf8": (lambda path: path.write_bytes(b'{"steps": "\xff"}'), "not UTF-8"),
    "wrong-shape": (_text(json.dumps({"version": 1, "steps": [ENTRY]})), "malformed"),
    "entry-shape": (
        _text(json.dumps({"version": 1, "steps": {"ruff-lint": [{"fingerprint": "x"}]}})),
        "malformed",
    ),
    "other-version": (_text(json.dumps({"version": 2, "steps": {}})), "malformed"),
    "a-test-step": (
        _text(json.dumps({"version": 1, "steps": {"regression": [ENTRY]}})),
        "not a step whose findings can be baselined",
    ),
    "a-directory": (_directory, "is a directory"),
}


def _one_line(run_stderr: str, *needles: str) -> None:
    lines = run_stderr.strip().splitlines()
    assert len(lines) == 1, run_stderr
    assert "Traceback" not in run_stderr
    for needle in needles:
        assert needle in lines[0], run_stderr


# Every case through the gate; the other commands that read the baseline with two of them.
COMMANDS = [
    *((case, ("gate",)) for case in sorted(BAD_FILES)),
    ("invalid-json", ("check", "ruff-lint")),
    ("a-directory", ("summary",)),
    ("wrong-shape", ("baseline", "--update")),
]


@pytest.mark.parametrize(
    ("case", "command"), COMMANDS, ids=lambda v: "-".join(v) if isinstance(v, tuple) else v
)
def test_a_malformed_baseline_stops_every_command_naming_it(
    repo: Repo, case: str, command: tuple[str, ...]
) -> None:
    """Invalid JSON, a wrong shape, a directory...: exit 2 naming the file, before any step.

    Read as "no baseline", a broken file would fail every known finding (or, worse, a reader
    that skipped bad entries would pass findings nobody recorded); read as a traceback, the
    user is not told which file is wrong.
    """
    repo.configure('gate = ["ruff-lint"]')
    make, why = BAD_FILES[case]
    make(repo.root / BASELINE)

    run = repo.qualitykit(*command)

    assert run.returncode == 2, run.stderr
    _one_line(run.stderr, BASELINE, why)
    assert not (repo.root / ".qualitykit" / "results").exists()


def test_a_named_baseline_that_is_missing_is_an_error(repo: Repo) -> None:
    """``baseline-file`` set but absent: exit 2, never "no baseline".

    A renamed or uncommitted baseline named in the configuration would otherwise turn every
    recorded finding back into a failure with no word about why, or (with the default name)
    hide that the file the team relies on is not there.
    """
    repo.configure('gate = ["ruff-lint"]\nbaseline-file = "ci/known.json"')

    run = repo.gate()

    assert run.returncode == 2, run.stderr
    _one_line(run.stderr, "ci/known.json", "not found")


def test_update_without_a_baseline_is_an_error(repo: Repo) -> None:
    """``baseline --update`` with nothing recorded: exit 2, and no file is created."""
    repo.configure('gate = ["ruff-lint"]')

    run = repo.qualitykit("baseline", "--update")

    assert run.returncode == 2, run.stderr
    _one_line(run.stderr, BASELINE, "not found", "qualitykit baseline")
    assert not (repo.root / BASELINE).exists()


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("3", "string"),
        ('"../known.json"', "leaves the project"),
        ('".qualitykit/known.json"', "not the project's"),
        ('"ci/"', "names a directory"),
    ],
)
def test_a_bad_baseline_file_setting_is_one_line(repo: Repo, value: str, why: str) -> None:
    """The setting is validated like every other: one line naming key and file, exit 2."""
    repo.configure(f'gate = ["ruff-lint"]\nbaseline-file = {value}')

    run = repo.qualitykit("baseline")

    assert run.returncode == 2, run.stderr
    _one_line(run.stderr, "pyproject.toml", "baseline-file", why)


def test_recording_over_a_directory_is_one_line_before_any_step(repo: Repo) -> None:
    """A directory where the baseline goes: exit 2 naming it, before a step runs."""
    repo.configure('gate = ["ruff-lint"]')
    (repo.root / BASELINE).mkdir()

    run = repo.qualitykit("baseline")

    assert run.returncode == 2, run.stderr
    _one_line(run.stderr, BASELINE, "is a directory")
    assert not (repo.root / ".qualitykit" / "results").exists()
