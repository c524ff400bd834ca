"""What a run may reuse: the result cache, the session's fingerprint and the tree's hash.

A cached outcome is reused only while the mutation (its job id holds the module's source hash)
and the selected tests' files are unchanged; the session is resumed only while every file of
the project, the interpreter, the test arguments and the worker's own code are unchanged.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any, cast

from qualitykit.atomic import write_text_atomic
from qualitykit.mutation.pool import worker_sources
from qualitykit.mutation.results import Outcome
from qualitykit.state import read_json

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from qualitykit.mutation.mutants import Mutant
    from qualitykit.workspace import Workspace

_CACHE_VERSION = 1


def tree_hash(workspace: Workspace, python: str, pytest_args: Sequence[str]) -> str:
    """Every project file's content, the interpreter, the test arguments, the worker's code."""
    digest = hashlib.sha256()
    digest.update(json.dumps([python, list(pytest_args), worker_sources()]).encode())
    for name in workspace.files:
        digest.update(f"{name}\0{workspace.digest(name)}\0".encode())
    return digest.hexdigest()


def fingerprint(mutants: Sequence[Mutant], tree: str) -> str:
    """Which session the mutants of ``tree`` make: a stored one is resumed only if equal."""
    digest = hashlib.sha256(tree.encode())
    for mutant in mutants:
        digest.update(mutant.job_id.encode())
    return digest.hexdigest()


def read_marker(path: Path) -> str | None:
    """The fingerprint recorded beside the session (None: none, or unreadable)."""
    data = read_json(path, "mutation session marker", cache=True)
    if isinstance(data, dict):
        value = cast("dict[str, object]", data).get("fingerprint")
        return value if isinstance(value, str) else None
    return None


def load_cache(path: Path) -> dict[str, dict[str, Any]]:
    """The cached outcomes by cache key; empty when the file is missing or unusable.

    It is only a cache: a corrupt one (binary, another schema, a bad entry) is ignored, every
    mutant runs again and the next save replaces it.
    """
    data = read_json(path, "mutation cache", cache=True)
    if (
        not isinstance(data, dict)
        or cast("dict[str, object]", data).get("version") != _CACHE_VERSION
        or not isinstance(cast("dict[str, object]", data).get("results"), dict)
    ):
        return {}
    results = cast("dict[str, object]", cast("dict[str, object]", data)["results"])
    valid = {outcome.value for outcome in Outcome if outcome is not Outcome.ERROR}
    for entry in results.values():
        if (
            not isinstance(entry, dict)
            or cast("dict[str, object]", entry).get("outcome") not in valid
            or not isinstance(cast("dict[str, object]", entry).get("diff", ""), str)
        ):
            return {}
    return cast("dict[str, dict[str, Any]]", results)


def save_cache(path: Path, cache: dict[str, dict[str, Any]]) -> None:
    """Write the cache atomically."""
    write_text_atomic(path, json.dumps({"version": _CACHE_VERSION, "results": cache}) + "\n")


def cache_key(mutant: Mutant, tests: list[str], copy: Path) -> str:
    """The mutation (its job id holds the module's source hash) and the selected tests' files."""
    digest = hashlib.sha256(mutant.job_id.encode())
    files = sorted({test.split("::", 1)[0] for test in tests})
    for name in files:
        path = copy / name
        content = path.read_bytes() if path.is_file() else b""
        digest.update(f"{name}\0".encode() + hashlib.sha256(content).digest())
    for test in tests:
        digest.update(test.encode() + b"\0")
    return digest.hexdigest()
