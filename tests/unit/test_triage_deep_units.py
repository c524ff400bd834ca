"""Deep-check pieces without a pytest run: the Wilson interval, report-log reading, config."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from qualitykit.triage.flaky import wilson
from qualitykit.triage.leak_snapshot import diff
from qualitykit.triage.rerun import pytest_config, read_tests
from qualitykit.triage.slow import check_slow

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize(
    ("passes", "runs", "low", "high"),
    [
        # Published 95 % Wilson score intervals (Newcombe 1998, Table I; and the usual tables).
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (5, 10, 0.2366, 0.7634),
        (8, 10, 0.4902, 0.9433),
        (81, 263, 0.2553, 0.3662),
        (3, 6, 0.1876, 0.8124),
    ],
)
def test_wilson_matches_known_intervals(passes: int, runs: int, low: float, high: float) -> None:
    got = wilson(passes, runs)
    assert got == pytest.approx((low, high), abs=5e-5)


def test_wilson_with_no_run_knows_nothing() -> None:
    assert wilson(0, 0) == (0.0, 1.0)


def test_read_tests_takes_the_worst_phase_and_sums_durations() -> None:
    phases = [
        ("t::a", "setup", "passed", 0.5),
        ("t::a", "call", "passed", 1.0),
        ("t::a", "teardown", "failed", 0.25),
        ("t::b", "setup", "skipped", 0.0),
    ]
    lines = [
        json.dumps(
            {"$report_type": "TestReport", "nodeid": n, "when": w, "outcome": o, "duration": d}
        )
        for n, w, o, d in phases
    ]
    report = read_tests("\n".join(lines))
    assert not report.finished
    assert report.tests["t::a"].outcome == "failed"
    assert report.tests["t::a"].duration_s == 1.75
    assert report.tests["t::b"].outcome == "skipped"
    finished = read_tests('{"$report_type": "SessionFinish", "exitstatus": 0}\n')
    assert finished.finished
    with pytest.raises(ValueError, match="property name"):
        read_tests("{oops")


@pytest.mark.parametrize(
    ("files", "chosen"),
    [
        (
            {"pytest.ini": "[pytest]\n", "pyproject.toml": "[tool.pytest.ini_options]\n"},
            "pytest.ini",
        ),
        (
            {"pyproject.toml": "[tool.pytest.ini_options]\n", "tox.ini": "[pytest]\n"},
            "pyproject.toml",
        ),
        ({"pyproject.toml": "[project]\n", "tox.ini": "[pytest]\n"}, "tox.ini"),
        ({"pyproject.toml": "[project]\n", "setup.cfg": "[tool:pytest]\n"}, "setup.cfg"),
        ({"pyproject.toml": "[project]\n", "setup.cfg": "[metadata]\n"}, "pyproject.toml"),
        ({"setup.cfg": "[metadata]\n"}, None),
    ],
)
def test_pytest_config_follows_pytests_search_order(
    tmp_path: Path, files: dict[str, str], chosen: str | None
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    found = pytest_config(tmp_path)
    assert found == (tmp_path / chosen if chosen else None)


def test_slow_ranks_by_duration_and_lists_only_those_over_the_timeout() -> None:
    durations = {f"t::test_{i}": float(i) for i in range(12)}
    slow = check_slow(
        durations, per_test_timeout_s=9.5, suite_s=66.0, budget_s=100.0, budget_margin=34.0
    )
    assert [t.test_id for t in slow.over_timeout] == ["t::test_11", "t::test_10"]
    assert [t.duration_s for t in slow.slowest] == [float(i) for i in range(11, 1, -1)]
    empty = check_slow({}, per_test_timeout_s=1.0, suite_s=0.0, budget_s=None, budget_margin=None)
    assert empty.status == "not-run"


def test_a_long_leaked_path_keeps_its_start_and_its_file() -> None:
    """Fixed: a leaked value was cut to its first 120 characters, so a deep path lost its file.

    Found when this suite ran with tmp_path deeper (the incremental run's own temporary root).
    """
    path = "/home/someone/" + "nested/" * 30 + "tests/test_leaky.py"
    leaks = diff({"fd": {"5": (0, "/dev/null")}}, {"fd": {"5": (0, path)}})
    after = leaks[0]["after"]
    assert len(after) == 120
    assert after.startswith("/home/someone/nested/")
    assert after.endswith("/tests/test_leaky.py")
    assert "..." in after
