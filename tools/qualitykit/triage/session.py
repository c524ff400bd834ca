"""A suite collected once, serving "run these tests in this order" requests (triage's deep checks).

The project's interpreter runs ``session_worker.py serve`` in the project root: pytest's
configuration (the project's own, plus ``-p no:cacheprovider`` and no reordering plugin) and
the collection happen once, then every request forks a child that runs exactly the requested
items, in order, and reports each test's outcome. Requests run concurrently (one child per
CPU). When that cannot work (no ``fork``, another pytest major, the collected process failing
to start) every request is a fresh ``pytest`` of the node ids instead (``session_worker.py
once``: ``pytest.main`` keeps their order); :attr:`Session.mode` says which, and
:attr:`Session.fallback` why.

Fail closed: a request whose child crashed or hung reports ``crashed``/``timeout`` for the test
it was running and ``not-run`` for the rest, never ``passed``; a worker that dies or stops
answering makes every unanswered request so.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, cast

from qualitykit.errors import QualityKitError
from qualitykit.mutation.pool import kill_group
from qualitykit.triage.pollution_models import Leak, Mode, RunResult, TestOutcome

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import TracebackType

WORKER_SCRIPT = Path(__file__).with_name("session_worker.py")
_GRACE_S = 30.0  # beyond a request's own timeout, for the worker's bookkeeping
_CLOSE_GRACE_S = 5.0  # for the worker to leave by itself once its requests close
# pytest's internal error and usage error (a conftest that raises): nothing to search in.
_COLLECT_BROKEN = frozenset({3, 4})
_OUTCOMES = frozenset({"passed", "failed", "error", "skipped", "crashed", "timeout", "not-run"})


def cpu_count() -> int:
    """The CPUs this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class Session:
    """The project's suite, collected once (or a fresh pytest per run when that cannot work)."""

    def __init__(  # noqa: PLR0913 - keyword-only options with defaults
        self,
        root: Path,
        *,
        python: str | None = None,
        pytest_args: Sequence[str] = (),
        workers: int | None = None,
        timeout: float = 300.0,
        fork: bool = True,
    ) -> None:
        """Start the collected worker in ``root`` (``fork=False``: subprocess mode at once).

        ``pytest_args`` are options (not paths) added after ours; ``timeout`` bounds one run.
        """
        self.root = root.resolve()
        self.python = python or sys.executable
        self.args = list(pytest_args)
        self.workers = workers or cpu_count()
        self.timeout = timeout
        self.scratch = Path(tempfile.mkdtemp(prefix="qualitykit-session-"))
        self.log = self.scratch / "worker.log"
        self.mode: Mode = "subprocess"
        self.fallback = "asked for subprocess mode" if not fork else ""
        self.tests: list[str] = []
        # What a repro command adds to keep its order (no reordering plugin, no xdist).
        self.repro_flags: list[str] = []
        self.runs = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._buffer = b""
        self._next_id = 0
        try:
            if fork:
                self._start()
            if self._process is None:
                self._collect()
        except BaseException:
            self.close()
            raise

    # -- lifecycle ------------------------------------------------------------------------

    def _spec(self, **extra: object) -> str:
        spec: dict[str, object] = {"root": str(self.root), "args": self.args}
        spec |= {"log": str(self.log), "scratch": str(self.scratch), "workers": self.workers}
        spec |= extra
        return json.dumps(spec)

    def _popen(self, mode: str, spec: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(  # noqa: S603 - the project's interpreter, argv list
            [self.python, str(WORKER_SCRIPT), mode, spec],
            cwd=self.root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,
            start_new_session=True,
        )

    def _start(self) -> None:
        try:
            process = self._popen("serve", self._spec())
        except OSError as error:
            self.fallback = f"the worker could not start: {error.strerror or error}"
            return
        self._process = process
        hello = self._read_line(time.monotonic() + self.timeout + _GRACE_S)
        if hello is None or hello.get("kind") != "ready":
            detail = "it died or said nothing" if hello is None else hello.get("detail", hello)
            self.fallback = f"collecting once failed ({detail})"
            self._stop()
            return
        if not hello["tests"]:
            self._stop()
            raise QualityKitError(f"pytest collected no tests in {self.root}{self._log_tail()}")
        self.mode = "fork"
        self.tests = [str(test) for test in hello["tests"]]
        self.repro_flags = [str(flag) for flag in hello.get("repro_flags", [])]

    def _collect(self) -> None:
        try:
            done = subprocess.run(  # noqa: S603 - the project's interpreter, argv list
                [self.python, str(WORKER_SCRIPT), "collect", self._spec()],
                cwd=self.root,
                capture_output=True,
                timeout=self.timeout,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise QualityKitError(f"pytest could not collect the suite: {error}") from None
        lines = done.stdout.decode("utf-8", "replace").splitlines()
        hello = _json(lines[-1]) if lines else None
        if hello is None or hello.get("kind") != "ready":
            why = hello.get("detail", "") if hello else f"exit {done.returncode}, no answer"
            raise QualityKitError(f"pytest could not collect the suite: {why}{self._log_tail()}")
        if not hello["tests"] or hello.get("exit") in _COLLECT_BROKEN:
            count = len(hello["tests"])
            why = f"pytest exit {hello.get('exit')}, {count} tests{self._log_tail()}"
            raise QualityKitError(f"pytest could not collect the suite: {why}")
        self.tests = [str(test) for test in hello["tests"]]
        self.repro_flags = [str(flag) for flag in hello.get("repro_flags", [])]

    def _log_tail(self) -> str:
        """The worker log's last line, for a one-line error (the log goes with the scratch)."""
        try:
            lines = self.log.read_text("utf-8", "replace").split("\n")
        # qualitykit: allow[QK-EXC-002] no log (the worker never started): the error says the rest
        except OSError:
            return ""
        last = next((line.strip() for line in reversed(lines) if line.strip()), "")
        return f" ({last[:200]})" if last else ""

    def _stop(self) -> None:
        if self._process is not None:
            kill_group(self._process)
            for pipe in (self._process.stdin, self._process.stdout):
                if pipe is not None:
                    pipe.close()
            self._process = None

    def close(self) -> None:
        """End the worker and its children; remove the scratch directory.

        The worker leaves by itself once its requests close (and writes what a coverage
        measurement of it collected); one that does not within a grace is killed.
        """
        process = self._process
        if process is not None and process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=_CLOSE_GRACE_S)
        self._stop()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def __enter__(self) -> Self:
        """The session itself."""
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the session."""
        self.close()

    # -- running ----------------------------------------------------------------------------

    def run(self, tests: Sequence[str], *, leaks: bool = False) -> RunResult:
        """Run ``tests`` in this order, alone in a fresh child (or pytest)."""
        return self.run_many([tests], leaks=leaks)[0][0]

    def run_many(
        self, batches: Sequence[Sequence[str]], *, leaks: bool = False
    ) -> list[tuple[RunResult, list[Leak]]]:
        """Run every batch (concurrently, up to ``workers`` at once); results in batch order.

        ``leaks``: also the process state each batch left changed (see ``leaks.py``).
        """
        self.runs += len(batches)
        requests: list[dict[str, Any]] = []
        for tests in batches:
            self._next_id += 1
            requests.append({"id": self._next_id, "tests": list(tests), "leaks": leaks})
        mode = self.mode  # the mode these ran in, even when the worker dies answering them
        if self._process is not None:
            answers = self._ask_worker(requests)
        else:
            with ThreadPoolExecutor(max_workers=self.workers) as pool:
                answers = list(pool.map(self._once, requests))
        return [
            self._result(request, reply, mode)
            for request, reply in zip(requests, answers, strict=True)
        ]

    @staticmethod
    def _result(
        request: dict[str, Any], reply: dict[str, Any] | None, mode: Mode
    ) -> tuple[RunResult, list[Leak]]:
        tests = tuple(str(test) for test in request["tests"])
        if reply is None:
            # No answer at all: the worker died; nothing may count as passed.
            outcomes: dict[str, TestOutcome] = dict.fromkeys(tests, "crashed")
            return RunResult(tests=tests, outcomes=outcomes, seconds=0.0, mode=mode), []
        outcomes = {
            str(test): cast("TestOutcome", outcome) if outcome in _OUTCOMES else "crashed"
            for test, outcome in dict(reply["outcomes"]).items()
        }
        result = RunResult(
            tests=tests, outcomes=outcomes, seconds=float(reply["seconds"]), mode=mode
        )
        found = [Leak.model_validate(leak) for leak in reply.get("leaks", [])]
        return result, found

    def _ask_worker(self, requests: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
        process = self._process
        assert process is not None  # noqa: S101 - only called in fork mode
        for request in requests:
            request["timeout"] = self.timeout
        text = "".join(json.dumps(request) + "\n" for request in requests).encode()
        # A writer thread: the worker answers while we still write (both pipes could fill).
        writer = threading.Thread(target=self._write, args=(text,), daemon=True)
        writer.start()
        rounds = -(-len(requests) // self.workers)
        deadline = time.monotonic() + rounds * (self.timeout + _GRACE_S)
        replies: dict[int, dict[str, Any]] = {}
        while len(replies) < len(requests):
            line = self._read_line(deadline)
            if line is None:
                self.fallback = f"the collected worker stopped answering{self._log_tail()}"
                self._stop()
                self.mode = "subprocess"
                break
            replies[int(line["id"])] = line
        writer.join(timeout=_GRACE_S)
        return [replies.get(int(request["id"])) for request in requests]

    def _write(self, text: bytes) -> None:
        process = self._process
        if process is None or process.stdin is None:
            return
        with contextlib.suppress(OSError, ValueError):
            process.stdin.write(text)
            process.stdin.flush()

    def _read_line(self, deadline: float) -> dict[str, Any] | None:
        """The worker's next JSON line, or None once it died or ``deadline`` passed."""
        process = self._process
        if process is None or process.stdout is None:
            return None
        handle = process.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([handle], [], [], remaining)
            if not ready:
                return None
            data = os.read(handle, 65536)
            if not data:
                return None
            self._buffer += data
        line, _, self._buffer = self._buffer.partition(b"\n")
        return _json(line.decode("utf-8", "replace"))

    def _once(self, request: dict[str, Any]) -> dict[str, Any] | None:
        """A fresh pytest of the request's tests (subprocess mode)."""
        started = time.monotonic()
        if not request["tests"]:
            # pytest given no test at all would run the whole suite: nothing is what was asked.
            return _answer(request, [{"done": True}], "exit", started)
        basetemp = self.scratch / f"run-{request['id']}"
        spec = self._spec(tests=request["tests"], leaks=request["leaks"], basetemp=str(basetemp))
        try:
            process = self._popen("once", spec)
        # qualitykit: allow[QK-EXC-002] None: every test of the run is "crashed", never passed
        except OSError:
            return None
        lines, ended = _read_run(process, started + self.timeout)
        # Its group too: a test's leftover process must not outlive the run.
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=_CLOSE_GRACE_S if ended == "exit" else 0)
        kill_group(process)
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()
        return _answer(request, lines, ended, started)


def _read_run(
    process: subprocess.Popen[bytes], deadline: float
) -> tuple[list[dict[str, Any]], str]:
    """A fresh pytest's lines until its ``done`` line or end ("exit"), or ``deadline`` ("timeout").

    Not until its output closes: a process a test forked may hold it open.
    """
    assert process.stdout is not None  # noqa: S101 - started with a pipe
    handle, buffer, lines = process.stdout.fileno(), b"", list[dict[str, Any]]()
    while (remaining := deadline - time.monotonic()) > 0:
        if not select.select([handle], [], [], remaining)[0]:
            break
        data = os.read(handle, 65536)
        *complete, buffer = (buffer + data).split(b"\n")
        lines += [
            line for line in map(_json, (c.decode("utf-8", "replace") for c in complete)) if line
        ]
        if not data or any(line.get("done") for line in lines):
            return lines, "exit"
    return lines, "timeout"


def _answer(
    request: dict[str, Any], lines: list[dict[str, Any]], ended: str, started: float
) -> dict[str, Any]:
    """The same answer the collected worker gives, from a fresh pytest's lines."""
    from qualitykit.triage import session_worker  # noqa: PLC0415 - the worker's own rules

    return session_worker.answer(request, lines, ended, time.monotonic() - started)


def _json(text: str) -> dict[str, Any] | None:
    try:
        value: object = json.loads(text)
    # qualitykit: allow[QK-EXC-002] not a protocol line: None, and the caller fails closed
    except ValueError:
        return None
    return cast("dict[str, Any]", value) if isinstance(value, dict) else None
