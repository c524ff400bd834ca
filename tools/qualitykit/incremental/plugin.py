"""The pytest plugin of the incremental coverage step: per-test contexts, reads, selection.

Copied under a private name (``_qualitykit_incremental``) into a directory outside the project
and loaded with ``-p``: it imports only the standard library, pytest and coverage.py, so the
project's tests run with nothing of qualitykit imported. It

- names the coverage context: ``collect:FILE`` while a test module is imported, the test's node
  id while it runs (setup, call, teardown), ``""`` otherwise; a subprocess a test starts
  records under the same name (its static context, in the configuration coverage.py's
  ``patch = subprocess`` hands to children through ``COVERAGE_PROCESS_CONFIG``);
- records which project files each context opened (an audit hook on ``open``), so that a test
  reading a data file reruns when that file changes, and which files the suite wrote (opened
  to write, or renamed onto): their state is the one the suite left;
- records every test that ran or that the selection left out (node id → file; a test
  pytest's ``-m``/``-k`` deselected is not among them) and the project fixtures broader than
  a function each test uses (tests sharing one rerun together);
- records every test module it imported or left out (a module whose tests pytest's own
  deselection dropped all of is known too: left out while nothing it depends on changes);
- keeps only the selected tests (and tests it has never seen) when given a selection, and
  does not import the known test modules the selection leaves out whole (their tests count
  as left out).
"""

from __future__ import annotations

import copy
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import coverage
from pluggy import HookimplMarker

if TYPE_CHECKING:
    from collections.abc import Generator

    import pytest

# pytest's own marker (``pytest.hookimpl``): the runner imports this module for its names
# and path, and pytest costs it a tenth of a second before the suite can start.
hookimpl = HookimplMarker("pytest")

_CHILD_CONFIG = "COVERAGE_PROCESS_CONFIG"
RECORD_VAR = "QUALITYKIT_INCREMENTAL_RECORD"
SELECT_VAR = "QUALITYKIT_INCREMENTAL_SELECT"
_SKIPPED_DIRS = frozenset({".git", ".qualitykit", "__pycache__", "site-packages"})
# An ``open`` that may change the file (its flags, as the audit event gives them).
_WRITING = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC


class _Recorder:  # pragma: no cover - runs inside the measured suite, which it names
    def __init__(self, root: str) -> None:
        self.root = root
        # The interpreter's own trees (a .venv inside the project among them) are no project
        # files: reads there, and fixtures defined there, are the tools', not the project's.
        prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix}
        self.outside = tuple(os.path.join(os.path.abspath(p), "") for p in prefixes)  # noqa: PTH100, PTH118
        self.context = ""
        self.reads: dict[str, set[str]] = {}
        self.tests: dict[str, str] = {}
        self.shared: dict[str, list[str]] = {}
        self.project_fixtures: set[str] = set()
        self.dropped: set[str] = set()  # the known tests the selection left out
        self.modules: set[str] = set()  # the test modules imported, or left out whole
        self.written: set[str] = set()  # the project files the suite wrote or renamed onto

    def switch(self, context: str) -> None:
        self.context = context
        measuring = coverage.Coverage.current()
        if measuring is None:
            return
        measuring.switch_context(context)
        if _CHILD_CONFIG in os.environ:
            # A subprocess measures under a static context: this one's.
            child = copy.copy(measuring.config)
            child.context = context or None
            os.environ[_CHILD_CONFIG] = child.serialize()

    def project_file(self, path: str) -> str | None:
        """``path`` relative to the project root when it is a project file, else None."""
        if not path or path.startswith("<"):  # "<unknown>", "<string>": no file
            return None
        full = os.path.abspath(path)  # noqa: PTH100 - the cwd at the time of the call
        if full.startswith(self.outside):
            return None
        relative = os.path.relpath(full, self.root)
        parts = set(Path(relative).parts)
        if relative.startswith(("..", os.sep)) or parts & _SKIPPED_DIRS:
            return None
        return relative.replace(os.sep, "/")

    def opened(self, event: str, args: tuple[object, ...]) -> None:
        """An ``open`` (path, mode, flags) or an ``os.rename`` (source, target, ...)."""
        if len(args) < 2:  # both events name at least two things
            return
        path = args[1] if event == "os.rename" else args[0]
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str):
            return
        relative = self.project_file(path)
        if relative is None:
            return
        flags = args[2] if len(args) > 2 else 0  # open: (path, mode, flags)
        if event == "os.rename" or (isinstance(flags, int) and flags & _WRITING):
            self.written.add(relative)
        if event == "open":
            self.reads.setdefault(self.context, set()).add(relative)


_recording: _Recorder | None = None


def _recorder() -> _Recorder:
    assert _recording is not None  # noqa: S101 - set in pytest_configure
    return _recording


def _audit(event: str, args: tuple[object, ...]) -> None:  # pragma: no cover
    if _recording is not None and event in {"open", "os.rename"}:
        _recording.opened(event, args)


def pytest_configure(config: pytest.Config) -> None:  # pragma: no cover
    """Start recording (once: audit hooks cannot be removed)."""
    global _recording  # noqa: PLW0603 - one recorder per process, reached from the audit hook
    del config
    if _recording is None:
        _recording = _Recorder(os.getcwd())  # noqa: PTH109 - the project root: the step's cwd
        sys.addaudithook(_audit)
    _recorder().switch("")


def _module_context(path: object) -> str | None:
    if not isinstance(path, Path) or path.suffix != ".py":
        return None
    relative = os.path.relpath(path, _recorder().root).replace(os.sep, "/")
    return f"collect:{relative}"


@hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, object, object]:  # pragma: no cover
    """Code a test module runs when it is imported is recorded as ``collect:FILE``."""
    import pytest  # noqa: PLC0415 - loaded by now: this runs inside pytest

    context = _module_context(getattr(collector, "path", None))
    if context is None or not isinstance(collector, pytest.Module):
        return (yield)
    _recorder().modules.add(context.removeprefix("collect:"))
    _recorder().switch(context)
    try:
        return (yield)
    finally:
        _recorder().switch("")


@hookimpl(wrapper=True)
def pytest_fixture_setup(
    fixturedef: pytest.FixtureDef[object],
) -> Generator[None, object, object]:  # pragma: no cover
    """Note the project's fixtures broader than a function: the tests sharing one rerun together."""
    if fixturedef.scope != "function":
        code = getattr(fixturedef.func, "__code__", None)
        filename = getattr(code, "co_filename", "")
        if isinstance(filename, str) and _recorder().project_file(filename) is not None:
            _recorder().project_fixtures.add(fixturedef.argname)
    return (yield)


_selected: tuple[set[str], set[str], dict[str, list[str]]] | None = None


def _selection() -> tuple[set[str], set[str], dict[str, list[str]]] | None:
    """The selected tests, the known ones, and the known test modules left out whole."""
    global _selected  # noqa: PLW0603 - read once per process
    path = os.environ.get(SELECT_VAR)
    if not path:
        return None
    if _selected is None:
        with open(path, encoding="utf-8") as handle:  # noqa: PTH123 - before the audit matters
            spec = json.load(handle)
        _selected = set(spec["select"]), set(spec["known"]), spec.get("skip", {})
    return _selected


def pytest_ignore_collect(collection_path: Path) -> bool | None:  # pragma: no cover
    """A known test module the selection leaves out whole is not imported at all."""
    chosen = _selection()
    if chosen is None or collection_path.suffix != ".py":
        return None
    recorder = _recorder()
    relative = os.path.relpath(collection_path, recorder.root).replace(os.sep, "/")
    tests = chosen[2].get(relative)
    if tests is None:
        return None
    recorder.tests.update(dict.fromkeys(tests, relative))
    recorder.dropped.update(tests)
    recorder.modules.add(relative)
    return True


@hookimpl(trylast=True)
def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:  # pragma: no cover
    """Note every test left by pytest's own deselection; keep the selected and the new ones.

    Last, after ``-m``/``-k`` and the conftest files deselected theirs: a test they dropped
    never ran, so it must not become known (the regression step would take it for passed).
    """
    recorder = _recorder()
    for item in items:
        recorder.tests[item.nodeid] = os.path.relpath(item.path, recorder.root).replace(os.sep, "/")
    chosen = _selection()
    if chosen is None:
        return
    select, known, _ = chosen
    kept = [item for item in items if item.nodeid in select or item.nodeid not in known]
    dropped = [item for item in items if item.nodeid not in select and item.nodeid in known]
    recorder.dropped.update(item.nodeid for item in dropped)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@hookimpl(wrapper=True)
def pytest_runtest_protocol(
    item: pytest.Item,
) -> Generator[None, object, object]:  # pragma: no cover
    """Everything a test runs (its setup and teardown too) is recorded under its node id."""
    _recorder().switch(item.nodeid)
    try:
        return (yield)
    finally:
        _recorder().switch("")
        names = getattr(item, "fixturenames", ())
        _recorder().shared[item.nodeid] = sorted(str(name) for name in names)


def pytest_sessionfinish(session: pytest.Session) -> None:  # pragma: no cover
    """Write the record the step keeps beside the coverage data."""
    del session
    directory = os.environ.get(RECORD_VAR)
    if not directory:
        return
    # One file per process: under pytest-xdist every worker records what it collected and ran.
    path = os.path.join(directory, f"record-{os.getpid()}.json")  # noqa: PTH118
    recorder = _recorder()
    # Known from now on: the tests that ran, and those the selection left out (they ran in the
    # stored run and nothing they depend on changed). Collected but never run (deselected,
    # or the run ended early) is not known.
    record = {
        "tests": {
            test: file
            for test, file in recorder.tests.items()
            if test in recorder.shared or test in recorder.dropped
        },
        "fixtures": recorder.shared,
        "broad": sorted(recorder.project_fixtures),
        "reads": {context: sorted(paths) for context, paths in recorder.reads.items()},
        "modules": sorted(recorder.modules),
        "written": sorted(recorder.written),
    }
    with open(path, "w", encoding="utf-8") as handle:  # noqa: PTH123
        json.dump(record, handle)
