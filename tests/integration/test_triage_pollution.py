"""Triage's polluter search and "what leaked" on real pytest suites built in tmp_path."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from tests.integration.pollution_fixtures import filler, suite

from qualitykit.triage.leaks import what_leaked, with_leaks
from qualitykit.triage.polluters import search
from qualitykit.triage.session import Session

if TYPE_CHECKING:
    from tests.conftest import Repo

POLLUTER = """\
import os
import shared_state


def test_a():
    os.environ["QK_POLLUTED"] = "yes"
    shared_state.MODE = "dirty"
"""
VICTIM = """\
import os


def test_b():
    assert "QK_POLLUTED" not in os.environ
"""


def _pytest(repo: Repo, command: str) -> subprocess.CompletedProcess[str]:
    """Run a repro command as printed (``python`` is this interpreter)."""
    argv = shlex.split(command)
    assert argv[0] == "python"
    return subprocess.run(
        [sys.executable, *argv[1:]],
        cwd=repo.root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_polluter_among_thirty_tests_is_found_alone_with_what_it_leaked(repo: Repo) -> None:
    """Exactly the test that set the variable is blamed, its repro fails, the leak is named."""
    suite(repo, {"test_b_polluter": POLLUTER, "test_z_victim": VICTIM})
    before = filler(repo, "test_a_first", 14)
    after = filler(repo, "test_c_then", 14)
    with Session(repo.root) as session:
        assert session.mode == "fork", session.fallback
        prefix = [*before, "tests/test_b_polluter.py::test_a", *after]
        assert session.tests[:-1] == prefix
        result = with_leaks(session, search(session, "tests/test_z_victim.py::test_b"))

    assert result.status == "found", result.detail
    assert result.kind == "polluter"
    assert result.culprits == ("tests/test_b_polluter.py::test_a",)
    assert result.mode == "fork"
    leaked = {(leak.kind, leak.name, leak.before, leak.after) for leak in result.leaks}
    assert ("env", "QK_POLLUTED", None, "yes") in leaked
    assert ("global", "shared_state.MODE", "'clean'", "'dirty'") in leaked
    # The repro command, run as printed, fails on the victim (the search saw it pass alone).
    repro = _pytest(repo, result.repro)
    assert repro.returncode == 1, repro.stdout
    assert "1 failed, 1 passed" in repro.stdout


def test_three_culprits_needed_together_are_all_found(repo: Repo) -> None:
    """The victim fails only after all three: the set is found, never a false single."""
    half = 'def test_half():\n    os.environ["QK_HALF"] = "1"\n'
    other = "def test_other():\n    shared_state.SEEN.append(1)\n"
    third = 'def test_third():\n    shared_state.MODE = "third"\n'
    victim = (
        "import os\nimport shared_state\n\n\ndef test_victim():\n"
        '    assert not ("QK_HALF" in os.environ and shared_state.SEEN\n'
        '                and shared_state.MODE == "third")\n'
    )
    suite(repo, {"test_z_victim": victim})
    filler(repo, "test_a", 8, extra=half)
    filler(repo, "test_b", 8, extra=third)
    filler(repo, "test_c", 8, extra=other)
    with Session(repo.root) as session:
        result = search(session, "tests/test_z_victim.py::test_victim")
        leaks = what_leaked(session, result.culprits)

    assert result.status == "found", result.detail
    assert result.culprits == (
        "tests/test_a.py::test_half",
        "tests/test_b.py::test_third",
        "tests/test_c.py::test_other",
    )
    assert {(leak.kind, leak.name) for leak in leaks} >= {
        ("env", "QK_HALF"),
        ("global", "shared_state.SEEN"),
        ("global", "shared_state.MODE"),
    }


def test_a_test_that_passes_only_after_another_names_its_enabler(repo: Repo) -> None:
    """The opposite case: the target fails alone and passes only after its enabler ran."""
    setup = 'def test_setup():\n    os.environ["QK_READY"] = "1"\n'
    needs = 'import os\n\n\ndef test_needs():\n    assert os.environ.get("QK_READY") == "1"\n'
    suite(repo, {"test_z_needs": needs})
    filler(repo, "test_a", 10)
    filler(repo, "test_b", 10, extra=setup)
    with Session(repo.root) as session:
        polluter = search(session, "tests/test_z_needs.py::test_needs")
        enabler = search(session, "tests/test_z_needs.py::test_needs", kind="enabler")

    assert polluter.status == "not-reproduced"
    assert polluter.culprits == ()
    assert enabler.status == "found", enabler.detail
    assert enabler.kind == "enabler"
    assert enabler.culprits == ("tests/test_b.py::test_setup",)


@pytest.mark.slow  # five fresh pytest start-ups: 8 s on an idle machine, 25 s on a busy one
def test_subprocess_mode_finds_the_same_polluter_and_says_so(repo: Repo) -> None:
    """Without fork reuse, a fresh pytest per run gives the same answer, and the mode says it."""
    suite(repo, {"test_b_polluter": POLLUTER, "test_z_victim": VICTIM})
    with Session(repo.root, fork=False) as session:
        # One repeat: each run is a whole pytest start-up here.
        result = with_leaks(session, search(session, "tests/test_z_victim.py::test_b", repeats=1))

    assert result.mode == "subprocess"
    assert result.status == "found", result.detail
    assert result.culprits == ("tests/test_b_polluter.py::test_a",)
    assert ("env", "QK_POLLUTED") in {(leak.kind, leak.name) for leak in result.leaks}


def test_the_project_interpreter_and_root_are_used_not_ours(repo: Repo) -> None:
    """The tests run in the project root, with it first on sys.path, as python -m pytest does."""
    where = "import os\nimport sys\n\n\ndef test_where():\n    assert os.getcwd() in sys.path\n"
    suite(repo, {"test_where": where})
    with Session(repo.root) as session:
        result = session.run(["tests/test_where.py::test_where"])
    assert result.outcomes == {"tests/test_where.py::test_where": "passed"}
    assert Path.cwd() != repo.root


LEAKY = """\
import logging
import os
import random
import sys
import tempfile

KEEP = []


def test_leaks_everything():
    os.environ["QK_LEAK"] = "1"
    os.chdir(os.path.join(os.getcwd(), "tests"))
    sys.path.append("/qk-leak")
    logging.getLogger("qk.leak").setLevel(logging.ERROR)
    random.random()
    KEEP.append(open(__file__))
    import lazy_module
    handle, path = tempfile.mkstemp(prefix="qk-leak-")
    os.close(handle)
    os.environ["QK_LEAK_FILE"] = path  # where the leaked file is, for the test to remove it
    assert lazy_module.VALUE == 1
"""


def test_every_kind_of_leak_is_named(repo: Repo) -> None:
    """Each kind of state a test can leave behind is reported, by name, with before/after."""
    suite(repo, {"test_leaky": LEAKY, "lazy_module": "VALUE = 1\n"})
    with Session(repo.root) as session:
        leaks = what_leaked(session, ["tests/test_leaky.py::test_leaks_everything"])
    temp_file = next(leak.after for leak in leaks if leak.name == "QK_LEAK_FILE")
    assert temp_file is not None
    Path(temp_file).unlink()
    found = {(leak.kind, leak.name) for leak in leaks}
    assert found >= {
        ("env", "QK_LEAK"),
        ("cwd", "cwd"),
        ("sys.path", "/qk-leak"),
        ("logging", "qk.leak"),
        ("random", "random.getstate()"),
        ("module", "lazy_module"),
        ("global", "test_leaky.KEEP"),
        ("tempfile", Path(temp_file).name),
    }
    # A long path is cut in its middle: its start and its file stay (tmp_path may be deep).
    leaked_file = str(repo.root / "tests" / "test_leaky.py")
    assert any(
        leak.kind == "fd"
        and leak.after is not None
        and leak.after.startswith(leaked_file[:30])
        and leak.after.endswith("/tests/test_leaky.py")
        for leak in leaks
    )
    cwd = next(leak for leak in leaks if leak.kind == "cwd")
    assert (cwd.before, cwd.after) == (str(repo.root), str(repo.root / "tests"))
