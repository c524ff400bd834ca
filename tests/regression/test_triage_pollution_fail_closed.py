"""The polluter search never blames a test it did not verify, and a dead run is never a pass."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from tests.integration.pollution_fixtures import filler, suite

from qualitykit.errors import QualityKitError
from qualitykit.triage.polluters import search
from qualitykit.triage.session import Session

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import Repo

# Fails on every other run of the whole process tree: a counter in files created exclusively.
FLAKY = """\
import os
import pathlib


def test_flaky():
    counter = pathlib.Path(__file__).with_name("counter")
    counter.mkdir(exist_ok=True)
    number = 0
    while True:
        try:
            os.close(os.open(counter / str(number), os.O_CREAT | os.O_EXCL))
            break
        except FileExistsError:
            number += 1
    assert number % 2 == 0
"""


def test_a_flaky_target_is_unstable_and_nobody_is_blamed(repo: Repo) -> None:
    """A target that fails every other run must not send the search after an innocent test.

    Without the stability check the prefix run failing once would start a search whose
    answers are noise, and a passing test would be reported as the polluter.
    """
    suite(repo, {"test_z_flaky": FLAKY})
    filler(repo, "test_a", 5)
    with Session(repo.root, workers=1) as session:
        result = search(session, "tests/test_z_flaky.py::test_flaky")
    assert result.status == "unstable", result
    assert result.culprits == ()
    assert result.repro == ""


def test_a_crashed_or_hung_run_is_never_a_pass(repo: Repo) -> None:
    """A child that dies or hangs reports crashed/timeout for its test and not-run after it."""
    crash = "import os\n\n\ndef test_crash():\n    os._exit(0)\n"
    hang = "import time\n\n\ndef test_hang():\n    time.sleep(60)\n"
    suite(repo, {"test_crash": crash, "test_hang": hang})
    filler(repo, "test_ok", 1)
    with Session(repo.root, timeout=3) as session:
        crashed, hung = session.run_many(
            [
                ["tests/test_crash.py::test_crash", "tests/test_ok.py::test_0"],
                ["tests/test_ok.py::test_0", "tests/test_hang.py::test_hang"],
            ]
        )
    assert crashed[0].outcomes == {
        "tests/test_crash.py::test_crash": "crashed",
        "tests/test_ok.py::test_0": "not-run",
    }
    assert hung[0].outcomes == {
        "tests/test_ok.py::test_0": "passed",
        "tests/test_hang.py::test_hang": "timeout",
    }


def test_a_target_that_crashes_after_the_prefix_gets_no_culprit(repo: Repo) -> None:
    """A crash is not the failure being searched for: no set is claimed from it."""
    killer = 'import os\n\n\ndef test_arm():\n    os.environ["QK_DIE"] = "1"\n'
    victim = (
        'import os\n\n\ndef test_victim():\n    if os.environ.get("QK_DIE"):\n        os._exit(0)\n'
    )
    suite(repo, {"test_a_killer": killer, "test_z_victim": victim})
    with Session(repo.root) as session:
        result = search(session, "tests/test_z_victim.py::test_victim")
    assert result.status == "not-reproduced", result
    assert result.culprits == ()
    assert "crashed" in result.detail


def test_a_suite_that_cannot_be_collected_is_one_line(repo: Repo) -> None:
    """A conftest that raises: neither mode can collect, so it is an error naming it, no search."""
    suite(repo, {"conftest": "raise RuntimeError('broken conftest')\n"})
    with pytest.raises(QualityKitError, match="could not collect") as error:
        Session(repo.root)
    assert "\n" not in str(error.value)


def test_the_projects_exitfirst_and_xdist_options_do_not_hide_the_target(repo: Repo) -> None:
    """A project's ``-x`` stopped a fresh pytest at a failing culprit and ``-n`` reordered runs.

    The target then never ran (or ran elsewhere), so its outcome said nothing. Both modes
    must run every requested test, in order, in one process, and say so in the repro command.
    """
    failing_polluter = 'import os\n\n\ndef test_a():\n    os.environ["QK_X"] = "1"\n    assert 0\n'
    victim = 'import os\n\n\ndef test_b():\n    assert "QK_X" not in os.environ\n'
    suite(repo, {"test_a": failing_polluter, "test_b": victim})
    repo.write("pytest.ini", "[pytest]\naddopts = -x -p xdist -n 2\n")
    tests = ["tests/test_a.py::test_a", "tests/test_b.py::test_b"]
    expected = dict.fromkeys(tests, "failed")
    with Session(repo.root, fork=False) as fresh:
        assert fresh.run(tests).outcomes == expected
    with Session(repo.root) as session:
        assert session.mode == "fork"
        assert session.run(tests).outcomes == expected
        result = search(session, tests[1])
    assert result.culprits == (tests[0],)
    assert "-n0" in result.repro.split()


def test_a_test_that_kills_the_collected_worker_is_crashed_and_the_session_falls_back(
    repo: Repo,
) -> None:
    """The collected process itself dying leaves no answer: crashed, then fresh pytest runs."""
    killer = (
        "import os\nimport signal\n\n\n"
        "def test_kill():\n    os.kill(os.getppid(), signal.SIGKILL)\n"
    )
    suite(repo, {"test_kill": killer})
    filler(repo, "test_ok", 1)
    with Session(repo.root, timeout=20) as session:
        first = session.run(["tests/test_ok.py::test_0", "tests/test_kill.py::test_kill"])
        assert set(first.outcomes.values()) == {"crashed"}
        assert first.mode == "fork"
        assert session.mode == "subprocess"
        assert "stopped answering" in session.fallback
        again = session.run(["tests/test_ok.py::test_0"])
    assert again.outcomes == {"tests/test_ok.py::test_0": "passed"}
    assert again.mode == "subprocess"


def test_an_interpreter_without_pytest_or_missing_is_one_line(repo: Repo, tmp_path: Path) -> None:
    """The project's interpreter must run pytest: otherwise one line naming why, no search."""
    suite(repo, {"test_x": "def test_x():\n    pass\n"})
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    with pytest.raises(QualityKitError, match="cannot import pytest") as error:
        Session(repo.root, python=str(bare / "bin" / "python"))
    assert "\n" not in str(error.value)
    with pytest.raises(QualityKitError, match="No such file") as error:
        Session(repo.root, python=str(tmp_path / "missing" / "python"))
    assert "\n" not in str(error.value)


def test_a_target_that_was_not_collected_or_runs_first_is_not_searched(repo: Repo) -> None:
    """No culprit can be claimed for a test the suite does not have, or that nothing precedes."""
    suite(repo, {"test_x": "def test_x():\n    pass\n"})
    with Session(repo.root) as session:
        missing = search(session, "tests/test_x.py::test_gone")
        first = search(session, "tests/test_x.py::test_x")
    assert (missing.status, missing.detail) == ("not-reproduced", "the target was not collected")
    assert (first.status, first.detail) == ("not-reproduced", "no test runs before the target")
    assert missing.culprits == first.culprits == ()


def test_an_empty_run_runs_nothing_in_either_mode(repo: Repo) -> None:
    """A fresh pytest given no node id runs the whole suite: an empty request must run none."""
    marker = "import pathlib\n\n\ndef test_mark():\n    pathlib.Path('ran').write_text('')\n"
    suite(repo, {"test_mark": marker})
    for fork in (True, False):
        with Session(repo.root, fork=fork) as session:
            result, leaks = session.run_many([[]], leaks=True)[0]
        assert result.outcomes == {}
        assert not (repo.root / "ran").exists()
        # Other processes on the machine may add entries to the shared temporary directory.
        assert [leak for leak in leaks if leak.kind != "tempfile"] == []


@pytest.mark.parametrize("fork", [True, False], ids=["fork", "subprocess"])
def test_a_background_process_left_by_a_test_does_not_hold_the_run(
    repo: Repo, *, fork: bool
) -> None:
    """A test's daemon keeps the run's pipe open: the run still ends when its tests did."""
    # A forked process inherits every descriptor, the run's pipe too (subprocess closes them).
    daemon = (
        "import os\nimport time\n\n\ndef test_daemon():\n"
        "    if os.fork() == 0:\n        time.sleep(60)\n        os._exit(0)\n"
    )
    suite(repo, {"test_daemon": daemon})
    with Session(repo.root, timeout=30, fork=fork) as session:
        result = session.run(["tests/test_daemon.py::test_daemon"])
    assert result.outcomes == {"tests/test_daemon.py::test_daemon": "passed"}
    assert result.seconds < 20
