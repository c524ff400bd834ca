"""Bad configuration: exit 2 with one line naming the key and the file, never a traceback."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Repo

CASES = {
    "unknown top-level key": ("colour = true", "unknown key 'colour' in [tool.qualitykit]"),
    "unknown key in a step table": (
        "[tool.qualitykit.steps.mypy]\nflavour = 1",
        "unknown key 'flavour' in [tool.qualitykit.steps.mypy]",
    ),
    "wrong type": ('jobs = "two"', "[tool.qualitykit.jobs]"),
    "negative timeout": ("timeout = -1", "[tool.qualitykit.timeout]"),
    "unknown gate step": ('gate = ["ruff-lint", "typo"]', "unknown step 'typo'"),
    "command clashing with a built-in": (
        '[tool.qualitykit.commands.mypy]\ncommand = ["true"]',
        "clashes with the built-in step",
    ),
    "steps table for a step that does not exist": (
        "[tool.qualitykit.steps.nonsense]\nargs = []",
        "not a built-in step",
    ),
    "wrong type in coverage": ('[tool.qualitykit.coverage]\nfloor = "high"', "coverage.floor"),
}


def assert_one_line_error(stderr: str, *fragments: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    assert lines[0].startswith("qualitykit: error: "), stderr
    for fragment in fragments:
        assert fragment in lines[0], stderr


@pytest.mark.parametrize("case", list(CASES))
def test_bad_config_exits_2_naming_key_and_file(repo: Repo, case: str) -> None:
    config, expected = CASES[case]
    repo.configure(config)

    run = repo.gate()

    assert run.returncode == 2
    assert_one_line_error(run.stderr, expected, "pyproject.toml")


def test_invalid_toml_exits_2_naming_the_file(repo: Repo) -> None:
    repo.write("pyproject.toml", "[tool.qualitykit\nsource = 1\n")
    run = repo.gate()
    assert run.returncode == 2
    assert_one_line_error(run.stderr, "pyproject.toml", "invalid TOML")


def test_unreadable_pyproject_exits_2(repo: Repo) -> None:
    (repo.root / "pyproject.toml").write_bytes(b"[tool.qualitykit]\nsource = ['\xff\xfe']\n")
    run = repo.gate()
    assert run.returncode == 2
    assert_one_line_error(run.stderr, "pyproject.toml", "cannot read")


def test_corrupt_lock_exits_2(repo: Repo) -> None:
    repo.configure('gate = ["ruff-lint"]')
    repo.write("uv.lock", "[[package\n")
    run = repo.gate()
    assert run.returncode == 2
    assert_one_line_error(run.stderr, "uv.lock")
