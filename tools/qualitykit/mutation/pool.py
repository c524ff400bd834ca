"""The warm workers: one process per private copy, one JSON line per job each way."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
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


def worker_sources() -> list[str]:
    """The text of every worker-side module."""
    return [WORKER_SCRIPT.with_name(name).read_text("utf-8") for name in _WORKER_FILES]


def fatal_detail(output: str) -> str | None:
    """The one-line reason of a worker's ``fatal`` message, or None when ``output`` is not one."""
    try:
        message: object = json.loads(output.strip() or "null")
    except ValueError:
        return None
    if isinstance(message, dict):
        fields = cast("dict[str, object]", message)
        if fields.get("kind") == protocol.FATAL:
            return str(fields.get("detail", ""))
    return None


class Worker:
    """One warm worker process (its own process group) serving jobs over its pipes."""

    def __init__(self, python: str, spec: dict[str, Any], copy: Path, log: Path) -> None:
        """A worker for ``copy``; nothing starts before :meth:`spawn`."""
        self.python = python
        self.spec = {**spec, "root": str(copy), "log": str(log)}
        self.copy = copy
        self.process: subprocess.Popen[str] | None = None
        self.waiting = False

    def spawn(self) -> None:
        """Start the process; :meth:`ready` waits for its warm-up."""
        self.process = subprocess.Popen(  # noqa: S603 - argv list, never a shell
            [self.python, str(WORKER_SCRIPT), protocol.SERVE, json.dumps(self.spec)],
            cwd=self.copy,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
            start_new_session=True,
        )
        self.waiting = True

    def ready(self) -> None:
        """Wait for the worker's warm-up to end."""
        if self.waiting:
            self.waiting = False
            hello = self._read()
            if hello is None:
                msg = f"mutation: a worker failed to start; see {self.spec['log']}"
                raise QualityKitError(msg)
            if hello.get("kind") == protocol.FATAL:
                raise QualityKitError(f"mutation: {hello.get('detail')}")

    def _read(self) -> dict[str, Any] | None:
        assert self.process is not None  # noqa: S101 - spawned
        stdout = self.process.stdout
        assert stdout is not None  # noqa: S101 - a pipe
        line = stdout.readline()
        if not line:
            return None
        return cast("dict[str, Any]", json.loads(line))

    def ask(self, job: dict[str, Any]) -> dict[str, Any] | None:
        """Send one job, wait for its answer (None: the worker died)."""
        if self.process is None or self.process.poll() is not None:
            self.spawn()
        self.ready()
        assert self.process is not None  # noqa: S101 - spawned
        try:
            stdin = self.process.stdin
            assert stdin is not None  # noqa: S101 - a pipe
            stdin.write(json.dumps(job) + "\n")
            stdin.flush()
        except OSError:
            return None
        return self._read()

    def close(self) -> None:
        """End the worker: its stdin closes and it exits; killed with its group if it lingers."""
        if self.process is None:
            return
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=_GRACE_S)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


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

    def close(self) -> None:
        """End every worker."""
        for worker in self.workers:
            worker.close()
