"""``qualitykit triage`` deep checks on fixture repos: real pytest reruns, typed ``deep.json``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.conftest import Repo

ORDER_TESTS = """\
from pathlib import Path

STATE = []
COUNT = Path(__file__).with_name("once.txt")


def test_polluter():
    STATE.append(1)


def test_victim():
    assert not STATE


def test_broken():
    assert 1 == 2


def test_fails_once():
    runs = int(COUNT.read_text()) + 1 if COUNT.exists() else 1
    COUNT.write_text(str(runs))
    assert runs > 1
"""

ENV_POLLUTER = """\
import os


def test_sets_env():
    os.environ["FIXTURE_MODE"] = "broken"
"""

ENV_VICTIM = """\
import os


def test_reads_env():
    assert os.environ.get("FIXTURE_MODE") != "broken"
"""


# The fixture project's own pytest settings: no plugin it does not use (each rerun is a fresh
# pytest; hypothesis, xdist and pytest-cov would triple its start-up). From elsewhere they
# must still apply: ``-c`` points at this file.
QUICK_PYTEST = """
[tool.pytest.ini_options]
addopts = "-p no:hypothesispytest -p no:xdist -p no:xdist.looponfail -p no:pytest_cov"
"""


def _deep(repo: Repo, *flags: str, code: int = 1) -> tuple[dict[str, Any], str]:
    pyproject = repo.root / "pyproject.toml"
    if "ini_options" not in pyproject.read_text(encoding="utf-8"):
        with pyproject.open("a", encoding="utf-8") as file:
            file.write(QUICK_PYTEST)
    done = repo.qualitykit("triage", *flags)
    assert done.returncode == code, done.stdout + done.stderr
    (bundle,) = (repo.root / "reports").iterdir()
    summary = (bundle / "summary.md").read_text(encoding="utf-8")
    return json.loads((bundle / "deep.json").read_text(encoding="utf-8")), summary


def test_isolation_labels_each_failure_and_the_search_names_each_polluter(repo: Repo) -> None:
    """Alone, in its module, and (when both pass) the full run again tell the labels apart.

    Each order-dependent failure is then searched: its polluter, verified, with what leaked.
    """
    repo.write("tests/test_order.py", ORDER_TESTS)
    repo.write("tests/test_a_env.py", ENV_POLLUTER)
    repo.write("tests/test_b_env.py", ENV_VICTIM)
    deep, summary = _deep(repo, "--isolation", "--polluters")
    labels = {t["test_id"]: t["label"] for t in deep["isolation"]["tests"]}
    assert labels == {
        "tests/test_b_env.py::test_reads_env": "order-dependent",
        "tests/test_order.py::test_victim": "order-dependent",
        "tests/test_order.py::test_broken": "fails-alone",
        "tests/test_order.py::test_fails_once": "passes-now",
    }
    assert deep["isolation"]["status"] == "ran"
    assert deep["polluters"]["status"] == "ran"
    found = {r["target"]: r for r in deep["polluters"]["results"]}
    assert set(found) == {"tests/test_b_env.py::test_reads_env", "tests/test_order.py::test_victim"}
    env = found["tests/test_b_env.py::test_reads_env"]
    assert (env["status"], env["kind"]) == ("found", "polluter")
    assert env["culprits"] == ["tests/test_a_env.py::test_sets_env"]
    assert {(leak["kind"], leak["name"]) for leak in env["leaks"]} >= {("env", "FIXTURE_MODE")}
    state = found["tests/test_order.py::test_victim"]
    assert state["culprits"] == ["tests/test_order.py::test_polluter"]
    assert any(leak["kind"] == "global" for leak in state["leaks"]), state["leaks"]
    assert "### Polluter search" in summary
    assert (
        "- `tests/test_b_env.py::test_reads_env` fails only after "
        "`tests/test_a_env.py::test_sets_env`" in summary
    )
    assert "| `tests/test_order.py::test_victim` | order-dependent | passed | failed |" in summary
    assert (deep["cwd"], deep["flaky"], deep["slow"]) == (None, None, None)


CWD_TESTS = """\
from pathlib import Path


def test_reads_data(data_name):
    assert Path("data", data_name).read_text() == "x\\n"


def test_makes_build_dir():
    Path("build").mkdir()


def test_plain():
    assert [1] == [2]


def test_every_other_run():
    counter = Path(__file__).with_name("cwd-counter.txt")
    runs = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(runs))
    assert runs % 2 == 0
"""


def test_cwd_flags_both_directions(repo: Repo) -> None:
    """Passing only from the root and passing only from elsewhere are both cwd-dependent.

    A test failing every other run differs too (run 2 from the root passes, run 3 elsewhere
    fails), but the other way round in the second pair: unstable, not cwd-dependent.

    The root's conftest.py fixture must still apply from elsewhere (``--rootdir``, ``-c``).
    """
    repo.write(
        "conftest.py", "import pytest\n\n\n@pytest.fixture\ndef data_name():\n    return 'x.txt'\n"
    )
    repo.write("data/x.txt", "x\n")
    (repo.root / "build").mkdir()
    repo.write("tests/test_cwd.py", CWD_TESTS)
    deep, summary = _deep(repo, "--cwd")
    cwd = {t["test_id"]: (t["label"], t["from_root"], t["elsewhere"]) for t in deep["cwd"]["tests"]}
    assert cwd == {
        "tests/test_cwd.py::test_reads_data": ("cwd-dependent", "passed", "failed"),
        "tests/test_cwd.py::test_makes_build_dir": ("cwd-dependent", "failed", "passed"),
        "tests/test_cwd.py::test_plain": ("same", "failed", "failed"),
        "tests/test_cwd.py::test_every_other_run": ("unstable", "passed", "failed"),
    }
    assert deep["cwd"]["status"] == "ran"
    assert "- cwd-dependent: `tests/test_cwd.py::test_reads_data`" in summary
    # The rerun from the root tripped over build/ and left it as it was.
    assert list((repo.root / "build").iterdir()) == []


FLAKY_TESTS = """\
from pathlib import Path

COUNTER = Path(__file__).with_name("counter.txt")
SEEN = []


def test_every_other_run():
    runs = int(COUNTER.read_text()) + 1 if COUNTER.exists() else 1
    COUNTER.write_text(str(runs))
    assert runs % 2 == 0


def test_sets_up():
    SEEN.append(1)


def test_needs_setup():
    assert SEEN
"""


def test_flaky_ratio_with_wilson_interval_and_a_test_needing_another(repo: Repo) -> None:
    """A test failing every other run is flaky at 0.5; one needing another test is listed."""
    repo.write("tests/test_flaky.py", FLAKY_TESTS)
    deep, summary = _deep(repo, "--flaky", "6", "--polluters")
    flaky = deep["flaky"]
    assert flaky["status"] == "ran"
    assert flaky["seeds"] == [1, 2, 3, 4, 5, 6]
    (result,) = flaky["tests"]
    assert result["test_id"] == "tests/test_flaky.py::test_every_other_run"
    assert (result["label"], result["passes"], result["runs"], result["ratio"]) == (
        "flaky",
        3,
        6,
        0.5,
    )
    assert (result["low"], result["high"]) == (0.1876, 0.8124)
    assert flaky["needs_another_first"] == [
        {"test_id": "tests/test_flaky.py::test_needs_setup", "failed_seeds": [4]}
    ]
    assert (
        "| `tests/test_flaky.py::test_every_other_run` | flaky | 3/6 | 0.50 | 0.19-0.81 |"
        in summary
    )
    # The search then names the test it needs: it passes only after test_sets_up ran.
    enablers = [r for r in deep["polluters"]["results"] if r["kind"] == "enabler"]
    assert [(r["target"], r["status"], r["culprits"]) for r in enablers] == [
        ("tests/test_flaky.py::test_needs_setup", "found", ["tests/test_flaky.py::test_sets_up"])
    ]
    assert "passes only after `tests/test_flaky.py::test_sets_up`" in summary


SLOW_TESTS = """\
import time


def test_sleeps():
    time.sleep(1.5)


def test_quick():
    assert True
"""


def test_slow_lists_tests_over_the_configured_per_test_timeout(repo: Repo) -> None:
    """A 1.5 s test over ``per-test-timeout = 1`` is listed, with the advice to mark it."""
    repo.configure("[tool.qualitykit.triage]\nper-test-timeout = 1\nbudget = 600\n")
    repo.write("tests/test_slow.py", SLOW_TESTS)
    deep, summary = _deep(repo, "--slow", code=0)
    slow = deep["slow"]
    assert slow["status"] == "ran"
    assert slow["per_test_timeout_s"] == 1
    assert [t["test_id"] for t in slow["over_timeout"]] == ["tests/test_slow.py::test_sleeps"]
    assert slow["over_timeout"][0]["duration_s"] >= 1.5
    assert slow["slowest"][0]["test_id"] == "tests/test_slow.py::test_sleeps"
    assert len(slow["slowest"]) == 3
    assert slow["budget_s"] == 600
    assert slow["budget_margin"] > 90
    assert "-m 'not slow'" in summary
    # The flag wins over the project's setting.
    done = repo.qualitykit("triage", "--slow", "--timeout-per-test", "5", "--json")
    bundle = json.loads(done.stdout)["bundle"]
    again = json.loads((repo.root / bundle / "deep.json").read_text(encoding="utf-8"))
    assert again["slow"]["per_test_timeout_s"] == 5
    assert again["slow"]["over_timeout"] == []


def test_deep_is_every_check_and_clean_on_a_green_suite(repo: Repo) -> None:
    """``--deep`` asks for all five checks (6 flaky reruns).

    With no failure there is nothing to rerun, and that is clean: each check ran, exit 0.
    """
    deep, summary = _deep(repo, "--deep", code=0)
    assert {name: check["status"] for name, check in deep.items()} == dict.fromkeys(
        ("isolation", "polluters", "cwd", "flaky", "slow"), "ran"
    )
    assert deep["flaky"]["runs"] == 6
    assert deep["isolation"]["reason"] == "no failing test to rerun"
    assert deep["polluters"]["reason"] == "no order-dependent test to search"
    assert "### Flakiness (6 shuffled reruns): ran: no failing test to rerun" in summary
