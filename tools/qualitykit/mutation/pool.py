"""The warm workers: one process per private copy, one JSON line per job each way."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, cast

from qualitykit.errors import QualityKitError
from qualitykit.mutation import protocol

WORKER_SCRIPT = Path(__file__).with_name("worker.py")
# Every file the worker side runs: its code is part of what a stored session belongs to.
_WORKER_FILES = (
    "worker.py",
    "worker_serve.py",
    "worker_zygote.py",
    "worker_process.py",
    "worker_baseline.py",
    "protocol.py",
)
_GRACE_S = 5.0  # for a worker to exit by itself after its last job
_ANSWER_GRACE_S = 5.0  # beyond twice a job's timeout, for the worker's own work
_WARM_UP_S = 3600.0
_TIMEOUT_VARIABLE = "QUALITYKIT_MUTATION_BASELINE_TIMEOUT"
_ANSWERED = frozenset(
    {
        protocol.KILLED,
        protocol.SURVIVED,
        protocol.TIMEOUT,
        protocol.INCOMPETENT,
        protocol.ERROR,
        protocol.UNSUPPORTED,
    }
)


def worker_sources() -> list[str]:
    """The text of every worker-side module."""
    return [WORKER_SCRIPT.with_name(name).read_text("utf-8") for name in _WORKER_FILES]


def fatal_detail(output: str) -> str | None:
    """The one-line reason of a worker's ``fatal`` message, or None when ``output`` is not one."""
    try:
        message: object = json.loads(output.strip() or "null")
    # qualitykit: allow[QK-EXC-002] not JSON, so not a fatal message: None says so
    except ValueError:
        return None
    if isinstance(message, dict):
        fields = cast("dict[str, object]", message)
        if fields.get("kind") == protocol.FATAL:
            return str(fields.get("detail", ""))
    return None


def warm_up_timeout() -> float:
    """Seconds the baseline, and a worker's warm-up, may take before they count as hung.

    ``QUALITYKIT_MUTATION_BASELINE_TIMEOUT`` overrides the default (an hour): the whole suite
    runs once under coverage, so no figure derived from the project is known before it.
    """
    text = os.environ.get(_TIMEOUT_VARIABLE, "")
    try:
        seconds = float(text) if text else _WARM_UP_S
    except ValueError:
        raise QualityKitError(f"{_TIMEOUT_VARIABLE}={text!r}: not a number of seconds") from None
    if not seconds > 0:
        raise QualityKitError(f"{_TIMEOUT_VARIABLE}={text!r}: must be above 0")
    return seconds


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL ``process`` and its process group (it leads one), then reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


class Worker:
    """One warm worker process (its own process group) serving jobs over its pipes.

    Every wait on it is bounded: its warm-up by :func:`warm_up_timeout`, a job by twice the
    job's timeout plus a grace (the worker enforces the timeout on its child itself). A worker
    that dies, hangs or answers something unreadable is killed, and the files it may have left
    mutated in its copy are restored before a new one starts there.
    """

    def __init__(self, python: str, spec: dict[str, Any], copy: Path, log: Path) -> None:
        """A worker for ``copy``; nothing starts before :meth:`spawn`."""
        self.python = python
        self.spec = {**spec, "root": str(copy), "log": str(log)}
        self.copy = copy
        self.process: subprocess.Popen[bytes] | None = None
        self.waiting = False
        self.buffer = b""
        self.failure = ""  # why the last read gave nothing
        # The copy's files as they were before any job touched them: a dead worker may have
        # left a mutant in one, which its replacement would take for the original.
        self.pristine: dict[str, tuple[bytes, int]] = {}
        # Set once the run ends (or is interrupted): no new process may start after it.
        self.closed = False
        self.lock = threading.Lock()

    def spawn(self) -> None:
        """Start the process (the copy restored first); :meth:`ready` waits for its warm-up."""
        if self.process is not None:
            self.stop()
            self._restore()
        self.buffer = b""
        self.process = subprocess.Popen(  # noqa: S603 - argv list, never a shell
            [self.python, str(WORKER_SCRIPT), protocol.SERVE, json.dumps(self.spec)],
            cwd=self.copy,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,
            start_new_session=True,
        )
        self.waiting = True

    def _restore(self) -> None:
        for module, (content, mtime_ns) in self.pristine.items():
            path = self.copy / module
            if path.read_bytes() != content:
                path.write_bytes(content)
            os.utime(path, ns=(mtime_ns, mtime_ns))

    def ready(self) -> None:
        """Wait for the worker's warm-up to end (exit 2 when it cannot start)."""
        if not self.waiting:
            return
        self.waiting = False
        hello = self._read(warm_up_timeout())
        if hello is None:
            self.stop()
            msg = f"mutation: a worker failed to start ({self.failure}); see {self.spec['log']}"
            raise QualityKitError(msg)
        if hello.get("kind") == protocol.FATAL:
            self.stop()
            raise QualityKitError(f"mutation: {hello.get('detail')}")

    def _read(self, timeout: float) -> dict[str, Any] | None:
        """The next message, or None (:attr:`failure` says why) within ``timeout`` seconds."""
        assert self.process is not None  # noqa: S101 - spawned
        assert self.process.stdout is not None  # noqa: S101 - a pipe
        handle = self.process.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.failure = f"no answer within {timeout:.0f} s"
                return None
            if not select.select([handle], [], [], remaining)[0]:
                continue
            chunk = os.read(handle, 65536)
            if not chunk:
                self.failure = "it died"
                return None
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        try:
            message: object = json.loads(line)
        except ValueError:
            message = None
        if not isinstance(message, dict):
            self.failure = f"an unreadable answer: {line[:80]!r}"
            return None
        return cast("dict[str, Any]", message)

    def ask(self, job: dict[str, Any]) -> dict[str, Any] | None:
        """Send one job, wait for its answer (None: the worker died, hung or garbled it)."""
        module = str(job["module"])
        if module not in self.pristine:
            path = self.copy / module
            self.pristine[module] = (path.read_bytes(), path.stat().st_mtime_ns)
        with self.lock:
            if self.closed:
                self.failure = "the run is ending"
                return None
            if self.process is None or self.process.poll() is not None:
                self.spawn()
        self.ready()
        assert self.process is not None  # noqa: S101 - spawned
        assert self.process.stdin is not None  # noqa: S101 - a pipe
        try:
            self.process.stdin.write(json.dumps(job).encode() + b"\n")
        except OSError:
            self.failure = "it died"
            answer = None
        else:
            answer = self._read(2 * float(job["timeout"]) + _ANSWER_GRACE_S)
        if answer is not None and (
            answer.get("kind") != protocol.ANSWER or answer.get("outcome") not in _ANSWERED
        ):
            self.failure = f"an unreadable answer: {json.dumps(answer)[:80]}"
            answer = None
        if answer is None:
            self.stop()  # dead, hung or garbled: the next job starts a new one
        return answer

    def stop(self) -> None:
        """Kill the worker and its group at once (its children die with it).

        The pipes stay open: a thread may still be reading them, and sees the end of file.
        """
        if self.process is not None:
            kill_group(self.process)

    def halt(self) -> None:
        """Kill the worker now, and allow no new one (an interrupted run)."""
        with self.lock:
            self.closed = True
        self.stop()

    def close(self) -> None:
        """End the worker: its stdin closes and it exits; killed with its group if it lingers.

        Called once no thread uses the worker any more.
        """
        with self.lock:
            self.closed = True
        if self.process is None:
            return
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=_GRACE_S)
        self.stop()
        if self.process.stdout is not None:
            self.process.stdout.close()


class Pool:
    """The workers of a run, one per private copy, spawned at once (they warm up meanwhile)."""

    def __init__(
        self, python: str, spec: dict[str, Any], copies: list[Path], state_dir: Path
    ) -> None:
        """Spawn one worker per copy, logging into ``state_dir/workers``."""
        logs = state_dir / "workers"
        logs.mkdir(parents=True, exist_ok=True)
        self.workers: list[Worker] = []
        # Spawned from this (the main) thread: PR_SET_PDEATHSIG ties a worker to its creator.
        for index, copy in enumerate(copies):
            log = logs / f"worker-{index}.log"
            log.write_text("", encoding="utf-8")
            worker = Worker(python, spec, copy, log)
            worker.spawn()
            self.workers.append(worker)

    def ready(self) -> None:
        """Wait for every worker's warm-up."""
        for worker in self.workers:
            worker.ready()

    def halt(self) -> None:
        """Kill every worker at once; none starts again."""
        for worker in self.workers:
            worker.halt()

    def close(self) -> None:
        """End every worker."""
        for worker in self.workers:
            worker.close()
