"""The catalogue of malformed input: every key of every ``[tool.qualitykit]`` table, its shape
and values it must refuse; TOML rendering of those values; where each key lives.

Shared by the in-process (hypothesis) tests and the command-line tests in
``test_malformed_input.py``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from qualitykit.config import MAX_TIMEOUT_S
from qualitykit.config_values import MAX_STRING

HUGE = "x" * (MAX_STRING + 1)
ARG_MAX_BUSTER = "a" * 300_000


@dataclass(frozen=True)
class Key:
    """One configuration key: its table (dotted, under tool.qualitykit), name and shape."""

    table: str  # "" (top level), "steps.mypy", "commands.x", "coverage", "coverage.groups.g"...
    name: str
    kind: str

    @property
    def dotted(self) -> str:
        return f"{self.table}.{self.name}" if self.table else self.name


KEYS: tuple[Key, ...] = (
    Key("", "source", "roots"),
    Key("", "regression", "roots"),
    Key("", "gate", "gate"),
    Key("", "jobs", "parallel"),
    Key("", "timeout", "seconds"),
    Key("", "baseline-file", "file"),
    Key("", "steps", "table"),
    Key("", "commands", "table"),
    Key("", "coverage", "table"),
    Key("", "mutation", "table"),
    Key("steps.mypy", "paths", "roots"),
    Key("steps.mypy", "args", "args"),
    Key("steps.mypy", "timeout", "seconds"),
    Key("commands.x", "command", "command"),
    Key("commands.x", "inputs", "globs"),
    Key("commands.x", "timeout", "seconds"),
    Key("commands.x", "description", "text"),
    Key("coverage", "tests", "paths"),
    Key("coverage", "floor", "percent"),
    Key("coverage", "tolerance", "points"),
    Key("coverage", "ratchet", "flag"),
    Key("coverage", "baseline", "file"),
    Key("coverage", "groups", "table"),
    Key("coverage", "badge", "badge"),
    Key("coverage", "badge-tolerance", "points"),
    Key("coverage", "diff-fail-under", "percent"),
    Key("coverage", "core", "core"),
    Key("coverage.groups.g", "include", "globs-required"),
    Key("coverage.groups.g", "floor", "percent"),
    Key("coverage.groups.g", "milestones", "percents"),
    Key("mutation", "modules", "globs"),
    Key("mutation", "exclude-modules", "globs"),
    Key("mutation", "exclude-operators", "regexes"),
    Key("mutation", "tests", "args"),
    Key("mutation", "python", "word"),
    Key("mutation", "workers", "parallel"),
    Key("mutation", "timeout-factor", "factor"),
    Key("mutation", "timeout-min", "seconds"),
    Key("mutation", "threshold", "percent"),
    Key("mutation", "ratchet", "flag"),
    Key("mutation", "baseline", "file"),
    Key("mutation", "tolerance", "points"),
    Key("mutation", "allow-errors", "flag"),
)

TABLES: tuple[str, ...] = tuple(sorted({key.table for key in KEYS}))

_BAD_STRINGS = ["a\0b", HUGE]
_BAD_PATHS = ["", " ", "/abs", "../up", "a/../../up", "-k", "a\nb", "a\\b", *_BAD_STRINGS]
_BAD_GLOBS = ["", "!", "\\", "a\\", "x\n", "\x7f", *_BAD_STRINGS]
_BAD_FILES = [*_BAD_PATHS, "docs/", ".", ".qualitykit/b.json", ".git/b.json"]

# Values each shape must refuse, a deterministic sample for the command-line tests (hypothesis
# draws from the same classes, and more, in-process).
BAD: dict[str, list[Any]] = {
    "seconds": [True, "10", 0, -1, math.inf, -math.inf, math.nan, 1e308, MAX_TIMEOUT_S + 1, [1]],
    "percent": [True, "50", -0.5, 100.5, math.inf, math.nan, [50]],
    "percents": ["50", [101], [-1], [True], [math.nan], [[1]]],
    "points": [True, "1", -1, 101, math.inf, math.nan],
    "parallel": [True, 1.0, "2", -1, 10**6],
    "factor": [True, "5", 0.5, 1e9, math.inf, math.nan],
    "flag": [0, 1, "true", 1.0, [True]],
    "args": ["--strict", [1], [True], [["x"]], *([value] for value in _BAD_STRINGS)],
    "paths": ["tests", [1], *([value] for value in _BAD_PATHS)],
    "roots": ["src", [], [1], *([value] for value in _BAD_PATHS)],
    "globs": ["*.py", [1], *([value] for value in _BAD_GLOBS)],
    "globs-required": [[], "*.py", *([value] for value in _BAD_GLOBS)],
    "regexes": ["x", ["("], ["[a"], [""], [1], *([value] for value in _BAD_STRINGS)],
    "file": [1, True, ["x.json"], *_BAD_FILES],
    "badge": [1, ["b.svg"], "coverage.json", "docs/badge", *_BAD_FILES],
    "word": [1, True, "", "  ", *_BAD_STRINGS],
    "text": [1, True, ["x"], *_BAD_STRINGS],
    "command": [[], "true", [1], [True], [""], [" "], ["tr\0ue"], [ARG_MAX_BUSTER], [HUGE]],
    "core": ["fast", 1, True, "", "AUTO"],
    "gate": [[], "mypy", ["nope"], ["mypy", "mypy"], ["Mypy"], [1], [""]],
    "table": [1, "x", [1], True],
}

# Each table also refuses a key it does not know.
UNKNOWN_KEY = "colour"


def _defaults_for(table: str) -> dict[str, Any]:
    """The keys a table needs so that only the key under test is wrong."""
    if table.startswith("commands."):
        return {"command": ["true"]}
    if table.startswith("coverage.groups."):
        return {"include": ["src/**"]}
    return {}


def config_dict(key: Key | None, table: str, value: Any) -> dict[str, Any]:
    """``[tool.qualitykit]`` as a dict with ``value`` at ``key`` (or an unknown key in table)."""
    name = key.name if key is not None else UNKNOWN_KEY
    leaf = {**_defaults_for(table), name: value}
    data: dict[str, Any] = leaf
    for part in reversed(table.split(".") if table else []):
        data = {part: data}
    return data


def _toml_float(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


def toml_value(value: Any) -> str:
    """``value`` as a TOML value (strings escaped so that any character survives)."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = _toml_float(value)
    elif isinstance(value, str):
        # JSON leaves DEL raw, which TOML forbids in a basic string.
        text = json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    elif isinstance(value, list):
        text = "[" + ", ".join(toml_value(item) for item in value) + "]"
    elif isinstance(value, dict):
        items = ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items())
        text = "{" + items + "}"
    else:
        raise TypeError(type(value))
    return text


def toml_key(name: str) -> str:
    return name if name and all(c.isalnum() or c in "-_" for c in name) else toml_value(name)


def pyproject(data: dict[str, Any]) -> str:
    """A pyproject.toml holding ``data`` as its ``[tool.qualitykit]`` table."""
    return f'[project]\nname = "case"\nversion = "0"\n\n[tool]\nqualitykit = {toml_value(data)}\n'


def config_cases() -> list[tuple[str, dict[str, Any], str]]:
    """(id, [tool.qualitykit] dict, fragment the one-line error must hold) for the CLI tests."""
    cases: list[tuple[str, dict[str, Any], str]] = []
    for key in KEYS:
        for index, value in enumerate(BAD[key.kind]):
            cases.append((f"{key.dotted}-{index}", config_dict(key, key.table, value), key.name))
    cases.extend(
        (f"{table or 'top'}-unknown", config_dict(None, table, 1), UNKNOWN_KEY) for table in TABLES
    )
    cases += [
        ("steps-not-builtin", {"steps": {"nonsense": {}}}, "nonsense"),
        ("steps-bad-name", {"steps": {"Bad_Name": {}}}, "Bad_Name"),
        ("commands-clash", {"commands": {"mypy": {"command": ["true"]}}}, "mypy"),
        ("commands-bad-name", {"commands": {"a b": {"command": ["true"]}}}, "a b"),
        ("commands-long-name", {"commands": {"a" * 65: {"command": ["true"]}}}, "commands"),
        ("group-empty-name", {"coverage": {"groups": {"": {"include": ["*"]}}}}, "groups"),
        ("group-newline-name", {"coverage": {"groups": {"a\nb": {"include": ["!"]}}}}, "groups"),
        ("newline-unknown-key", {"a\nb": 1}, "unknown key"),
        ("huge-unknown-key", {HUGE: 1}, "unknown key"),
    ]
    return cases
