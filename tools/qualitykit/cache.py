"""Content-hash cache: a step whose inputs are unchanged reuses its last PASS, never a failure.

The key covers everything a result depends on: the step's argv, its settings, the content of
every input file, the tool versions locked in uv.lock, the relevant environment variables, the
Python version and qualitykit's own version. Results live in ``.qualitykit/results/STEP.json``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from qualitykit.atomic import write_text_atomic
from qualitykit.fastpath import own_code
from qualitykit.results import Status, StepResult
from qualitykit.state import read_model
from qualitykit.steps.base import LOCK_ALL
from qualitykit.workspace import LOCKFILE

if TYPE_CHECKING:
    from pathlib import Path

    from qualitykit.steps.base import Step, StepContext

_KEY_SCHEMA = 1


@cache
def _installed_version(package: str) -> str:
    try:
        return version(package)
    # qualitykit: allow[QK-EXC-002] an absent package is a key value, not an error
    except PackageNotFoundError:
        return "not-installed"


def tool_versions(step: Step, ctx: StepContext) -> dict[str, str]:
    """The versions that key ``step``: named packages, or the whole lock's digest."""
    versions: dict[str, str] = {}
    for package in step.tools:
        if package == LOCK_ALL:
            lock = ctx.root / LOCKFILE
            versions[LOCKFILE] = ctx.workspace.digest(LOCKFILE) if lock.is_file() else "no-lock"
        else:
            locked = ctx.workspace.locked_versions.get(package)
            versions[package] = locked if locked is not None else _installed_version(package)
    return versions


@cache
def _own_code_digest() -> str:
    encoded = json.dumps(own_code(), sort_keys=True).encode()
    return hashlib.sha256(encoded).hexdigest()


def cache_key(step: Step, ctx: StepContext, argv: list[str], inputs: list[str]) -> str:
    """The content hash that decides whether ``step``'s last PASS can be reused."""
    payload = {
        "schema": _KEY_SCHEMA,
        # Its code, not its version: adapters and the policy rules are qualitykit's code, and
        # an edit to them (a dev install) must not reuse a verdict they gave before.
        "qualitykit": _own_code_digest(),
        "python": sys.version,
        "step": step.name,
        "argv": argv,
        "settings": ctx.settings.model_dump(mode="json"),
        "tools": tool_versions(step, ctx),
        "env": {name: os.environ.get(name) for name in step.env_vars},
        "inputs": {name: ctx.workspace.digest(name) for name in inputs},
    }
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()


def result_path(state_dir: Path, step: str) -> Path:
    """Where the last result of ``step`` is kept."""
    return state_dir / "results" / f"{step}.json"


def load_result(state_dir: Path, step: str, *, cache: bool = True) -> StepResult | None:
    """The last stored result of ``step``; None when absent.

    When the result is only a ``cache`` (the runner), an unreadable one is None too and the step
    reruns; otherwise (``qualitykit summary`` reports it) it is exit 2 naming the file.
    """
    return read_model(result_path(state_dir, step), StepResult, "stored step result", cache=cache)


def store_result(state_dir: Path, result: StepResult) -> None:
    """Keep ``result`` as the step's last result (atomically)."""
    write_text_atomic(result_path(state_dir, result.step), result.model_dump_json(indent=2))


def reusable(previous: StepResult | None, key: str) -> StepResult | None:
    """``previous`` marked as cached when it is a PASS with the same key; else None."""
    if previous is None or previous.status is not Status.PASS or previous.cache_key != key:
        return None
    return previous.model_copy(update={"cached": True})
