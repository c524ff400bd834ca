"""Fetching the real third-party targets (../shared/targets) for the slow end-to-end tests."""

from __future__ import annotations

import fcntl
import os
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from e2e.fixture_repo import run

REPO_ROOT = Path(__file__).resolve().parents[2]
FETCH = REPO_ROOT.parent / "shared" / "targets" / "fetch"
TARGETS_CACHE = Path(os.environ.get("QUALITYKIT_TARGETS", "/tmp/qualitykit-targets"))  # noqa: S108
FETCH_FAILED = 1  # fetch's exit code for a download, hash or git failure (2: bad usage)


def fetch(name: str, env: dict[str, str]) -> Path:
    """The fetched target ``name`` (downloaded on first use, then reused from the cache)."""
    if not FETCH.is_file():
        pytest.skip(f"no targets here: {FETCH} is missing")
    TARGETS_CACHE.mkdir(parents=True, exist_ok=True)
    # One fetch at a time (pytest-xdist workers share the cache): fetch replaces a target it
    # finds half-made, which would pull the tree from under a concurrent copy.
    with (TARGETS_CACHE / ".e2e-fetch.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        fetched = run(
            [sys.executable, str(FETCH), name, "--dest", str(TARGETS_CACHE)],
            TARGETS_CACHE,
            env,
            600,
        )
    if fetched.returncode == FETCH_FAILED:
        pytest.skip(f"cannot fetch {name} (offline?): {fetched.stderr.strip()[-300:]}")
    assert fetched.returncode == 0, fetched.explain()
    path = TARGETS_CACHE / name
    assert fetched.stdout.split()[-1] == str(path), fetched.explain()
    return path


def manifest(name: str) -> dict[str, Any]:
    """The target's entry in targets.toml (its package, tests and pinned test_deps)."""
    data = tomllib.loads((FETCH.parent / "targets.toml").read_text(encoding="utf-8"))
    return next(entry for entry in data["target"] if entry["name"] == name)
