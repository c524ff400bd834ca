"""The polling and reaping helpers of ``qualitykit.interrupts``, on real processes.

The gate reaps adopted orphans and waits for stragglers with these; how many a real scan
finds is timing, so these tests run every line of them on purpose (the suite's coverage must
not move from run to run: pyproject's tolerance is 0.1 point).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from qualitykit.interrupts import poll_until, reap


def _state(pid: int) -> str:
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    return fields[0]


def test_poll_until_waits_for_the_condition() -> None:
    answers = iter([False, False, True])

    assert poll_until(lambda: next(answers), 5.0) is True
    assert next(answers, "used") == "used"


def test_poll_until_gives_up_at_its_deadline() -> None:
    started = time.monotonic()

    assert poll_until(lambda: False, 0.05) is False
    assert 0.05 <= time.monotonic() - started < 2.0


def test_reap_collects_an_ended_child_and_skips_what_is_not_one() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    assert poll_until(lambda: _state(child.pid) == "Z", 10.0), "the child did not end"

    reap([child.pid, os.getppid()])  # a zombie of ours, and a process that is no child

    assert not Path(f"/proc/{child.pid}").exists() or _state(child.pid) != "Z"
    assert child.wait(timeout=5) == 0  # Popen learns the status is gone: it says 0
