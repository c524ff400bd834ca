"""Process plumbing of the worker side: paths, output, children, deadlines (standard library only).

Loaded by ``worker.py`` in the project's interpreter as part of a private package, so siblings
are imported relatively (qualitykit itself may not be importable there).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import posix
import select
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    import pytest

_PR_SET_PDEATHSIG = 1
# Per mutant: stop at the first failure, format no traceback, no cache writes.
MUTANT_ARGS = ("-x", "--tb=no", "-q", "-p", "no:cacheprovider")


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def setup_paths(spec: dict[str, Any]) -> None:
    """Work in the copy, with its source roots first on ``sys.path`` (and for subprocesses)."""
    root = str(spec["root"])
    os.chdir(root)
    paths = [str(Path(root) / entry) for entry in spec["sys_path"]]
    sys.path[:0] = [*paths, root]
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [*paths, *filter(None, [os.environ.get("PYTHONPATH", "")])]
    )


def redirect_output(log: str) -> None:
    """Send this process's stdout and stderr (and its children's) to ``log``."""
    handle = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(handle, 1)
    os.dup2(handle, 2)
    os.close(handle)


def outside(module: object, root: Path) -> bool:
    """Whether ``module`` was loaded from outside the project copy (safe to preload)."""
    name = getattr(module, "__name__", "")
    if name == "__main__" or name.startswith(("conftest", "_qualitykit_")):
        return False
    where = getattr(module, "__file__", None)
    if where is None:
        return True
    return not Path(where).resolve().is_relative_to(root)


def basetemp(root: Path) -> str:
    """A private ``tmp_path`` root beside the copy: concurrent workers never share pytest's."""
    return f"--basetemp={root}.tmp"


def file_of(module: object) -> Path | None:
    """Where ``module`` was loaded from (None: not from a file)."""
    where = getattr(module, "__file__", None)
    return None if where is None else Path(where).resolve()


def plugin_packages() -> set[str]:
    """Top-level packages of pytest plugins: pytest must import those itself.

    It rewrites their asserts, and warns about plugins imported before it.
    """
    from importlib.metadata import entry_points  # noqa: PLC0415

    return {entry.module.partition(".")[0] for entry in entry_points(group="pytest11")}


class FirstFailure:
    """A pytest plugin noting the first failing test (the worker reports it as the killer)."""

    def __init__(self) -> None:
        """Nothing failed yet."""
        self.nodeid = ""

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Keep the first failing test's node id."""
        if report.failed and not self.nodeid:
            self.nodeid = str(report.nodeid)


class CollectionWatcher:
    """A pytest plugin noting whether collecting a test module failed."""

    def __init__(self) -> None:
        """No collection failed yet."""
        self.failed = False

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """Note a failed collection."""
        if report.failed:
            self.failed = True


def _forked_coverage() -> Any:  # noqa: ANN401 - coverage.Coverage, when it is loaded at all
    """The coverage.py measurement of this forked child, when ``patch = fork`` restarted one."""
    coverage: Any = sys.modules.get("coverage")  # never imported here: only when measuring
    measuring: Any = getattr(getattr(coverage, "Coverage", None), "current", lambda: None)()
    if measuring is None:
        return None
    patches: Any = measuring.get_option("run:patch") or ()
    return measuring if "fork" in patches else None


def end_child(code: int) -> NoReturn:
    """Flush what the child printed (into the worker's log) and leave at once, as ``code``.

    Under coverage.py's ``patch = fork, _exit`` (the coverage step's settings, 7.17), the
    ``os._exit`` of a forked child saves the child's data and then, through the parent's patch,
    the parent's whole pre-fork data again: a second, large data file per child (and per
    mutant), each to be combined. The child saves its own data and leaves through the
    unpatched ``posix._exit``; unmeasured, it is a plain ``os._exit``.
    """
    with contextlib.suppress(BaseException):
        sys.stdout.flush()
        sys.stderr.flush()
    measuring = _forked_coverage()
    if measuring is not None:
        with contextlib.suppress(Exception):
            measuring.stop()
            measuring.save()
        # The os._exit coverage.py did not patch (a public function, underscored like os._exit).
        posix._exit(code)  # noqa: SLF001  # pyright: ignore[reportPrivateUsage]
    os._exit(code)


def kill_group(pid: int) -> None:
    """SIGKILL the process group ``pid`` leads, and reap its leader."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def wait(pid: int, deadline: float) -> int | None:
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
