"""The zygote: a fork of the worker that collected the whole suite once (see ``worker.py``).

Standard library and pytest only, loaded in the project's interpreter as part of a private
package (siblings are imported relatively).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
import time
import traceback
import types
from typing import TYPE_CHECKING, Any, TextIO, cast

from . import protocol  # noqa: TID252 - run in a private package, see worker.py
from . import worker_process as process  # noqa: TID252 - run in a private package, see worker.py

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

FALLBACK = "fallback"
_PROBE = "def probe(*args, **kwargs):\n    raise RuntimeError('qualitykit sanity check')\n"


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


class Zygote:
    """A fork of the worker that collected the whole suite once (importing the project).

    For a mutant inside a function's body it forks a child that swaps that function's code
    object for the mutated one (``function.__code__``: every reference to the function sees
    it) and runs the selected, already collected tests: no import, no collection per mutant.
    Anything else (module-level code, an ambiguous name, a changed closure) is answered
    ``fallback`` and the worker runs the mutant the general way.
    """

    def __init__(self, root: Path, modules: list[str], config: pytest.Config) -> None:
        """Fork the zygote and wait for it to collect the suite."""
        self.root = root
        self.modules = modules
        self.config = config
        self.alive = False
        self.first_failure = process.FirstFailure()
        down_read, down_write = os.pipe()
        up_read, up_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the zygote ends in os._exit
            os.close(down_write)
            os.close(up_read)
            code = 0
            try:
                process.die_with_parent()
                requests = os.fdopen(down_read, "r", encoding="utf-8")
                answers = os.fdopen(up_write, "w", buffering=1, encoding="utf-8")
                self._main(requests, answers)
            except BaseException:  # noqa: BLE001 - reported in the log; the worker falls back
                traceback.print_exc()
                code = 1
            process.end_child(code)
        self.pid = pid
        os.close(down_read)
        os.close(up_write)
        self.requests = os.fdopen(down_write, "w", buffering=1, encoding="utf-8")
        self.answers = os.fdopen(up_read, "r", encoding="utf-8")
        hello = self.answers.readline()
        greeting: dict[str, Any] = json.loads(hello) if hello else {}
        self.alive = bool(greeting.get(protocol.READY))
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
            return {FALLBACK: "no zygote"}
        try:
            self.requests.write(json.dumps(job) + "\n")
            self.requests.flush()
            line = self.answers.readline()
        except OSError:
            line = ""
        if not line:
            self.alive = False
            return {FALLBACK: "the zygote died"}
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
        self.first_failure = process.FirstFailure()
        config.pluginmanager.register(self.first_failure, "qualitykit-first-failure")
        paths = {os.path.realpath(self.root / module) for module in self.modules}
        functions = _functions(paths)
        gc.collect()
        gc.freeze()
        # What the suite imports from outside the project: the worker preloads it, so that
        # the mutants it runs by re-importing do not pay for it each time.
        plugins = process.plugin_packages()
        preload = sorted(
            name
            for name, module in list(sys.modules.items())
            if process.outside(module, self.root) and name.partition(".")[0] not in plugins
        )
        hello = {protocol.READY: True, "tests": len(items), "preload": preload}
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
            return {FALLBACK: "a selected test was not collected"}
        swap = self._swap(job, functions)
        if isinstance(swap, str):
            return {FALLBACK: swap}
        targets, new = swap
        report_read, report_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child ends in os._exit
            os.close(report_read)
            self._run(targets, new, selected, session, report_write)
        os.close(report_write)
        try:
            status = process.wait(pid, time.monotonic() + float(job["timeout"]))
            if status is None:
                process.kill_group(pid)
                return {"outcome": protocol.TIMEOUT, "exit": None}
            killer = os.read(report_read, 65536).decode("utf-8", "replace")
        finally:
            os.close(report_read)
        return {"exit": os.waitstatus_to_exitcode(status), "killer": killer}

    def _swap(
        self, job: dict[str, Any], functions: dict[tuple[str, str], list[types.FunctionType]]
    ) -> tuple[list[types.FunctionType], types.CodeType] | str:
        """The function objects to patch and their mutated code, or why the job falls back."""
        qualname = str(job["function"])
        path = os.path.realpath(self.root / job["module"])
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
            # qualitykit: allow[QK-EXC-002] the reason is returned and reported
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
        code = protocol.HARNESS_ERROR
        try:
            os.setpgid(0, 0)
            process.die_with_parent()
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
            code = protocol.HARNESS_ERROR
        finally:
            process.end_child(code)
