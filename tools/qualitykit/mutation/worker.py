"""The test side of mutation testing, run by path by the project's own Python in a private copy.

``python worker.py baseline|serve SPEC-JSON``. The project's interpreter may not have qualitykit,
so the worker side imports only the standard library, pytest and (for the baseline) coverage.py,
and its modules beside this file: this launcher loads this directory as a private package,
``_qualitykit_mutation`` (its ``__init__`` is a docstring), whose worker modules import each
other relatively; none of qualitykit's other modules is imported. Two modes:

``baseline SPEC`` (``worker_baseline.py``)
    Runs the whole selected suite once, unmutated, under coverage.py with one dynamic context
    per test and writes a JSON report: the tests, their durations, failures and the lines of
    the mutated modules each test executes.

``serve SPEC`` (``worker_serve.py``, ``worker_zygote.py``)
    A warm worker: pytest's configuration prepared once and a zygote that collected the suite,
    then one job per line on stdin (a mutated source, the tests, a timeout): the mutant is
    written into the copy, a child in its own process group runs only those tests, the file
    is restored, and one JSON line answers on stdout (``protocol.py``). Children die with the
    worker and the worker with the runner (``PR_SET_PDEATHSIG``); it stops when stdin closes.

Before either, the worker checks that pytest's major version is one whose private API it uses
(``protocol.PYTEST_MAJORS``); otherwise it writes one ``fatal`` line and exits 2.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

PACKAGE = "_qualitykit_mutation"
_HERE = Path(__file__).resolve().parent


def _load_package() -> None:
    """This directory as the package ``_qualitykit_mutation`` (never on ``sys.path``)."""
    if PACKAGE in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(
        PACKAGE, _HERE / "__init__.py", submodule_search_locations=[str(_HERE)]
    )
    if spec is None or spec.loader is None:  # pragma: no cover - the file is beside us
        msg = f"cannot load {_HERE} as a package"
        raise ImportError(msg)
    package = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = package
    spec.loader.exec_module(package)


def _sibling(name: str) -> Any:  # noqa: ANN401 - a module loaded by name
    return importlib.import_module(f"{PACKAGE}.{name}")


def _fatal(detail: str) -> int:
    protocol = _sibling("protocol")
    sys.stdout.write(json.dumps({"kind": protocol.FATAL, "detail": detail}) + "\n")
    sys.stdout.flush()
    return int(protocol.EXIT_FATAL)


def main(argv: list[str]) -> int:
    """``worker.py baseline|serve SPEC-JSON``."""
    if sys.path and sys.path[0] == str(_HERE):
        # Run as a script: its directory must not shadow the project's top-level modules.
        del sys.path[0]
    _load_package()
    protocol = _sibling("protocol")
    try:
        import pytest  # noqa: PLC0415
    except ImportError as error:
        return _fatal(f"{sys.executable} cannot import pytest ({error})")
    problem = protocol.pytest_problem(pytest.__version__)
    if problem is not None:
        return _fatal(str(problem))
    mode, spec = argv[0], json.loads(argv[1])
    if mode == protocol.BASELINE:
        return int(_sibling("worker_baseline").baseline(spec))
    return int(_sibling("worker_serve").serve(spec))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
