"""The no-op gate: replay the last passing run when nothing it could depend on has changed.

Per-step cache keys need the configuration, the step registry and pydantic: about half a
second of start-up on two cores. A whole-gate *fingerprint* needs none of that. It hashes a
superset of every step's inputs: the content of every project file (git's view) and of the
files the gate reads besides them (the baseline, which git may be told to ignore), the
environment variables the steps read, the interpreter, the installed packages (the
site-packages directories' listings) and qualitykit's own code. When it equals the
fingerprint recorded by the last run in which every step passed, that run's results are
replayed. Any difference falls back to the per-step keys, which rerun exactly the steps whose
inputs changed. A failed run records nothing, so a failure always reruns.

This module imports only the standard library; keep it that way (benchmarks/gate.py measures).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import sysconfig
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import cast

from qualitykit.atomic import write_text_atomic
from qualitykit.files import SARIF_FILE, STATE_DIR, project_files

RECORD = "gate-fastpath.json"
_RECORD_SCHEMA = 3
# Under GitHub Actions the full path runs: it writes the job summary and the annotations.
_CI_SUMMARY_VARS = ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY")


def _digest_file(path: Path) -> str:
    return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()


def _installed_state() -> dict[str, list[str]]:
    # Installing, removing or upgrading a package changes the names in site-packages
    # (each distribution's dist-info directory carries its version). The bytecode cache
    # Python writes there (``__pycache__``, when a top-level module is first imported) is
    # no installation: counting it made a suite's first such import end every replay.
    state: dict[str, list[str]] = {}
    for key in ("purelib", "platlib"):
        directory = Path(sysconfig.get_path(key))
        if str(directory) not in state and directory.is_dir():
            state[str(directory)] = sorted(
                entry.name for entry in os.scandir(directory) if entry.name != "__pycache__"
            )
    return state


def own_code() -> dict[str, str]:
    """The modules of this package (the adapters and rules steps run): name → content digest."""
    package = Path(__file__).parent
    return {
        path.relative_to(package).as_posix(): _digest_file(path)
        for path in sorted(package.rglob("*.py"))
    }


def _digest_watched(path: Path) -> str:
    try:
        return _digest_file(path)
    # qualitykit: allow[QK-EXC-002] absent (or unreadable) is itself part of the fingerprint
    except OSError as error:
        return f"unreadable: {type(error).__name__}"


def fingerprint(root: Path, selection: str, env_vars: list[str], watched: list[str]) -> str:
    """A hash of everything any step of this gate run, or the gate's verdict, could depend on.

    ``watched``: files (relative to ``root``) the verdict depends on whether or not git lists
    them, absent ones included (the baseline file).
    """
    digest = hashlib.blake2b(digest_size=32)
    for name in project_files(root):
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(_digest_file(root / name).encode() + b"\0")
    for name in watched:
        digest.update(b"watched\0" + name.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(_digest_watched(root / name).encode() + b"\0")
    context = {
        "schema": _RECORD_SCHEMA,
        "selection": selection,
        "python": [sys.version, sys.executable],
        "env": {name: os.environ.get(name) for name in sorted(env_vars)},
        "installed": _installed_state(),
        "qualitykit": own_code(),
    }
    digest.update(json.dumps(context, sort_keys=True).encode())
    return digest.hexdigest()


def normalise_selection(only: str | None) -> str:
    """The ``--steps`` selection in a canonical form ("" for the whole gate)."""
    return ",".join(name.strip() for name in (only or "").split(",") if name.strip())


def applies() -> bool:
    """Whether the fast path may be used in this environment."""
    return not any(os.environ.get(name) for name in _CI_SUMMARY_VARS)


def _read_cache(path: Path) -> bytes | None:
    """The bytes of a cache file; None when missing or unreadable (then the gate runs for real).

    ``qualitykit.state`` does this for every other state file, but it imports pydantic, which
    the no-op path must not: this is its standard-library equivalent for the two files here.
    """
    try:
        return path.read_bytes()
    # qualitykit: allow[QK-EXC-002] a cache: None makes the gate run for real
    except OSError:  # missing, a directory, a parent that is a file, unreadable
        return None


def _well_formed(record: dict[str, object], selection: str) -> bool:
    if record.get("schema") != _RECORD_SCHEMA or record.get("selection") != selection:
        return False
    if not all(
        isinstance(record.get(key), str)
        for key in ("fingerprint", "gate_json", "rendered", "sarif")
    ):
        return False
    return all(_names(record.get(key)) for key in ("env_vars", "watched"))


def _names(names: object) -> bool:
    return isinstance(names, list) and all(
        isinstance(name, str) and name and "\0" not in name for name in cast("list[object]", names)
    )


def _load_record(path: Path, selection: str) -> dict[str, object] | None:
    raw = _read_cache(path)
    if raw is None:
        return None
    try:
        record: object = json.loads(raw.decode("utf-8"))
    # qualitykit: allow[QK-EXC-002] a cache: None makes the gate run for real
    except (ValueError, RecursionError):  # not UTF-8 (UnicodeDecodeError), not JSON
        return None
    if not isinstance(record, dict):
        return None
    fields = cast("dict[str, object]", record)
    return fields if _well_formed(fields, selection) else None


def replay(root: Path, selection: str, *, as_json: bool) -> bool:
    """Replay the last passing gate if its fingerprint still holds; False to run for real."""
    state = root / STATE_DIR
    record = _load_record(state / RECORD, selection)
    if record is None:
        return False  # no record, or not one we wrote: run for real
    env_vars = cast("list[str]", record["env_vars"])
    watched = cast("list[str]", record["watched"])
    if fingerprint(root, selection, env_vars, watched) != record["fingerprint"]:
        return False
    gate_json, rendered = str(record["gate_json"]), str(record["rendered"])
    for name, text in (("summary.json", gate_json), (SARIF_FILE, str(record["sarif"]))):
        if _read_cache(state / name) != text.encode("utf-8"):
            # Missing, binary or another run's: rewrite it (a directory there is exit 2, one line).
            write_text_atomic(state / name, text)
    sys.stderr.write("qualitykit: no input changed since the last passing run; its results:\n")
    sys.stderr.write(rendered)
    sys.stderr.flush()
    if as_json:
        sys.stdout.write(gate_json + "\n")
    return True


@dataclass(frozen=True)
class Replay:
    """What a passing run leaves for the next no-op run to replay."""

    selection: str
    fingerprint: str  # taken before the run's steps started
    env_vars: list[str]
    watched: list[str]
    gate_json: str
    rendered: str
    sarif: str  # the replayed results as SARIF (.qualitykit/gate.sarif)


def record_pass(root: Path, replay_: Replay) -> None:
    """Record a passing run so that an unchanged rerun replays it."""
    record = {"schema": _RECORD_SCHEMA, **asdict(replay_)}
    write_text_atomic(root / STATE_DIR / RECORD, json.dumps(record))


def forget(state_dir: Path) -> None:
    """Drop the replay record: after any failure the next run must run for real."""
    (state_dir / RECORD).unlink(missing_ok=True)
