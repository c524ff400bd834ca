"""The test side of mutation testing: a script run by the project's own Python, in a private copy.

It imports nothing from qualitykit (the project's interpreter may not have it): only the
standard library, pytest and, for the baseline, coverage.py. Two modes:

``baseline SPEC``
    Runs the whole selected suite once, unmutated, under coverage.py with one dynamic context per
    test (the test's node id; ``""`` for code run at import time) and writes a JSON report:
    the tests, their durations, failures, the lines of the mutated modules each test executes,
    and the third-party modules the suite imported (what a warm worker preloads).

``serve SPEC``
    A warm worker: preloads those modules and pytest's configuration once, then reads one job
    per line on stdin (a mutated source, the tests to run, a timeout), writes the mutant into its
    copy, forks a child in its own process group that runs only those tests, restores the file,
    and answers one JSON line on stdout. The child dies with the worker and the worker with the
    runner (``PR_SET_PDEATHSIG``), and the worker stops when stdin closes.

Exit codes of the child map onto outcomes: 0 survived; 1 (a test failed), 2 (interrupted, e.g. a
collection error) and 3 (internal error) killed, as for stock cosmic-ray; 4 and 5 (usage error,
no tests) are harness errors; a child that outlives its timeout is killed with its group.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import os
import select
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Any

_HERE = str(Path(__file__).resolve().parent)
if sys.path and sys.path[0] == _HERE:
    # Run as a script: its directory must not shadow the project's top-level modules.
    del sys.path[0]

_PR_SET_PDEATHSIG = 1
_KILLED_CODES = frozenset({1, 2, 3})
_SURVIVED = 0
_HARNESS_ERROR = 70  # not a pytest exit code: the worker's own failure
_INTERRUPTED = 2
_USAGE_ERROR = 4
_NOT_RUN_CODES = frozenset({4, 5})
# Per mutant: stop at the first failure, format no traceback, no cache writes.
_MUTANT_ARGS = ("-x", "--tb=no", "-q", "-p", "no:cacheprovider")


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _setup_paths(spec: dict[str, Any]) -> None:
    root = str(spec["root"])
    os.chdir(root)
    paths = [str(Path(root) / entry) for entry in spec["sys_path"]]
    sys.path[:0] = [*paths, root]
    os.environ["PYTHONPATH"] = os.pathsep.join([
        *paths,
        *filter(None, [os.environ.get("PYTHONPATH", "")]),
    ])


def _redirect_output(log: str) -> None:
    handle = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(handle, 1)
    os.dup2(handle, 2)
    os.close(handle)


class _Recorder:
    """A pytest plugin: one coverage context per test, durations and failures per test."""

    def __init__(self, coverage: Any) -> None:
        self.coverage = coverage
        self.tests: list[str] = []
        self.durations: dict[str, float] = {}
        self.failed: list[str] = []

    def pytest_collection_finish(self, session: Any) -> None:
        self.tests = [item.nodeid for item in session.items]
        self.coverage.switch_context("")

    def pytest_collectstart(self, collector: Any) -> None:
        # Code a test module runs when it is imported: "collect:" and the module's path.
        if getattr(collector, "path", None) is not None and collector.nodeid.endswith(".py"):
            self.coverage.switch_context(f"collect:{collector.nodeid}")

    def pytest_collectreport(self, report: Any) -> None:
        if str(report.nodeid).endswith(".py"):
            self.coverage.switch_context("")

    def pytest_runtest_logstart(self, nodeid: str, location: object) -> None:
        del location
        self.coverage.switch_context(nodeid)

    def pytest_runtest_logfinish(self, nodeid: str, location: object) -> None:
        del nodeid, location
        self.coverage.switch_context("")

    def pytest_runtest_logreport(self, report: Any) -> None:
        nodeid = str(report.nodeid)
        self.durations[nodeid] = self.durations.get(nodeid, 0.0) + float(report.duration)
        if report.failed and nodeid not in self.failed:
            self.failed.append(nodeid)


def baseline(spec: dict[str, Any]) -> int:
    """Run the suite once under coverage contexts; write the JSON report to ``spec['output']``."""
    output = Path(spec["output"])
    _setup_paths(spec)
    _redirect_output(spec["log"])
    import coverage  # noqa: PLC0415
    import pytest  # noqa: PLC0415

    root = Path(spec["root"]).resolve()
    files = {str(root / module): module for module in spec["modules"]}
    cov = coverage.Coverage(data_file=None, include=list(files), config_file=False)
    recorder = _Recorder(cov)
    before = set(sys.modules)
    cov.start()
    try:
        code = int(pytest.main([*spec["pytest_args"], "-p", "no:cacheprovider"], plugins=[recorder]))
    finally:
        cov.stop()
    data = cov.get_data()
    lines: dict[str, dict[str, list[str]]] = {}
    for path in data.measured_files():
        module = files.get(path)
        if module is None:
            continue
        by_line = data.contexts_by_lineno(path)
        lines[module] = {str(line): sorted(set(contexts)) for line, contexts in by_line.items()}
    preload = sorted(
        name
        for name, module in list(sys.modules.items())
        if name not in before and _outside(module, root)
    )
    report = {
        "exit": code,
        "tests": recorder.tests,
        "durations": recorder.durations,
        "failed": recorder.failed,
        "lines": lines,
        "preload": preload,
    }
    output.write_text(json.dumps(report), encoding="utf-8")
    return 0


def _outside(module: object, root: Path) -> bool:
    """Whether ``module`` was loaded from outside the project copy (safe to preload)."""
    name = getattr(module, "__name__", "")
    if name == "__main__" or name.startswith("conftest"):
        return False
    where = getattr(module, "__file__", None)
    if where is None:
        return True
    return not Path(where).resolve().is_relative_to(root)


class _CollectionWatcher:
    """A pytest plugin noting whether collecting a test module failed."""

    def __init__(self) -> None:
        self.failed = False

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self.failed = True


def _plugin_packages() -> set[str]:
    from importlib.metadata import entry_points  # noqa: PLC0415

    return {entry.module.partition(".")[0] for entry in entry_points(group="pytest11")}


class _Server:
    def __init__(self, spec: dict[str, Any], requests: Any, protocol: Any) -> None:
        self.spec = spec
        self.requests = requests
        self.protocol = protocol
        self.root = Path(spec["root"]).resolve()
        self.originals: dict[str, tuple[bytes, int]] = {}
        self.counter = 0
        self.config: Any = None

    def warm_up(self) -> None:
        # pytest plugins must be imported by pytest itself (it rewrites their asserts).
        plugins = _plugin_packages()
        for name in self.spec["preload"]:
            if name.partition(".")[0] in plugins:
                continue
            with contextlib.suppress(BaseException):
                __import__(name)
        import pytest  # noqa: PLC0415, F401

        self.config = self._prepared_config()
        gc.collect()
        gc.freeze()

    def _prepared_config(self) -> Any:
        """pytest's configuration, parsed and with its plugins loaded once, if that is safe.

        Safe means no module of the project copy was imported while loading it (a conftest
        that imports the code under test would pin the unmutated module in every child).
        """
        from _pytest import config as pytest_config  # noqa: PLC0415

        prepare: Any = getattr(pytest_config, "_prepareconfig", None)
        if prepare is None:
            return None
        before = set(sys.modules)
        try:
            config = prepare([*self.spec["pytest_args"], *_MUTANT_ARGS])
        except BaseException:  # noqa: BLE001 - any failure: fall back to pytest.main per mutant
            return None
        loaded = [name for name in set(sys.modules) - before if not _outside(sys.modules[name], self.root)]
        if loaded or not isinstance(getattr(config, "args", None), list):
            for name in loaded:
                del sys.modules[name]
            with contextlib.suppress(BaseException):
                config._ensure_unconfigure()  # noqa: SLF001
            return None
        return config

    def serve(self) -> int:
        for line in self.requests:
            if not line.strip():
                continue
            job = json.loads(line)
            answer = self.run_job(job)
            self.protocol.write(json.dumps(answer) + "\n")
            self.protocol.flush()
        return 0

    def run_job(self, job: dict[str, Any]) -> dict[str, Any]:
        module = str(job["module"])
        path = self.root / module
        if module not in self.originals:
            self.originals[module] = (path.read_bytes(), path.stat().st_mtime_ns)
        original, mtime_ns = self.originals[module]
        self.counter += 1
        # A distinct mtime per mutant: no stale .pyc (keyed on mtime and size) is ever reused.
        stamp = mtime_ns - (1000 + self.counter) * 1_000_000_000
        started = time.perf_counter()
        try:
            compile(job["source"], str(path), "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as error:
            return {"id": job["id"], "outcome": "incompetent", "exit": None, "detail": str(error)}
        try:
            path.write_text(job["source"], encoding="utf-8")
            os.utime(path, ns=(stamp, stamp))
            outcome, code = self._run_tests(list(job["tests"]), float(job["timeout"]))
        finally:
            path.write_bytes(original)
            os.utime(path, ns=(mtime_ns, mtime_ns))
        return {
            "id": job["id"],
            "outcome": outcome,
            "exit": code,
            "seconds": round(time.perf_counter() - started, 4),
        }

    def _run_tests(self, tests: list[str], timeout: float) -> tuple[str, int | None]:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child ends in os._exit
            self._child(tests)
        deadline = time.monotonic() + timeout
        status = self._wait(pid, deadline)
        if status is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "timeout", None
        code = os.waitstatus_to_exitcode(status)
        if code == _SURVIVED:
            return "survived", code
        if code in _KILLED_CODES or code < 0:
            return "killed", code
        return "error", code

    def _child(self, tests: list[str]) -> None:
        code = _HARNESS_ERROR
        try:
            os.setpgid(0, 0)
            _die_with_parent()
            sys.dont_write_bytecode = True
            import pytest  # noqa: PLC0415

            watcher = _CollectionWatcher()
            try:
                if self.config is not None:
                    self.config.args[:] = tests
                    self.config.pluginmanager.register(watcher, "qualitykit-watcher")
                    code = int(self.config.hook.pytest_cmdline_main(config=self.config))
                else:
                    args = [*self.spec["pytest_args"], *_MUTANT_ARGS, *tests]
                    code = int(pytest.main(args, plugins=[watcher]))
            except pytest.UsageError:
                code = _USAGE_ERROR
            if code in _NOT_RUN_CODES and watcher.failed:
                # The mutant broke the import of a test module: pytest ran nothing. Killed.
                code = _INTERRUPTED
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        except BaseException:  # noqa: BLE001 - pytest catches the tests' errors: this is ours
            traceback.print_exc()
            code = _HARNESS_ERROR
        finally:
            with contextlib.suppress(BaseException):
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(code)

    @staticmethod
    def _wait(pid: int, deadline: float) -> int | None:
        try:
            pidfd = os.pidfd_open(pid)
        except (AttributeError, OSError):
            pidfd = None
        try:
            delay = 0.001
            while True:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    return status
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                if pidfd is not None:
                    select.select([pidfd], [], [], remaining)
                else:
                    time.sleep(min(delay, remaining))
                    delay = min(delay * 2, 0.05)
        finally:
            if pidfd is not None:
                os.close(pidfd)


def serve(spec: dict[str, Any]) -> int:
    """The warm worker loop (see the module docstring)."""
    # Private handles on the pipes: pytest captures (and guards) the standard streams.
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    protocol = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    _die_with_parent()
    _setup_paths(spec)
    _redirect_output(spec["log"])
    server = _Server(spec, requests, protocol)
    server.warm_up()
    protocol.write(json.dumps({"ready": True, "prepared": server.config is not None}) + "\n")
    protocol.flush()
    return server.serve()


def main(argv: list[str]) -> int:
    """``worker.py baseline|serve SPEC-JSON``."""
    mode, spec = argv[0], json.loads(argv[1])
    if mode == "baseline":
        return baseline(spec)
    return serve(spec)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
