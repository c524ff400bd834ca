"""Every stop signal ends every process the gate started, quickly, with one line and 128+N.

Broke: SIGHUP (a closed terminal) killed the gate outright and left its steps running; SIGTERM
(CI cancelling a job) printed nothing; a second signal while a step ignored SIGTERM aborted
the cleanup, so the gate waited a minute for that step and its children; and a child that
started its own session escaped the kill of its step's process group. A gate that leaves
processes behind keeps writing into ``.qualitykit/`` under the next run.
"""

from __future__ import annotations

import signal
from typing import TYPE_CHECKING

import pytest

from integration.interrupt_fixtures import EXIT_WITHIN_S, Stubborn, stop

if TYPE_CHECKING:
    from conftest import Repo


@pytest.mark.parametrize(
    "signals",
    [
        (signal.SIGINT,),
        (signal.SIGTERM,),
        (signal.SIGHUP,),
        (signal.SIGINT, signal.SIGTERM),
    ],
    ids=["SIGINT", "SIGTERM", "SIGHUP", "SIGINT-then-SIGTERM"],
)
def test_a_stop_signal_ends_every_process_quickly(
    repo: Repo, signals: tuple[signal.Signals, ...]
) -> None:
    """A step ignoring SIGTERM, with a child in its group and one in its own session."""
    stubborn = Stubborn(repo)
    gate = stubborn.start("gate", "--no-cache")

    seconds, stderr = stop(gate, *signals)

    assert stubborn.kill_leftovers() == [], "processes outlived the gate"
    first = signals[0]
    assert gate.returncode == 128 + first, stderr
    assert "Traceback" not in stderr, stderr
    assert stderr.strip().splitlines()[-1] == f"qualitykit: interrupted ({first.name})", stderr
    assert stderr.count("interrupted") == 1, stderr
    assert seconds < EXIT_WITHIN_S, f"took {seconds:.1f}s to stop"
