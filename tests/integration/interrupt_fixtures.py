"""Shared by the interrupt tests: stubborn steps, a gate run in the background, /proc checks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Repo

# Ignores SIGTERM, and starts two children that ignore it too: one in the step's process
# group, one in a session of its own (as a daemon or a nested gate would).
STUBBORN = """\
import os, pathlib, signal, subprocess, sys, time

if os.environ.get("QK_TEST_FAST"):
    sys.exit(0)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
marker, started = sys.argv[1], sys.argv[2]
sleeper = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(120)"
subprocess.Popen([sys.executable, "-c", sleeper, marker])
subprocess.Popen([sys.executable, "-c", sleeper, marker], start_new_session=True)
pathlib.Path(started).write_text("started")
time.sleep(120)
"""

# Counts its runs; ends with exit 0 on SIGTERM, so storing its result would store a PASS.
GRACEFUL = """\
import os, pathlib, signal, sys, time

with open(sys.argv[2], "a") as runs:
    runs.write("run\\n")
if os.environ.get("QK_TEST_FAST"):
    sys.exit(0)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
pathlib.Path(sys.argv[3]).write_text("started")
time.sleep(120)
"""

EXIT_WITHIN_S = 5.0


class Stubborn:
    """A repo whose gate runs the stubborn step (and optionally the graceful one)."""

    def __init__(self, repo: Repo, *, graceful: bool = False) -> None:
        self.repo = repo
        self.marker = f"qk-interrupt-test-{uuid.uuid4().hex}"
        self.started = [repo.root.parent / "stubborn.started"]
        self.runs = repo.root.parent / "graceful.runs"
        repo.write("stubborn.py", STUBBORN)
        gate = ["stubborn", "graceful"] if graceful else ["stubborn"]
        config = (
            f"gate = {json.dumps(gate)}\n"
            "[tool.qualitykit.commands.stubborn]\n"
            f'command = ["python", "stubborn.py", "{self.marker}", "{self.started[0]}"]\n'
        )
        if graceful:
            self.started.append(repo.root.parent / "graceful.started")
            repo.write("graceful.py", GRACEFUL)
            config += (
                "[tool.qualitykit.commands.graceful]\n"
                f'command = ["python", "graceful.py", "{self.marker}", "{self.runs}",'
                f' "{self.started[1]}"]\n'
            )
        repo.configure(config)

    def start(
        self, *args: str, wait_for: tuple[Path, ...] | None = None, prefix: tuple[str, ...] = ()
    ) -> subprocess.Popen[str]:
        """``qualitykit ARGS`` in the background; returns once every step (or ``wait_for``)
        has started.
        """
        started = self.started if wait_for is None else wait_for
        env = {**os.environ, "PYTHONPATH": "src"}
        env.pop("GITHUB_ACTIONS", None)
        env.pop("GITHUB_STEP_SUMMARY", None)
        process = subprocess.Popen(
            [*prefix, sys.executable, "-m", "qualitykit", *args],
            cwd=self.repo.root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 120
        while not all(path.exists() for path in started):
            if process.poll() is not None or time.monotonic() > deadline:
                out, err = process.communicate()
                self.kill_leftovers()
                raise AssertionError(f"the steps never started: {out}\n{err}")
            time.sleep(0.05)
        return process

    def leftovers(self) -> list[int]:
        """Live processes carrying this test's marker (zombies have no command line)."""
        found: list[int] = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    cmdline = (entry / "cmdline").read_bytes()
                # qualitykit: allow[QK-EXC-002] a process that ended meanwhile has no /proc entry
                except OSError:
                    continue
                if self.marker.encode() in cmdline:
                    found.append(int(entry.name))
        return found

    def kill_leftovers(self) -> list[int]:
        """Wait briefly for the marked processes to go; SIGKILL (and return) any still there."""
        deadline = time.monotonic() + 1.0
        while (left := self.leftovers()) and time.monotonic() < deadline:
            time.sleep(0.05)
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        return left


def stop(process: subprocess.Popen[str], *signals: signal.Signals) -> tuple[float, str]:
    """Send ``signals`` (0.3 s apart); the seconds until the process ended, and its stderr."""
    started = time.monotonic()
    for number, sig in enumerate(signals):
        if number:
            time.sleep(0.3)
        process.send_signal(sig)
    try:
        _, err = process.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    return time.monotonic() - started, err
