"""The worker's ``serve`` mode: a warm worker answering one job per line (see ``worker.py``).

Standard library and pytest only, loaded in the project's interpreter as part of a private
package (siblings are imported relatively).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from . import protocol  # noqa: TID252 - run in a private package, see worker.py
from . import worker_process as process  # noqa: TID252 - run in a private package, see worker.py
from .worker_zygote import FALLBACK, Zygote  # noqa: TID252 - run in a private package

if TYPE_CHECKING:
    from collections.abc import Callable

    import pytest


class _Server:
    def __init__(self, spec: dict[str, Any], requests: TextIO, answers: TextIO) -> None:
        self.spec = spec
        self.requests = requests
        self.answers = answers
        self.root = Path(spec["root"]).resolve()
        self.originals: dict[str, tuple[bytes, int]] = {}
        self.counter = 0
        self.last_route = "fork"
        self.config: pytest.Config | None = None
        self.zygote: Zygote | None = None

    def warm_up(self) -> None:
        importlib.import_module("pytest")  # loaded once here, before any fork
        self.config = self._prepared_config()
        gc.collect()
        gc.freeze()
        if self.config is not None:
            self.zygote = Zygote(self.root, list(self.spec["modules"]), self.config)
            self._preload(self.zygote.preload)

    def _preload(self, names: list[str]) -> None:
        """Import what the suite uses from outside the project (never the project itself)."""
        before = set(sys.modules)
        for name in names:
            with contextlib.suppress(BaseException):
                importlib.import_module(name)
        for name in set(sys.modules) - before:
            if not process.outside(sys.modules[name], self.root):
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
        args = [*self.spec["pytest_args"], *process.MUTANT_ARGS, process.basetemp(self.root)]
        try:
            config = prepare(args)
        # qualitykit: allow[QK-EXC-002] None falls back to pytest.main per mutant
        except BaseException:  # noqa: BLE001 - any failure: fall back to pytest.main per mutant
            return None
        mutated = {(self.root / module).resolve() for module in self.spec["modules"]}
        loaded = [
            name
            for name in set(sys.modules) - before
            if not process.outside(sys.modules[name], self.root)
        ]
        pinned = any(process.file_of(sys.modules[name]) in mutated for name in loaded)
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
            answer = {"kind": protocol.ANSWER, **self.run_job(job)}
            self.answers.write(json.dumps(answer) + "\n")
            self.answers.flush()
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
            return {
                "id": job["id"],
                "outcome": protocol.INCOMPETENT,
                "exit": None,
                "detail": str(error),
            }
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
            if FALLBACK not in answer:
                self.last_route = "zygote"
                if answer.get("outcome") == protocol.TIMEOUT:
                    return protocol.TIMEOUT, None, ""
                exit_code = int(answer["exit"])
                return protocol.classify(exit_code), exit_code, str(answer.get("killer", ""))
            self.last_route = f"fork: {answer[FALLBACK]}"
        else:
            self.last_route = "fork"
        if job.get("probe"):
            # A probe of the in-place path that cannot take it: there is nothing to prove.
            return protocol.UNSUPPORTED, None, ""
        outcome, code = self._run_tests(list(job["tests"]), float(job["timeout"]))
        return outcome, code, ""

    def _run_tests(self, tests: list[str], timeout: float) -> tuple[str, int | None]:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child ends in os._exit
            self._child(tests)
        status = process.wait(pid, time.monotonic() + timeout)
        if status is None:
            process.kill_group(pid)
            return protocol.TIMEOUT, None
        code = os.waitstatus_to_exitcode(status)
        return protocol.classify(code), code

    def _child(self, tests: list[str]) -> None:
        code = protocol.HARNESS_ERROR
        try:
            os.setpgid(0, 0)
            process.die_with_parent()
            sys.dont_write_bytecode = True
            import pytest  # noqa: PLC0415

            watcher = process.CollectionWatcher()
            try:
                if self.config is not None:
                    self.config.args[:] = tests
                    self.config.pluginmanager.register(watcher, "qualitykit-watcher")
                    code = int(self.config.hook.pytest_cmdline_main(config=self.config))
                else:
                    args = [
                        *self.spec["pytest_args"],
                        *process.MUTANT_ARGS,
                        process.basetemp(self.root),
                        *tests,
                    ]
                    code = int(pytest.main(args, plugins=[watcher]))
            except pytest.UsageError:
                code = protocol.PYTEST_USAGE_ERROR
            no_run = code in {protocol.PYTEST_USAGE_ERROR, protocol.PYTEST_NO_TESTS}
            if no_run and watcher.failed:
                # The mutant broke the import of a test module: pytest ran nothing. Killed.
                code = protocol.PYTEST_INTERRUPTED
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        except BaseException:  # noqa: BLE001 - pytest catches the tests' errors: this is ours
            traceback.print_exc()
            code = protocol.HARNESS_ERROR
        finally:
            process.end_child(code)


def serve(spec: dict[str, Any]) -> int:
    """The warm worker loop (see ``worker.py``)."""
    # Private handles on the pipes: pytest captures (and guards) the standard streams.
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    answers = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    process.die_with_parent()
    process.setup_paths(spec)
    process.redirect_output(spec["log"])
    server = _Server(spec, requests, answers)
    server.warm_up()
    hello = {"kind": protocol.READY, "prepared": server.config is not None}
    answers.write(json.dumps(hello) + "\n")
    answers.flush()
    return server.serve()
