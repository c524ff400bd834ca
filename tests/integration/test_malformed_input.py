"""Malformed input never makes the gate lie: exit 2, one line naming what and where.

Issue 10. Two halves:

- in-process, hypothesis draws bad values for every key of every ``[tool.qualitykit]`` table
  (wrong types, out-of-range and non-finite numbers, NUL / huge / control-character strings,
  paths outside the project, patterns pathspec rejects) and ``parse_config`` must refuse each
  in one line naming the key and the file;
- on the command line, the catalogued configurations, corrupt state files, bad usage and odd
  repositories each run the real ``qualitykit.cli.main`` in a process of its own (forked from
  one warm interpreter, see ``cli_fork.py``), and a sample of every class runs through a fresh
  ``python -m qualitykit``. Every case: exit 2 with exactly one stderr line naming the file or
  key (or exit 0 where the bad file is only a cache and the command reran), no traceback, no
  ``*.tmp`` left behind.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from integration.malformed_cases import KEYS, MAX_STRING, Key, config_dict
from integration.malformed_cli import (
    CliCase,
    config_cli_cases,
    odd_repo_cases,
    problem,
    run_forked,
    run_fresh,
    state_cases,
    template_project,
    usage_cases,
)
from qualitykit.config import MAX_PARALLEL, MAX_TIMEOUT_S, parse_config
from qualitykit.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

SOURCE = "pyproject.toml"
EXAMPLES_PER_KEY = 12
MIN_CASES = 300

# --- hypothesis: strategies of refused values, per shape --------------------------------------

_scalars = st.one_of(
    st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(), st.text(max_size=8)
)
_toml = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=2)
    ),
    max_leaves=5,
)
# One strategy per TOML type, so that "any value but these types" needs no filtering.
_BY_TYPE: dict[type, st.SearchStrategy[Any]] = {
    bool: st.booleans(),
    int: st.integers(-(2**63), 2**63 - 1),
    float: st.floats(),
    str: st.text(max_size=8),
    list: st.lists(_toml, max_size=3),
    dict: st.dictionaries(st.text(max_size=4), _toml, max_size=2),
}


def _not(*types: type) -> st.SearchStrategy[Any]:
    """TOML values of none of ``types`` (a bool is never an int or a float here)."""
    return st.one_of([strategy for kind, strategy in _BY_TYPE.items() if kind not in types])


def _with_nul(text: str) -> str:
    return text[: len(text) // 2] + "\0" + text[len(text) // 2 :]


_huge = st.builds(
    lambda char, extra: char * (MAX_STRING + extra), st.characters(), st.integers(1, 999)
)
_bad_text = st.one_of(st.text(max_size=10).map(_with_nul), _huge)
_blank = st.sampled_from(["", " ", "\t", "  \n"])
_control = st.builds(
    lambda head, char: f"{head}{char}x",
    st.text("abc/", max_size=4),
    st.sampled_from("\n\r\x1b\x7f"),
)
_bad_path = st.one_of(
    _bad_text,
    _blank,
    _control,
    st.text("ab/.", max_size=6).map(lambda text: "/" + text),
    st.text("ab/", max_size=6).map(lambda text: f"{text}/../../x"),
    st.text("ab", max_size=6).map(lambda text: "-" + text),
    st.text("ab/", max_size=6).map(lambda text: f"{text}\\x"),
)
_bad_file = st.one_of(
    _bad_path,
    st.sampled_from([".", "docs/", "./", ".qualitykit/x.json", ".git/HEAD"]),
)
_bad_glob = st.one_of(
    _bad_text,
    _blank,
    _control,
    st.just("!"),
    st.text("ab*?", min_size=0, max_size=5).map(lambda text: text + "\\"),
)


def _number(low: float, high: float, *, low_open: bool = False) -> st.SearchStrategy[Any]:
    below = st.floats(max_value=low, exclude_max=not low_open, allow_nan=False)
    above = st.floats(min_value=high, exclude_min=True, allow_nan=False)
    return st.one_of(_not(int, float), below, above, st.just(math.nan), st.just(math.inf))


def _strings(bad: st.SearchStrategy[str], *, min_one: bool = False) -> st.SearchStrategy[Any]:
    """Lists of strings refused: not a list, a non-string item, a bad string among good ones."""
    good = st.sampled_from(["src", "tests/x.py", "docs"])
    options = [
        _not(list),
        st.lists(_not(str), min_size=1, max_size=3),
        st.builds(lambda head, item: [*head, item], st.lists(good, max_size=2), bad),
    ]
    if min_one:
        options.append(st.just([]))
    return st.one_of(options)


SHAPES: dict[str, st.SearchStrategy[Any]] = {
    "seconds": _number(0, MAX_TIMEOUT_S, low_open=True),
    "percent": _number(0, 100),
    "points": _number(0, 100),
    "factor": _number(1, 1000),
    "percents": st.one_of(
        _not(list),
        st.lists(
            st.one_of(_not(int, float), st.floats(min_value=100, exclude_min=True)), min_size=1
        ),
    ),
    "parallel": st.one_of(
        _not(int), st.integers(max_value=-1), st.integers(min_value=MAX_PARALLEL + 1)
    ),
    "flag": _not(bool),
    "args": _strings(_bad_text),
    "paths": _strings(_bad_path),
    "roots": _strings(_bad_path, min_one=True),
    "globs": _strings(_bad_glob),
    "globs-required": _strings(_bad_glob, min_one=True),
    "regexes": _strings(st.one_of(_bad_text, _blank, st.sampled_from(["(", "[a", "a{1,2", "*"]))),
    "file": st.one_of(_not(str), _bad_file),
    "badge": st.one_of(_not(str), _bad_file, st.text("ab", min_size=1).map(lambda t: t + ".json")),
    "word": st.one_of(_not(str), _bad_text, _blank),
    "text": st.one_of(_not(str), _bad_text),
    "command": st.one_of(_strings(_bad_text, min_one=True), st.just([""]), st.just([" ", "x"])),
    "core": st.one_of(
        _not(str),
        st.text(max_size=8).filter(lambda t: t not in {"auto", "ctrace", "pytrace", "sysmon"}),
    ),
    "gate": st.one_of(
        _not(list),
        st.just([]),
        st.lists(st.text(max_size=8), min_size=1, max_size=3).filter(
            lambda names: any(name not in {"mypy", "pyright"} for name in names)
        ),
        st.sampled_from(["mypy", "pyright"]).map(lambda name: [name, name]),
    ),
    "table": _not(dict),
}


def _one_line_naming(key: Key, data: dict[str, Any]) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(data, SOURCE)
    message = str(caught.value)
    assert message.startswith(f"{SOURCE}: "), message
    assert len(message.splitlines()) == 1, message
    assert key.name in message, message
    assert len(message) < 600, message[:300]


@pytest.mark.parametrize("key", KEYS, ids=lambda key: key.dotted)
@settings(max_examples=EXAMPLES_PER_KEY, deadline=None, derandomize=True, database=None)
@given(data=st.data())
def test_every_key_refuses_bad_values(key: Key, data: st.DataObject) -> None:
    value = data.draw(SHAPES[key.kind], label=key.dotted)
    _one_line_naming(key, config_dict(key, key.table, value))


@pytest.mark.parametrize("table", sorted({key.table for key in KEYS}), ids=lambda t: t or "top")
@settings(max_examples=EXAMPLES_PER_KEY, deadline=None, derandomize=True, database=None)
@given(name=st.text(min_size=1, max_size=20).filter(lambda n: n not in {k.name for k in KEYS}))
def test_every_table_refuses_unknown_keys(table: str, name: str) -> None:
    data = config_dict(None, table, 1)
    leaf = data
    for part in table.split(".") if table else []:
        leaf = leaf[part]
    leaf[name] = leaf.pop("colour")
    with pytest.raises(ConfigError, match="unknown key") as caught:
        parse_config(data, SOURCE)
    assert "\n" not in str(caught.value)


# --- the command line -------------------------------------------------------------------------


def _check_all(cases: list[CliCase], results: list[dict[str, Any]]) -> None:
    assert len(results) == len(cases)
    problems = [
        f"{case.name}: {found}"
        for case, result in zip(cases, results, strict=True)
        if (found := problem(case, result)) is not None
    ]
    assert not problems, f"{len(problems)} of {len(cases)} cases:\n" + "\n".join(problems[:15])


def _classes(tmp: Path) -> dict[str, Callable[[], list[CliCase]]]:
    return {
        "config": lambda: config_cli_cases(tmp / "config"),
        "odd repos": lambda: odd_repo_cases(tmp / "odd"),
        "usage": lambda: usage_cases(tmp / "usage"),
        "state": lambda: state_cases(template_project(tmp / "template"), tmp / "state"),
    }


@pytest.mark.parametrize("kind", ["config", "odd repos", "usage", "state"])
def test_each_class_through_the_command_line(tmp_path: Path, kind: str) -> None:
    cases = _classes(tmp_path)[kind]()
    _check_all(cases, run_forked(cases, tmp_path / "run"))
    assert not (tmp_path / "usage" / "missing").exists()  # --root never created


def test_the_command_line_suite_has_at_least_300_cases(tmp_path: Path) -> None:
    total = sum(len(make()) for kind, make in _classes(tmp_path).items() if kind != "state")
    total += 6 * 9 * 4  # the state cases (they need a gate run to build: counted, not built)
    assert total >= MIN_CASES


@pytest.mark.parametrize("kind", ["config", "odd repos", "usage", "state"])
def test_a_sample_of_each_class_through_a_fresh_interpreter(tmp_path: Path, kind: str) -> None:
    cases = _classes(tmp_path)[kind]()
    sample = cases[:: max(1, len(cases) // 3)][:3]
    _check_all(sample, [run_fresh(case) for case in sample])
