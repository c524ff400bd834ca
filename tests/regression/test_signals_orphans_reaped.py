"""Regression: orphans a gate adopted as subreaper are reaped, not handed up as zombies."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Repo

# A parent that adopts orphans and never reaps them (as an outer gate running this gate in its
# coverage suite does): every zombie the inner gate leaves behind ends up here.
_SUBREAPER_PARENT = textwrap.dedent(
    """
    import ctypes, os, subprocess, sys
    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    done = subprocess.run([sys.executable, "-m", "qualitykit", "gate"], capture_output=True)
    me = str(os.getpid())
    zombies = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                stat = open(f"/proc/{name}/stat", "rb").read()
            except OSError:
                continue
            fields = stat[stat.rindex(b")") + 2 :].split()
            if fields[0] == b"Z" and fields[1].decode() == me:
                zombies.append(name)
    print(done.returncode, len(zombies))
    """
)


def test_a_timed_out_steps_grandchild_is_reaped_by_the_gate(repo: Repo) -> None:
    """A step's grandchild killed with its group is reaped by the gate that adopted it.

    It broke: the gate made itself its steps' subreaper (to find processes that leave their
    step's session) but never waited for the orphans it adopted. Each became a zombie and,
    when the gate exited, passed to the next subreaper up: under ``make quality`` the outer
    gate, where it stayed for the whole run (``kill(pid, 0)`` still succeeds on a zombie).
    """
    repo.configure(
        'gate = ["sleepy"]\n'
        "[tool.qualitykit.commands.sleepy]\n"
        'command = ["python", "-c", "import subprocess, time; '
        "subprocess.Popen(['sleep', '60']); time.sleep(60)\"]\n"
        "timeout = 2\n"
    )

    parent = subprocess.run(
        [sys.executable, "-c", _SUBREAPER_PARENT],
        cwd=repo.root,
        env={**os.environ, "PYTHONPATH": "src"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    gate_exit, zombies = parent.stdout.split()
    assert gate_exit == "1", parent.stdout
    assert zombies == "0", "the gate left zombies to its own parent"
