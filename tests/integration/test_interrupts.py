"""Interrupted runs leave consistent state: nothing stored for a step that did not finish.

A step ended by our cleanup may still exit 0 (it traps SIGTERM and exits cleanly); storing
that as a PASS would let the next run reuse a verdict for work that never completed. The
fast-path record must not be written either, and the next run must rerun the step.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from integration.interrupt_fixtures import EXIT_WITHIN_S, Stubborn, stop

if TYPE_CHECKING:
    from conftest import Repo


@pytest.mark.parametrize(
    ("command", "sig"),
    [(("gate", "--jobs", "2"), signal.SIGTERM), (("check", "graceful"), signal.SIGINT)],
    ids=["gate-SIGTERM", "check-SIGINT"],
)
def test_an_interrupted_step_is_not_stored_and_the_next_run_reruns_it(
    repo: Repo, command: tuple[str, ...], sig: signal.Signals
) -> None:
    stubborn = Stubborn(repo, graceful=True)
    wait_for = None if command[0] == "gate" else (stubborn.started[1],)
    run = stubborn.start(*command, wait_for=wait_for)

    seconds, stderr = stop(run, sig)

    assert stubborn.kill_leftovers() == []
    assert run.returncode == 128 + sig, stderr
    assert stderr.strip().splitlines()[-1] == f"qualitykit: interrupted ({sig.name})", stderr
    assert seconds < EXIT_WITHIN_S
    state = repo.root / ".qualitykit"
    assert not (state / "results" / "graceful.json").exists(), "an interrupted step was stored"
    assert not (state / "results" / "stubborn.json").exists(), "an interrupted step was stored"
    assert not (state / "gate-fastpath.json").exists()

    rerun = repo.qualitykit(*command, env={"QK_TEST_FAST": "1"})

    assert rerun.returncode == 0, rerun.stderr
    assert stubborn.runs.read_text().splitlines() == ["run", "run"], "graceful did not rerun"
    if command[0] == "gate":
        summary = repo.summary()
        assert {name: step["status"] for name, step in summary.items()} == {
            "stubborn": "pass",
            "graceful": "pass",
        }
        assert not any(step["cached"] for step in summary.values())


def _blocked_on_a_lock(pid: int) -> bool:
    # /proc/locks lists a process blocked in flock() as "N: -> FLOCK ADVISORY WRITE PID ...".
    blocked = [
        line.split() for line in Path("/proc/locks").read_text().splitlines() if "->" in line
    ]
    return any(fields[5] == str(pid) for fields in blocked)


def test_a_stop_signal_ends_a_run_waiting_for_the_lock(repo: Repo) -> None:
    """The wait for another run's lock is interruptible, and leaves the other run alone."""
    stubborn = Stubborn(repo)
    first = stubborn.start("gate")
    second = stubborn.start("gate", wait_for=())
    deadline = time.monotonic() + 60
    while not _blocked_on_a_lock(second.pid):  # the second run waits for the first's lock
        assert second.poll() is None, "the second run did not wait"
        assert time.monotonic() < deadline, "the second run never reached the lock"
        time.sleep(0.05)

    seconds, stderr = stop(second, signal.SIGTERM)

    assert second.returncode == 128 + signal.SIGTERM, stderr
    assert f"another qualitykit run (pid {first.pid}) is using this project" in stderr
    assert stderr.strip().splitlines()[-1] == "qualitykit: interrupted (SIGTERM)", stderr
    assert seconds < EXIT_WITHIN_S
    assert first.poll() is None, "the first run was disturbed"
    stop(first, signal.SIGINT)
    assert first.returncode == 128 + signal.SIGINT
    assert stubborn.kill_leftovers() == []


def test_a_signal_ignored_at_start_stays_ignored(repo: Repo) -> None:
    """``nohup qualitykit gate`` survives a closed terminal, as nohup promises; SIGTERM still
    ends it cleanly."""
    stubborn = Stubborn(repo)
    gate = stubborn.start("gate", prefix=("nohup",))

    gate.send_signal(signal.SIGHUP)
    time.sleep(1.0)
    alive = gate.poll() is None
    seconds, stderr = stop(gate, signal.SIGTERM)

    assert alive, stderr
    assert gate.returncode == 128 + signal.SIGTERM, stderr
    assert seconds < EXIT_WITHIN_S
    assert stubborn.kill_leftovers() == []
