"""``qualitykit gate --fail-fast``: the first failure ends the running steps, never a pass."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Repo


def setup(repo: Repo, extra: str = "") -> None:
    python = sys.executable
    repo.configure(
        'gate = ["bad", "slow"]\n'
        f"{extra}\n"
        "[tool.qualitykit.commands.bad]\n"
        f'command = ["{python}", "-c", "import time; time.sleep(0.5); raise SystemExit(1)"]\n'
        "[tool.qualitykit.commands.slow]\n"
        f'command = ["{python}", "-c", "import time; time.sleep(60)"]\n'
    )


def test_fail_fast_ends_the_running_step_and_says_cancelled(repo: Repo) -> None:
    """The slow step is ended (not waited for) and shows as cancelled, never as passed."""
    setup(repo)
    started = time.monotonic()
    # Not under CI (which ignores --fail-fast), whatever the environment running this test.
    run = repo.gate("--fail-fast", "--jobs", "2", env={"CI": "false"}, timeout=50)
    assert time.monotonic() - started < 40, run.stderr
    assert run.returncode == 1, run.stderr
    slow = repo.summary()["slow"]
    assert slow["status"] == "error"
    assert slow["summary"].startswith("cancelled (--fail-fast): bad did not pass")
    assert repo.summary()["bad"]["status"] == "fail"


def test_fail_fast_is_ignored_in_ci_unless_the_project_opts_in(repo: Repo) -> None:
    """Under CI=true every step runs (the slow one's timeout ends it), and it says so."""
    setup(repo, "timeout = 3")
    run = repo.gate("--fail-fast", "--jobs", "2", env={"CI": "true"}, timeout=50)
    assert "--fail-fast ignored under CI=true" in run.stderr
    assert "timed out after 3s" in repo.summary()["slow"]["summary"]
    setup(repo, "timeout = 30\nfail-fast-in-ci = true")
    run = repo.gate("--fail-fast", "--jobs", "2", env={"CI": "true"}, timeout=50)
    assert "--fail-fast ignored" not in run.stderr
    assert repo.summary()["slow"]["summary"].startswith("cancelled (--fail-fast)")
