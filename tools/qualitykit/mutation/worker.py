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
import importlib
import json
import os
import select
import signal
import sys
import time
import traceback
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, cast

if TYPE_CHECKING:
    # Annotations only: at run time this script imports pytest and coverage inside functions.
    from collections.abc import Callable

    import pytest
    from coverage import Coverage

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
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [
            *paths,
            *filter(None, [os.environ.get("PYTHONPATH", "")]),
        ]
    )


def _redirect_output(log: str) -> None:
    handle = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(handle, 1)
    os.dup2(handle, 2)
    os.close(handle)


# The baseline measures with its own coverage.Coverage, which pauses any outer measurement
# (such as this project's coverage step): its lines cannot be measured from outside.
class _Recorder:  # pragma: no cover
    """A pytest plugin: one coverage context per test, durations and failures per test."""

    def __init__(self, coverage: Coverage) -> None:
        self.coverage = coverage
        self.tests: list[str] = []
        self.durations: dict[str, float] = {}
        self.failed: list[str] = []

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.tests = [item.nodeid for item in session.items]
        self.coverage.switch_context("")

    def pytest_collectstart(self, collector: pytest.Collector) -> None:
        # Code a test module runs when it is imported: "collect:" and the module's path.
        if getattr(collector, "path", None) is not None and collector.nodeid.endswith(".py"):
            self.coverage.switch_context(f"collect:{collector.nodeid}")

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if str(report.nodeid).endswith(".py"):
            self.coverage.switch_context("")

    def pytest_runtest_logstart(self, nodeid: str, location: object) -> None:
        del location
        self.coverage.switch_context(nodeid)

    def pytest_runtest_logfinish(self, nodeid: str, location: object) -> None:
        del nodeid, location
        self.coverage.switch_context("")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        nodeid = str(report.nodeid)
        self.durations[nodeid] = self.durations.get(nodeid, 0.0) + float(report.duration)
        if report.failed and nodeid not in self.failed:
            self.failed.append(nodeid)


def baseline(spec: dict[str, Any]) -> int:  # pragma: no cover - see _Recorder
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
    cov.start()
    try:
        code = int(
            pytest.main(
                [*spec["pytest_args"], "-p", "no:cacheprovider", _basetemp(root)],
                plugins=[recorder],
            )
        )
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
    report = {
        "exit": code,
        "tests": recorder.tests,
        "durations": recorder.durations,
        "failed": recorder.failed,
        "lines": lines,
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


def _basetemp(root: Path) -> str:
    """A private ``tmp_path`` root beside the copy: concurrent workers never share pytest's."""
    return f"--basetemp={root}.tmp"


def _file_of(module: object) -> Path | None:
    where = getattr(module, "__file__", None)
    return None if where is None else Path(where).resolve()


def _plugin_packages() -> set[str]:
    """Top-level packages of pytest plugins: pytest must import those itself.

    It rewrites their asserts, and warns about plugins imported before it.
    """
    from importlib.metadata import entry_points  # noqa: PLC0415

    return {entry.module.partition(".")[0] for entry in entry_points(group="pytest11")}


class _FirstFailure:
    """A pytest plugin noting the first failing test (the worker reports it as the killer)."""

    def __init__(self) -> None:
        self.nodeid = ""

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed and not self.nodeid:
            self.nodeid = str(report.nodeid)


class _CollectionWatcher:
    """A pytest plugin noting whether collecting a test module failed."""

    def __init__(self) -> None:
        self.failed = False

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.failed = True


def _end_child(code: int) -> NoReturn:
    """Flush what the child printed (into the worker's log) and leave at once, as ``code``."""
    with contextlib.suppress(BaseException):
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def _classify(code: int) -> str:
    if code == _SURVIVED:
        return "survived"
    if code in _KILLED_CODES or code < 0:
        return "killed"
    return "error"


_FALLBACK = "fallback"
_UNSUPPORTED = "unsupported"


def _functions(paths: set[str]) -> dict[tuple[str, str], list[types.FunctionType]]:
    """(file, qualified name) -> every function object of the mutated modules."""
    found: dict[tuple[str, str], list[types.FunctionType]] = {}
    for obj in gc.get_objects():
        if isinstance(obj, types.FunctionType):
            code = obj.__code__
            filename = os.path.realpath(code.co_filename)
            if filename in paths:
                found.setdefault((filename, code.co_qualname), []).append(obj)
    return found


def _code_named(code: types.CodeType, qualname: str) -> list[types.CodeType]:
    found: list[types.CodeType] = []
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            if const.co_qualname == qualname:
                found.append(const)
            found.extend(_code_named(const, qualname))
    return found


class _Zygote:
    """A fork of the worker that collected the whole suite once (importing the project).

    For a mutant inside a function's body it forks a child that swaps that function's code
    object for the mutated one (``function.__code__``: every reference to the function sees
    it) and runs the selected, already collected tests: no import, no collection per mutant.
    Anything else (module-level code, an ambiguous name, a changed closure) is answered
    ``fallback`` and the worker runs the mutant the general way.
    """

    def __init__(self, server: _Server, config: pytest.Config) -> None:
        self.server = server
        self.config = config
        self.alive = False
        self.first_failure = _FirstFailure()
        down_read, down_write = os.pipe()
        up_read, up_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the zygote ends in os._exit
            os.close(down_write)
            os.close(up_read)
            code = 0
            try:
                _die_with_parent()
                requests = os.fdopen(down_read, "r", encoding="utf-8")
                answers = os.fdopen(up_write, "w", buffering=1, encoding="utf-8")
                self._main(requests, answers)
            except BaseException:  # noqa: BLE001 - reported in the log; the worker falls back
                traceback.print_exc()
                code = 1
            os._exit(code)
        self.pid = pid
        os.close(down_read)
        os.close(up_write)
        self.requests = os.fdopen(down_write, "w", buffering=1, encoding="utf-8")
        self.answers = os.fdopen(up_read, "r", encoding="utf-8")
        hello = self.answers.readline()
        greeting: dict[str, Any] = json.loads(hello) if hello else {}
        self.alive = bool(greeting.get("ready"))
        self.preload: list[str] = list(greeting.get("preload", []))

    def stop(self) -> None:
        """End the zygote: its requests close, it leaves its loop and exits."""
        with contextlib.suppress(OSError):
            self.requests.close()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)

    def ask(self, job: dict[str, Any]) -> dict[str, Any]:
        """The zygote's answer (``{"fallback": reason}`` when it cannot take the job)."""
        if not self.alive:
            return {_FALLBACK: "no zygote"}
        try:
            self.requests.write(json.dumps(job) + "\n")
            self.requests.flush()
            line = self.answers.readline()
        except OSError:
            line = ""
        if not line:
            self.alive = False
            return {_FALLBACK: "the zygote died"}
        return cast("dict[str, Any]", json.loads(line))

    # -- in the zygote process -------------------------------------------------------------

    def _main(self, requests: TextIO, answers: TextIO) -> None:
        from _pytest.main import Session  # noqa: PLC0415

        config = self.config
        config._do_configure()  # noqa: SLF001  # pyright: ignore[reportPrivateUsage]
        session = Session.from_config(config)
        config.hook.pytest_sessionstart(session=session)
        session.perform_collect()
        items = {item.nodeid: item for item in session.items}
        self.first_failure = _FirstFailure()
        config.pluginmanager.register(self.first_failure, "qualitykit-first-failure")
        root = self.server.root
        paths = {os.path.realpath(root / module) for module in self.server.spec["modules"]}
        functions = _functions(paths)
        gc.collect()
        gc.freeze()
        # What the suite imports from outside the project: the worker preloads it, so that
        # the mutants it runs by re-importing do not pay for it each time.
        plugins = _plugin_packages()
        preload = sorted(
            name
            for name, module in list(sys.modules.items())
            if _outside(module, self.server.root) and name.partition(".")[0] not in plugins
        )
        hello = {"ready": True, "tests": len(items), "preload": preload}
        answers.write(json.dumps(hello) + "\n")
        for line in requests:
            job = json.loads(line)
            answers.write(json.dumps(self._job(job, session, items, functions)) + "\n")

    def _job(
        self,
        job: dict[str, Any],
        session: pytest.Session,
        items: dict[str, pytest.Item],
        functions: dict[tuple[str, str], list[types.FunctionType]],
    ) -> dict[str, Any]:
        tests: list[str] = job["tests"]
        selected = [items[test] for test in tests if test in items]
        if not selected or len(selected) != len(tests):
            return {_FALLBACK: "a selected test was not collected"}
        swap = self._swap(job, functions)
        if isinstance(swap, str):
            return {_FALLBACK: swap}
        targets, new = swap
        report_read, report_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child ends in os._exit
            os.close(report_read)
            self._run(targets, new, selected, session, report_write)
        os.close(report_write)
        try:
            status = _wait(pid, time.monotonic() + float(job["timeout"]))
            if status is None:
                _kill_group(pid)
                return {"outcome": "timeout", "exit": None}
            killer = os.read(report_read, 65536).decode("utf-8", "replace")
        finally:
            os.close(report_read)
        return {"exit": os.waitstatus_to_exitcode(status), "killer": killer}

    def _swap(
        self, job: dict[str, Any], functions: dict[tuple[str, str], list[types.FunctionType]]
    ) -> tuple[list[types.FunctionType], types.CodeType] | str:
        """The function objects to patch and their mutated code, or why the job falls back."""
        qualname = str(job["function"])
        path = os.path.realpath(self.server.root / job["module"])
        targets = functions.get((path, qualname), [])
        old = {id(function.__code__) for function in targets}
        if len(old) != 1:
            return f"{len(old)} code objects named {qualname}"
        if job.get("probe"):
            probe = compile(_PROBE, path, "exec", dont_inherit=True)
            candidates = [c.replace(co_qualname=qualname) for c in _code_named(probe, "probe")]
        else:
            try:
                module = compile(job["source"], path, "exec", dont_inherit=True)
            except (SyntaxError, ValueError):
                return "does not compile"
            candidates = _code_named(module, qualname)
        if len(candidates) != 1:
            return f"{len(candidates)} mutated code objects named {qualname}"
        new = candidates[0]
        if new.co_freevars != targets[0].__code__.co_freevars:
            return "the closure differs"
        return targets, new

    def _run(
        self,
        targets: list[types.FunctionType],
        new: types.CodeType,
        selected: list[pytest.Item],
        session: pytest.Session,
        report: int,
    ) -> None:
        code = _HARNESS_ERROR
        try:
            os.setpgid(0, 0)
            _die_with_parent()
            sys.dont_write_bytecode = True
            for function in targets:
                function.__code__ = new
            session.items = selected
            session.testscollected = len(selected)
            with contextlib.suppress(session.Failed, session.Interrupted):
                session.config.hook.pytest_runtestloop(session=session)
            code = 1 if session.testsfailed or session.shouldfail else 0
            os.write(report, self.first_failure.nodeid.encode("utf-8"))
        except BaseException:  # noqa: BLE001 - pytest catches the tests' errors: this is ours
            traceback.print_exc()
            code = _HARNESS_ERROR
        finally:
            _end_child(code)


_PROBE = "def probe(*args, **kwargs):\n    raise RuntimeError('qualitykit sanity check')\n"


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _wait(pid: int, deadline: float) -> int | None:
    """The child's wait status, or None once ``deadline`` (monotonic) passed."""
    try:
        pidfd: int | None = os.pidfd_open(pid)
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


class _Server:
    def __init__(self, spec: dict[str, Any], requests: TextIO, protocol: TextIO) -> None:
        self.spec = spec
        self.requests = requests
        self.protocol = protocol
        self.root = Path(spec["root"]).resolve()
        self.originals: dict[str, tuple[bytes, int]] = {}
        self.counter = 0
        self.last_route = "fork"
        self.config: pytest.Config | None = None
        self.zygote: _Zygote | None = None

    def warm_up(self) -> None:
        importlib.import_module("pytest")  # loaded once here, before any fork
        self.config = self._prepared_config()
        gc.collect()
        gc.freeze()
        if self.config is not None:
            self.zygote = _Zygote(self, self.config)
            self._preload(self.zygote.preload)

    def _preload(self, names: list[str]) -> None:
        """Import what the suite uses from outside the project (never the project itself)."""
        before = set(sys.modules)
        for name in names:
            with contextlib.suppress(BaseException):
                importlib.import_module(name)
        for name in set(sys.modules) - before:
            if not _outside(sys.modules[name], self.root):
                del sys.modules[name]
        gc.collect()
        gc.freeze()

    def _prepared_config(self) -> pytest.Config | None:
        """Pytest's configuration, parsed and with its plugins loaded once, if that is safe.

        Safe means no mutated module was imported while loading it (a conftest that imports
        the code under test would pin the unmutated module in every child).
        """
        from _pytest import config as pytest_config  # noqa: PLC0415

        prepare: Callable[[list[str]], pytest.Config] | None = getattr(
            pytest_config, "_prepareconfig", None
        )
        if prepare is None:
            return None
        before = set(sys.modules)
        try:
            config = prepare([*self.spec["pytest_args"], *_MUTANT_ARGS, _basetemp(self.root)])
        except BaseException:  # noqa: BLE001 - any failure: fall back to pytest.main per mutant
            return None
        mutated = {(self.root / module).resolve() for module in self.spec["modules"]}
        loaded = [
            name for name in set(sys.modules) - before if not _outside(sys.modules[name], self.root)
        ]
        pinned = any(_file_of(sys.modules[name]) in mutated for name in loaded)
        if pinned or not isinstance(getattr(config, "args", None), list):
            for name in loaded:
                del sys.modules[name]
            with contextlib.suppress(BaseException):
                config._ensure_unconfigure()  # noqa: SLF001  # pyright: ignore[reportPrivateUsage]
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
        if self.zygote is not None:
            self.zygote.stop()
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
            outcome, code, killer = self._dispatch(job)
        finally:
            path.write_bytes(original)
            os.utime(path, ns=(mtime_ns, mtime_ns))
        return {
            "id": job["id"],
            "outcome": outcome,
            "exit": code,
            "killer": killer,
            "route": self.last_route,
            "seconds": round(time.perf_counter() - started, 4),
        }

    def _dispatch(self, job: dict[str, Any]) -> tuple[str, int | None, str]:
        if self.zygote is not None and job.get("function"):
            answer = self.zygote.ask(job)
            if _FALLBACK not in answer:
                self.last_route = "zygote"
                if answer.get("outcome") == "timeout":
                    return "timeout", None, ""
                exit_code = int(answer["exit"])
                return _classify(exit_code), exit_code, str(answer.get("killer", ""))
            self.last_route = f"fork: {answer[_FALLBACK]}"
        else:
            self.last_route = "fork"
        if job.get("probe"):
            # A probe of the in-place path that cannot take it: there is nothing to prove.
            return _UNSUPPORTED, None, ""
        outcome, code = self._run_tests(list(job["tests"]), float(job["timeout"]))
        return outcome, code, ""

    def _run_tests(self, tests: list[str], timeout: float) -> tuple[str, int | None]:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child ends in os._exit
            self._child(tests)
        status = _wait(pid, time.monotonic() + timeout)
        if status is None:
            _kill_group(pid)
            return "timeout", None
        code = os.waitstatus_to_exitcode(status)
        return _classify(code), code

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
                    args = [*self.spec["pytest_args"], *_MUTANT_ARGS, _basetemp(self.root), *tests]
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
            _end_child(code)


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
