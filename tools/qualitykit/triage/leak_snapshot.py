"""Process state before and after some tests run, and what differs (worker side of leaks.py).

Standard library only: ``session_worker.py`` loads this file by path in the project's
interpreter, where qualitykit may not be importable. A snapshot maps a kind of state to
``name -> (identity, shown)``: a thing changed when either differs, and only ``shown`` (short
and safe: a repr that raised or is long is cut) leaves the process.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import random
import reprlib
import sys
import sysconfig
import tempfile
import types
from pathlib import Path
from typing import Any

Snapshot = dict[str, dict[str, tuple[int, str]]]
_SHOWN = 120  # characters of a repr that leave the process
_MAX_LEAKS = 300  # a test that imports a framework adds hundreds of modules: enough to act on
_REPR = reprlib.Repr()  # its keyword arguments need Python 3.12
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother, _REPR.maxlist, _REPR.maxdict = 2, 80, 80, 6, 6
_OPAQUE = (types.FunctionType, types.BuiltinFunctionType, type, types.ModuleType)


def _shown(value: object) -> str:
    """A short repr that never raises (a broken ``__repr__`` is named, not propagated)."""
    if isinstance(value, _OPAQUE):
        # Functions, classes and modules: their identity says it; their repr costs nothing.
        return f"<{type(value).__name__} {getattr(value, '__qualname__', '')}>".replace(" >", ">")
    try:
        text = _REPR.repr(value)
    except Exception as error:  # noqa: BLE001 - any __repr__ may raise: name it instead
        text = f"<{type(value).__name__}: repr raised {type(error).__name__}>"
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def _cut(text: str) -> str:
    """``text`` within ``_SHOWN`` characters: its start and its end (a path keeps its file)."""
    if len(text) <= _SHOWN:
        return text
    head = _SHOWN // 3
    return f"{text[:head]}...{text[len(text) - (_SHOWN - head - 3) :]}"


def _outside_dirs() -> tuple[Path, ...]:
    """Installed code: the interpreter's prefixes and site-packages (even inside the root)."""
    places = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    for key in ("purelib", "platlib", "stdlib", "platstdlib"):
        with contextlib.suppress(KeyError):
            places.add(sysconfig.get_paths()[key])
    return tuple(Path(place).resolve() for place in places if place)


# Computed once, on load: ``sysconfig`` imports a module the first time, a leak of our own.
_OUTSIDE = _outside_dirs()


def project_modules(root: Path) -> dict[str, types.ModuleType]:
    """The loaded modules whose file is under ``root`` and not installed code (nor ours)."""
    outside = _OUTSIDE
    found: dict[str, types.ModuleType] = {}
    for name, module in list(sys.modules.items()):
        where = getattr(module, "__file__", None)
        if not isinstance(where, str) or name.startswith("_qualitykit_"):
            continue
        path = Path(where).resolve()
        if path.is_relative_to(root) and not any(path.is_relative_to(d) for d in outside):
            found[name] = module
    return found


def _globals(root: Path) -> dict[str, tuple[int, str]]:
    state: dict[str, tuple[int, str]] = {}
    for name, module in project_modules(root).items():
        for key, value in list(vars(module).items()):
            # Dunders and pytest's assertion-rewriting helpers (``@py_builtins``) are not state.
            if (key.startswith("__") and key.endswith("__")) or key.startswith("@"):
                continue
            state[f"{name}.{key}"] = (id(value), _shown(value))
    return state


def _logging() -> dict[str, tuple[int, str]]:
    state: dict[str, tuple[int, str]] = {}
    manager = logging.Logger.manager
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in manager.loggerDict)]
    for logger in loggers:
        handlers = [f"{type(handler).__name__}@{id(handler):x}" for handler in logger.handlers]
        level = logging.getLevelName(logger.level)
        shown = f"level={level} handlers=[{', '.join(handlers)}] propagate={logger.propagate}"
        state[logger.name] = (0, shown)
    return state


def _fds() -> dict[str, tuple[int, str]]:
    state: dict[str, tuple[int, str]] = {}
    with contextlib.suppress(OSError):
        for entry in Path("/proc/self/fd").iterdir():
            with contextlib.suppress(OSError):
                state[entry.name] = (0, str(entry.readlink()))
    return state


def _random() -> dict[str, tuple[int, str]]:
    digest = hashlib.sha256(repr(random.getstate()).encode()).hexdigest()[:12]
    return {"random.getstate()": (0, f"state {digest}")}


def snapshot(root: Path) -> Snapshot:
    """The process state a test can leave behind for the next one."""
    temp = tempfile.gettempdir()
    try:
        temp_entries = {entry.name: (0, "present") for entry in Path(temp).iterdir()}
    except OSError:
        temp_entries = {}
    modules: dict[str, tuple[int, str]] = {
        name: (id(module), str(getattr(module, "__file__", None) or "built-in"))
        for name, module in list(sys.modules.items())
        if not name.startswith("_qualitykit_")
    }
    return {
        "env": {name: (0, value) for name, value in os.environ.items()},
        "cwd": {"cwd": (0, str(Path.cwd()))},
        "sys.path": dict.fromkeys(sys.path, (0, "present")),
        "module": modules,
        "global": _globals(root),
        "logging": _logging(),
        "random": _random(),
        "fd": _fds(),
        "tempfile": temp_entries,
    }


def diff(before: Snapshot, after: Snapshot) -> list[dict[str, Any]]:
    """Every name whose identity or shown value differs, as ``{kind, name, before, after}``."""
    leaks: list[dict[str, Any]] = []
    for kind, old in before.items():
        new = after.get(kind, {})
        for name in sorted(old.keys() | new.keys()):
            was, now = old.get(name), new.get(name)
            if was == now:
                continue
            leaks.append(
                {
                    "kind": kind,
                    "name": _cut(name),
                    "before": None if was is None else _cut(was[1]),
                    "after": None if now is None else _cut(now[1]),
                }
            )
    return leaks[:_MAX_LEAKS]


class LeakWatcher:
    """Snapshots around a run: ``begin`` before the first test, ``end`` after the last teardown.

    As a pytest plugin (a fresh pytest) it hooks the end of collection and of the session.
    """

    def __init__(self, root: Path) -> None:
        """Nothing observed yet."""
        self.root = root
        self.before: Snapshot = {}
        self.leaks: list[dict[str, Any]] = []

    def begin(self) -> None:
        """The state before the tests run."""
        self.before = snapshot(self.root)

    def end(self) -> None:
        """The difference since :meth:`begin`."""
        self.leaks = diff(self.before, snapshot(self.root))

    def pytest_collection_finish(self) -> None:
        """Collection imported the test modules: the tests' own effects start here."""
        self.begin()

    def pytest_sessionfinish(self) -> None:
        """Every fixture, session-scoped ones too, was torn down after the last test."""
        self.end()
