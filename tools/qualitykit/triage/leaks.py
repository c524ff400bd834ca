"""What process state the culprits of a polluter (or enabler) search leave changed.

In a child of the collected session: a snapshot, the culprits run (every fixture torn down
after them), a snapshot, the difference (``leak_snapshot.py``): environment variables, the
CWD, ``sys.path``, modules newly imported or replaced in ``sys.modules``, top-level names of
project modules whose identity or short repr changed, logging handlers and levels, the
``random`` state, open file descriptors and new entries in the temporary directory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from qualitykit.triage.pollution_models import Leak, PollutionResult
    from qualitykit.triage.session import Session

# Most telling first: a test's own globals and variables before modules it merely imported.
_ORDER = ("global", "env", "cwd", "sys.path", "logging", "random", "fd", "tempfile", "module")


def what_leaked(session: Session, culprits: Sequence[str]) -> list[Leak]:
    """The state that differs after running ``culprits`` (in this order) from before them."""
    _, leaks = session.run_many([list(culprits)], leaks=True)[0]
    return sorted(leaks, key=lambda leak: (_ORDER.index(leak.kind), leak.name))


def with_leaks(session: Session, result: PollutionResult) -> PollutionResult:
    """``result`` with what its culprits leaked (unchanged when nothing was found)."""
    if result.status != "found":
        return result
    return result.model_copy(update={"leaks": tuple(what_leaked(session, result.culprits))})
