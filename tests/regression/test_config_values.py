"""Configurations that passed validation and then crashed or silently meant something else.

Issue 10 ("the gate never lies" — bad input): each value below was accepted at load time and
then raised a traceback inside a step (OverflowError, "embedded null byte", "Argument list too
long", pathspec's GitIgnorePatternError, IsADirectoryError for an empty badge path) or was
coerced (``timeout = true`` became a 1-second timeout, ``ratchet = 0`` turned the ratchet off).
A gate that crashes or quietly changes its checks on a typo is not a gate anyone can trust:
every one must be refused at load time, in one line naming the key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from qualitykit.config import parse_config
from qualitykit.errors import ConfigError

if TYPE_CHECKING:
    from conftest import Repo

SOURCE = "pyproject.toml"

CRASHED_LATER: dict[str, tuple[dict[str, Any], str]] = {
    "infinite timeout": ({"timeout": float("inf")}, "[tool.qualitykit.timeout]"),
    "1e308 timeout": ({"timeout": 1e308}, "[tool.qualitykit.timeout]"),
    "NUL in args": ({"steps": {"mypy": {"args": ["a\0b"]}}}, "steps.mypy.args.0"),
    "NUL in command": ({"commands": {"x": {"command": ["tr\0ue"]}}}, "commands.x.command.0"),
    "300 kB argument": ({"steps": {"ruff-lint": {"args": ["a" * 300_000]}}}, "args.0"),
    "inputs '!'": ({"commands": {"x": {"command": ["true"], "inputs": ["!"]}}}, "inputs.0"),
    "group include '!'": ({"coverage": {"groups": {"g": {"include": ["!"]}}}}, "include.0"),
    "mutation module '\\\\'": ({"mutation": {"modules": ["\\"]}}, "mutation.modules.0"),
    "empty badge": ({"coverage": {"badge": ""}}, "coverage.badge"),
    "absolute badge": ({"coverage": {"badge": "/srv/b.svg"}}, "coverage.badge"),
    "baseline outside": ({"coverage": {"baseline": "../b.json"}}, "coverage.baseline"),
    "mutation baseline a dir": ({"mutation": {"baseline": "docs/"}}, "mutation.baseline"),
}

COERCED: dict[str, tuple[dict[str, Any], str]] = {
    "jobs = true": ({"jobs": True}, "[tool.qualitykit.jobs]"),
    'timeout = "10"': ({"timeout": "10"}, "[tool.qualitykit.timeout]"),
    "timeout = true": ({"timeout": True}, "[tool.qualitykit.timeout]"),
    "floor = true": ({"coverage": {"floor": True}}, "coverage.floor"),
    "ratchet = 0": ({"coverage": {"ratchet": 0}}, "coverage.ratchet"),
    "workers = 1.0": ({"mutation": {"workers": 1.0}}, "mutation.workers"),
    'allow-errors = "no"': ({"mutation": {"allow-errors": "no"}}, "mutation.allow-errors"),
}


@pytest.mark.parametrize("case", [*CRASHED_LATER, *COERCED])
def test_refused_at_load_time_naming_the_key(case: str) -> None:
    data, where = {**CRASHED_LATER, **COERCED}[case]
    with pytest.raises(ConfigError) as caught:
        parse_config(data, SOURCE)
    message = str(caught.value)
    assert message.startswith(f"{SOURCE}: ")
    assert where in message
    assert "\n" not in message
    assert len(message) < 300  # never the 300 kB value itself


def test_an_empty_gate_is_exit_2_not_a_pass(repo: Repo) -> None:
    """``gate = []`` printed "gate passed: 0 steps" and exited 0: a pass that proved nothing."""
    repo.configure("gate = []")
    run = repo.gate()
    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "gate: empty" in lines[0]
    assert "pyproject.toml" in lines[0]
