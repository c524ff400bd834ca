"""What the engine and its workers say to each other, defined once for both sides.

Standard library only, and no import of qualitykit: ``worker.py`` loads this module in the
project's interpreter, where qualitykit may not be importable. The engine imports it as
``qualitykit.mutation.protocol``; the worker as a sibling module of a private package.

The worker writes one JSON object per line on its stdout, each with a ``kind``:

- ``ready``: the warm-up ended (``prepared``: pytest's configuration was prepared once);
- ``answer``: the outcome of one job (``outcome``, ``exit``, ``killer``, ``seconds``...);
- ``fatal``: the worker cannot serve at all (``detail`` says why, in one line); it exits 2.

The engine writes one job per line on the worker's stdin: ``id``, ``module``, ``source`` (the
mutated module), ``tests``, ``timeout`` (seconds), ``function`` (the qualified name of the
function whose body holds the mutant, or null) and, for the sanity check, ``probe``.
"""

from __future__ import annotations

# Message kinds, worker -> engine.
READY = "ready"
ANSWER = "answer"
FATAL = "fatal"

# The worker's modes (its first argument).
BASELINE = "baseline"
SERVE = "serve"

# Outcome names: the engine's ``Outcome`` enum takes its values from these.
KILLED = "killed"
SURVIVED = "survived"
TIMEOUT = "timeout"
INCOMPETENT = "incompetent"
NO_COVERAGE = "no-coverage"
ERROR = "error"
PENDING = "pending"
# A probe of the in-place path that the worker would run by re-importing: nothing to prove.
UNSUPPORTED = "unsupported"

# Exit codes of the worker process itself.
EXIT_FATAL = 2  # an unsupported pytest, a bad spec: the ``fatal`` message says which
# pytest's exit codes, and the worker's own for a child that failed in the harness.
PYTEST_OK = 0
PYTEST_INTERRUPTED = 2
PYTEST_USAGE_ERROR = 4
PYTEST_NO_TESTS = 5
HARNESS_ERROR = 70
_KILLED_CODES = frozenset({1, 2, 3})

# The pytest major versions whose private API (``_prepareconfig``, ``Session.from_config``,
# ``Config._do_configure``) the worker uses; another major is a ``fatal`` error.
PYTEST_MAJORS = (9,)


def classify(code: int) -> str:
    """The outcome of a child's exit code (negative: killed by that signal).

    0 survived; 1 (a test failed), 2 (interrupted, e.g. a collection error), 3 (internal
    error) or a signal: killed, as for stock cosmic-ray; anything else is a harness error.
    """
    if code == PYTEST_OK:
        return SURVIVED
    if code in _KILLED_CODES or code < 0:
        return KILLED
    return ERROR


def pytest_problem(version: str) -> str | None:
    """Why pytest ``version`` cannot drive the worker, or None when it can."""
    major = version.split(".", 1)[0]
    if major.isdigit() and int(major) in PYTEST_MAJORS:
        return None
    wanted = " or ".join(f"{number}.x" for number in PYTEST_MAJORS)
    return (
        f"pytest {version} is not supported by the mutation worker (it needs pytest {wanted}); "
        "install a supported pytest in [tool.qualitykit.mutation] python"
    )
