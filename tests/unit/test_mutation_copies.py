"""``mutation.copies.remove_stale``: the leftovers of dead runs go, live runs' copies stay.

A run that was SIGKILLed leaves its private copies in the temp dir; the next run removes
them. Whether a real run finds any is the machine's history, so this test makes each kind on
purpose (the suite's coverage must not depend on what an earlier run left behind).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from qualitykit.mutation.copies import remove_stale, runs_directory


def test_dead_and_unowned_runs_are_removed_live_ones_kept() -> None:
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait(timeout=30)
    base = runs_directory()
    base.mkdir(parents=True, exist_ok=True)
    tag = uuid.uuid4().hex
    dead, unowned, live, mine = (base / f"run-{tag}-{kind}" for kind in ("d", "u", "l", "m"))
    for run, owner in ((dead, ended.pid), (unowned, None), (live, os.getppid()), (mine, None)):
        run.mkdir()
        if owner is not None:
            (run / "owner.pid").write_text(str(owner), encoding="utf-8")
    (mine / "owner.pid").write_text(str(os.getpid()), encoding="utf-8")
    try:
        remove_stale()

        assert not dead.exists()  # its process is gone
        assert not unowned.exists()  # no owner recorded: nobody can be using it
        assert live.is_dir()  # another live process's run
        assert mine.is_dir()  # this process's own run
    finally:
        for run in (live, mine):
            (run / "owner.pid").unlink()
            run.rmdir()
