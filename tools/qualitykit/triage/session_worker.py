"""The test side of triage's collected-once session, run by path by the project's interpreter.

``python session_worker.py serve|once|collect SPEC-JSON``, cwd = the project root. Standard
library and pytest only (the project's interpreter may not have qualitykit); it loads
``leak_snapshot.py`` and the mutation worker's ``worker_process.py`` by path, as private
``_qualitykit_triage_*`` modules, and never puts its directory on ``sys.path`` (its file names
would shadow the project's). Like ``python -m pytest``, the root is first on ``sys.path``.

``serve``: pytest's configuration (the project's, plus ``-p no:cacheprovider`` and no
reordering plugin) and the collection are done ONCE; then one request per line on stdin
(``id``, ``tests``, ``timeout``, ``leaks``) forks a child in its own process group that runs
exactly those collected items in that order (``pytest_runtestloop``). Up to ``workers``
children run at once. Every child streams lines (``start``/``test``/``leaks``/``done``) on a
pipe; the server answers one line per request on stdout, ``outcomes`` per test: a test that
started and never finished is ``crashed`` (``timeout`` when the child was killed over its
time), one never reached is ``not-run``. First line: ``ready`` (the collected node ids,
the flags a repro command needs) or ``fatal`` (why it cannot serve: the host falls back).

``once``: the fallback, a plain ``pytest.main`` of the given node ids (pytest keeps their
order), the same lines on stdout. ``collect``: ``--collect-only``, the node ids.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import json
import os
import select
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

_HERE = Path(__file__).resolve().parent
PYTEST_MAJORS = (9,)  # the private API serve uses: _prepareconfig, Session.from_config
# Plugins that reorder or reseed tests: a search needs the order it asks for. ``-p no:X`` for
# a plugin that is not installed is accepted by pytest and does nothing.
REORDERING = ("randomly", "random_order")
FATAL, READY, ANSWER = "fatal", "ready", "answer"
_RANK = {"passed": 0, "skipped": 1, "failed": 2, "error": 3}


def _load(name: str, path: Path) -> Any:  # noqa: ANN401 - a module loaded by path
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:  # pragma: no cover - the files ship together
        msg = f"cannot load {path}"
        raise ImportError(msg)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


if TYPE_CHECKING:
    import pytest

    from qualitykit.mutation import worker_process as process
    from qualitykit.triage import leak_snapshot
else:
    if sys.path and sys.path[0] == str(_HERE):
        del sys.path[0]
    process = _load("_qualitykit_triage_process", _HERE.parent / "mutation" / "worker_process.py")
    leak_snapshot = _load("_qualitykit_triage_leaks", _HERE / "leak_snapshot.py")


def common_args() -> list[str]:
    """Our options, before the user's: no cache writes, no reordering plugin."""
    args = ["-p", "no:cacheprovider"]
    for name in REORDERING:
        args += ["-p", f"no:{name}"]
    return args


class Reporter:
    """A pytest plugin streaming each test's start and final outcome as JSON lines."""

    def __init__(self, out: TextIO) -> None:
        """Write to ``out`` (line-buffered)."""
        self.out = out
        self.worst: dict[str, str] = {}

    def emit(self, message: dict[str, Any]) -> None:
        """One line, flushed: the reader may be the last to know before a crash."""
        self.out.write(json.dumps(message) + "\n")
        self.out.flush()

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        """The test started: if nothing follows, it crashed."""
        self.emit({"start": nodeid})

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Keep the worst phase (error > failed > skipped > passed)."""
        if report.when == "call":
            now = "failed" if report.failed else "skipped" if report.skipped else "passed"
        elif report.failed:
            now = "error"
        elif report.skipped:
            now = "skipped"
        else:
            return
        was = self.worst.get(report.nodeid)
        if was is None or _RANK[now] > _RANK[was]:
            self.worst[report.nodeid] = now

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        """The test ended: its worst phase (a test with no report at all is an error)."""
        self.emit({"test": nodeid, "outcome": self.worst.get(nodeid, "error")})


@dataclass
class _Child:
    request: dict[str, Any]
    pid: int
    pipe: int
    deadline: float
    started: float
    buffer: bytes = b""
    lines: list[dict[str, Any]] = field(default_factory=list[dict[str, Any]])


def answer(
    request: dict[str, Any], lines: list[dict[str, Any]], ended: str, seconds: float
) -> dict[str, Any]:
    """The answer to ``request`` from the lines its run wrote; ``ended``: how the run ended."""
    outcomes: dict[str, str] = {}
    running: str | None = None
    leaks: list[dict[str, Any]] | None = None
    done = False
    for line in lines:
        if "start" in line:
            running = str(line["start"])
        elif "test" in line:
            outcomes[str(line["test"])] = str(line["outcome"])
            running = None
        elif "leaks" in line:
            leaks = list(line["leaks"])
        elif line.get("done"):
            done = True
    if running is not None:
        outcomes[running] = "timeout" if ended == "timeout" else "crashed"
    for test in request["tests"]:
        outcomes.setdefault(str(test), "not-run")
    reply: dict[str, Any] = {"kind": ANSWER, "id": request["id"], "outcomes": outcomes}
    reply["seconds"] = round(seconds, 4)
    reply["complete"] = done and ended == "exit"
    if leaks is not None:
        reply["leaks"] = leaks
    return reply


def _lines(data: bytes) -> tuple[list[dict[str, Any]], bytes]:
    *complete, rest = data.split(b"\n")
    return [json.loads(line) for line in complete if line.strip()], rest


class Server:
    """The collected suite and the children running requests against it."""

    def __init__(self, spec: dict[str, Any], answers: TextIO) -> None:
        """Nothing collected yet."""
        self.spec = spec
        self.root = Path(spec["root"]).resolve()
        self.answers = answers
        self.children: dict[int, _Child] = {}
        self.queue: list[dict[str, Any]] = []
        self.items: dict[str, pytest.Item] = {}
        self.session: pytest.Session | None = None

    def collect(self) -> dict[str, Any]:
        """Configure pytest and collect the suite once; the ``ready`` message."""
        from _pytest.config import _prepareconfig  # noqa: PLC0415  # pyright: ignore[reportPrivateUsage]
        from _pytest.main import Session  # noqa: PLC0415

        config = _prepareconfig([*common_args(), *self.spec["args"]])
        no_stop(config)
        config._do_configure()  # noqa: SLF001  # pyright: ignore[reportPrivateUsage]
        session = Session.from_config(config)
        config.hook.pytest_sessionstart(session=session)
        session.perform_collect()
        self.session = session
        self.items = {item.nodeid: item for item in session.items}
        gc.collect()
        gc.freeze()
        return {"kind": READY, "tests": list(self.items), "repro_flags": repro_flags()}

    def serve(self, requests: int) -> None:
        """Take requests from ``requests`` (an fd) until it closes and every child answered."""
        buffer, open_ = b"", True
        while open_ or self.queue or self.children:
            while self.queue and len(self.children) < int(self.spec["workers"]):
                self._start(self.queue.pop(0))
            watched = [requests] if open_ else []
            watched += [child.pipe for child in self.children.values()]
            wait = min((c.deadline for c in self.children.values()), default=time.monotonic() + 60)
            ready, _, _ = select.select(watched, [], [], max(0.0, wait - time.monotonic()))
            if requests in ready:
                data = os.read(requests, 65536)
                if not data:
                    open_ = False
                new, buffer = _lines(buffer + data)
                self.queue += new
            for child in list(self.children.values()):
                if child.pipe in ready:
                    self._read(child)
                elif time.monotonic() > child.deadline:
                    process.kill_group(child.pid)
                    self._finish(child, "timeout")

    def _read(self, child: _Child) -> None:
        data = os.read(child.pipe, 65536)
        if data:
            new, child.buffer = _lines(child.buffer + data)
            child.lines += new
            # A test's background process may hold the pipe open: "done" ends the run too.
            if not any(line.get("done") for line in new):
                return
        with contextlib.suppress(ChildProcessError):
            os.waitpid(child.pid, 0)
        # The group too: a test's own subprocess must not outlive its run.
        process.kill_group(child.pid)
        self._finish(child, "exit")

    def _finish(self, child: _Child, ended: str) -> None:
        os.close(child.pipe)
        del self.children[child.pid]
        seconds = time.monotonic() - child.started
        reply = answer(child.request, child.lines, ended, seconds)
        self.answers.write(json.dumps(reply) + "\n")
        self.answers.flush()

    def _start(self, request: dict[str, Any]) -> None:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child ends in os._exit
            os.close(read)
            self._child(request, write)
        os.close(write)
        started = time.monotonic()
        deadline = started + float(request["timeout"])
        self.children[pid] = _Child(request, pid, read, deadline, started)

    def _child(self, request: dict[str, Any], write: int) -> None:
        import pytest  # noqa: PLC0415 - loaded long before, in the server

        code = 70
        try:
            os.setpgid(0, 0)
            process.die_with_parent()
            sys.dont_write_bytecode = True
            out = os.fdopen(write, "w", encoding="utf-8")
            session = self.session
            assert session is not None  # noqa: S101 - serve only forks after collect
            config = session.config
            reporter = Reporter(out)
            config.pluginmanager.register(reporter, "qualitykit-reporter")
            watcher = _watcher(request, self.root)
            # A private tmp_path root per run: concurrent runs never share or delete one.
            config.option.basetemp = str(Path(self.spec["scratch"]) / f"run-{request['id']}")
            factory = pytest.TempPathFactory.from_config(config, _ispytest=True)
            setattr(config, "_tmp_path_factory", factory)  # noqa: B010 - where pytest keeps it
            wanted = list(dict.fromkeys(str(test) for test in request["tests"]))
            session.items = [self.items[test] for test in wanted if test in self.items]
            session.testscollected = len(session.items)
            if watcher is not None:
                watcher.begin()
            with contextlib.suppress(session.Failed, session.Interrupted):
                config.hook.pytest_runtestloop(session=session)
            if watcher is not None:
                watcher.end()
                reporter.emit({"leaks": watcher.leaks})
            reporter.emit({"done": True})
            code = 0
        except BaseException:  # noqa: BLE001 - pytest catches the tests' errors: this is ours
            traceback.print_exc()
        finally:
            process.end_child(code)


def repro_flags() -> list[str]:
    """What a repro command needs to keep its order here: no reordering, no distribution."""
    from importlib.metadata import entry_points  # noqa: PLC0415

    installed = {entry.name for entry in entry_points(group="pytest11")}
    flags = [flag for name in REORDERING if name in installed for flag in ("-p", f"no:{name}")]
    # -n0 rather than -p no:xdist: a project's addopts may hold -n, which needs the plugin.
    return [*flags, "-n0"] if "xdist" in installed else flags


def _no_stop_no_distribution() -> object:
    """A plugin run before any other ``pytest_configure``: no early stop, no xdist workers."""
    import pytest  # noqa: PLC0415

    class NoStop:
        @pytest.hookimpl(tryfirst=True)
        def pytest_configure(self, config: pytest.Config) -> None:
            no_stop(config)

    return NoStop()


def no_stop(config: pytest.Config) -> None:
    """The search decides what runs and in which order: no early stop, no distribution."""
    config.option.maxfail = 0
    if hasattr(config.option, "dist"):
        config.option.dist = "no"


def _watcher(request: dict[str, Any], root: Path) -> leak_snapshot.LeakWatcher | None:
    if not request.get("leaks"):
        return None
    return leak_snapshot.LeakWatcher(root)


def _once(spec: dict[str, Any], out: TextIO) -> int:
    import pytest  # noqa: PLC0415

    reporter = Reporter(out)
    watcher = _watcher(spec, Path(spec["root"]).resolve())
    plugins: list[object] = [reporter, _no_stop_no_distribution()]
    if watcher is not None:
        plugins.append(watcher)
    args = [*common_args(), f"--basetemp={spec['basetemp']}", *spec["args"], *spec["tests"]]
    code = int(pytest.main(args, plugins=plugins))
    if watcher is not None:
        reporter.emit({"leaks": watcher.leaks})
    reporter.emit({"done": True, "exit": code})
    return 0


class _Collector:
    def __init__(self) -> None:
        self.tests: list[str] = []

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.tests = [item.nodeid for item in session.items]


def _collect(spec: dict[str, Any], out: TextIO) -> int:
    import pytest  # noqa: PLC0415

    collector = _Collector()
    args = [*common_args(), "--collect-only", "-q", *spec["args"]]
    code = int(pytest.main(args, plugins=[collector]))
    message = {"kind": READY, "tests": collector.tests, "exit": code}
    message["repro_flags"] = repro_flags()
    out.write(json.dumps(message) + "\n")
    return 0


def main(argv: list[str]) -> int:
    """``session_worker.py serve|once|collect SPEC-JSON``."""
    mode, spec = argv[0], json.loads(argv[1])
    # Private handles on the pipes: pytest captures (and guards) the standard streams.
    requests = os.dup(0)
    out = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    process.die_with_parent()
    process.redirect_output(spec["log"])
    sys.path.insert(0, str(Path(spec["root"]).resolve()))
    try:
        import pytest  # noqa: PLC0415
    except ImportError as error:
        out.write(json.dumps({"kind": FATAL, "detail": f"cannot import pytest ({error})"}) + "\n")
        return 2
    if mode == "once":
        return _once(spec, out)
    if mode == "collect":
        return _collect(spec, out)
    major = pytest.__version__.split(".", 1)[0]
    if not major.isdigit() or int(major) not in PYTEST_MAJORS or not hasattr(os, "fork"):
        detail = f"pytest {pytest.__version__} or this platform cannot fork a collected suite"
        out.write(json.dumps({"kind": FATAL, "detail": detail}) + "\n")
        return 2
    server = Server(spec, out)
    try:
        hello = server.collect()
    except BaseException as error:  # noqa: BLE001 - any failure: the host falls back
        traceback.print_exc()
        detail = f"collecting once failed: {type(error).__name__}: {error}"
        out.write(json.dumps({"kind": FATAL, "detail": detail[:300]}) + "\n")
        return 2
    out.write(json.dumps(hello) + "\n")
    server.serve(requests)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
