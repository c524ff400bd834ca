"""Step processes: each tool in its own process group, captured, timed, ended as a whole.

A timeout ends the tool's whole group; the end of a run (an interrupt above all) ends every
group the run started, and a process one of its threads starts after that is killed at once.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from qualitykit import interrupts

_TERM_GRACE_S = 2.0
_POLL_S = 0.02
_CHILD_ENV = {
    # pyright's wrapper would otherwise ask the package index for a newer release.
    "PYRIGHT_PYTHON_IGNORE_WARNINGS": "1",
    "NO_COLOR": "1",
}


@dataclass(frozen=True)
class ProcessRun:
    """A finished (or failed to start, or ended by us) process."""

    argv: tuple[str, ...]
    returncode: int | None
    stdout: str
    stderr: str
    duration_s: float
    timed_out: bool = False
    missing: bool = False
    # Why the operating system refused to start it (bad interpreter line, not executable,
    # argument list too long, ...): the step is an error, like a missing tool.
    start_error: str | None = None


class _LiveProcesses:
    """Step processes still running, by the run whose thread pool started them.

    So the end of a run (an interrupt above all) ends that run's process groups, and a process
    one of its threads starts after that is killed at once, without touching other runs of
    the same program (the API) or processes started outside a run.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._processes: dict[subprocess.Popen[bytes], str] = {}
        self._ended: set[str] = set()
        # Every pid a step thread ever started: never reaped by anyone but its Popen.
        self.spawned: set[int] = set()

    def add(self, process: subprocess.Popen[bytes]) -> None:
        run = _run_of_this_thread()
        with self._lock:
            self.spawned.add(process.pid)
            if run not in self._ended:
                self._processes[process] = run
                return
        # Its run is being ended: a step whose thread started a process just now must not
        # outlive it (nor keep the interpreter waiting for that thread at exit).
        _signal_group(process, signal.SIGKILL)

    def discard(self, process: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._processes.pop(process, None)

    def end_run(self, run: str) -> None:
        """End every live process group of ``run``; processes it starts from now on are killed.

        After a stop signal, also every descendant that left its step's group (it started its
        own session) and was adopted by this process (see ``interrupts``).
        """
        with self._lock:
            self._ended.add(run)
            processes = [process for process, owner in self._processes.items() if owner == run]
        _end_groups(processes)
        if interrupts.interrupted():
            interrupts.kill_descendants()


_RUN_PREFIX = "qualitykit-run"
_RUN_IDS = itertools.count(1)


def new_run_id() -> str:
    """A fresh run's name: its thread pool's prefix, so its threads' processes are known."""
    return f"{_RUN_PREFIX}{next(_RUN_IDS)}"


def _run_of_this_thread() -> str:
    # A run's pool names its threads "<run>_<n>" (ThreadPoolExecutor's thread_name_prefix).
    name = threading.current_thread().name
    return name.rpartition("_")[0] if name.startswith(_RUN_PREFIX) else ""


LIVE = _LiveProcesses()


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    # The group outlives its leader while any member lives (its id is not reused meanwhile).
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def _end_groups(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM every group at once, grant one short grace to all, then SIGKILL every group.

    The grace ends early when every leader has exited, or at once when a second stop signal
    arrived (``interrupts.hurried``). The final SIGKILL also reaches members that outlived
    their leader or ignore SIGTERM. One grace for all groups: ending them one after another
    would cost a grace per step.
    """
    for process in processes:
        _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + _TERM_GRACE_S
    while (
        not interrupts.hurried()
        and time.monotonic() < deadline
        and any(process.poll() is None for process in processes)
    ):
        time.sleep(_POLL_S)
    for process in processes:
        _signal_group(process, signal.SIGKILL)


def end_process_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process's group, then SIGKILL whatever is left after a grace period."""
    _end_groups([process])


def tool_search_path() -> str:
    """PATH for tools: the running environment's scripts first, so tools come from uv.lock."""
    scripts = str(Path(sys.executable).parent)
    return os.pathsep.join([scripts, os.environ.get("PATH", os.defpath)])


def child_environment() -> dict[str, str]:
    """The environment every tool runs with."""
    env = dict(os.environ)
    env.update(_CHILD_ENV)
    env["PATH"] = tool_search_path()
    env.pop("FORCE_COLOR", None)
    return env


def run_process(
    argv: list[str], cwd: Path, timeout_s: float, extra_env: dict[str, str] | None = None
) -> ProcessRun:
    """Run ``argv`` in its own process group; capture output; end the group on timeout."""
    started = time.monotonic()
    executable = shutil.which(argv[0], path=tool_search_path())
    if executable is None:
        if "/" in argv[0] and (cwd / argv[0]).is_file():
            # A path to a file that is there: not missing, just not startable.
            return ProcessRun(tuple(argv), None, "", "", 0.0, start_error="not executable")
        return ProcessRun(tuple(argv), None, "", "", 0.0, missing=True)
    try:
        process = subprocess.Popen(  # noqa: S603 - argv list, never a shell
            [executable, *argv[1:]],
            cwd=cwd,
            env={**child_environment(), **(extra_env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as problem:
        reason = problem.strerror or str(problem)
        return ProcessRun(tuple(argv), None, "", "", time.monotonic() - started, start_error=reason)
    LIVE.add(process)
    timed_out = False
    try:
        try:
            out, err = process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            end_process_group(process)
            out, err = process.communicate()
    finally:
        LIVE.discard(process)
    return ProcessRun(
        argv=tuple(argv),
        returncode=process.returncode,
        stdout=out.decode("utf-8", "replace"),
        stderr=err.decode("utf-8", "replace"),
        duration_s=time.monotonic() - started,
        timed_out=timed_out,
    )
