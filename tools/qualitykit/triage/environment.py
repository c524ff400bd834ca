"""``env.json`` and ``resources.json``: where and with what a run happened."""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
from importlib.metadata import distributions
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from qualitykit.workspace import LOCKFILE, read_locked_versions

if TYPE_CHECKING:
    from pathlib import Path

# What changes how a suite runs. Exact names for the CI markers: a prefix such as ``CI_`` would
# copy GitLab's CI_JOB_TOKEN into a bundle people pass around.
_ENV_NAMES = frozenset({"CI", "TZ", "LANG", "VIRTUAL_ENV", "UV_PYTHON", "GITHUB_ACTIONS"})
_ENV_PREFIXES = ("PYTEST_", "PYTHON", "LC_")
_SECRET_WORDS = ("TOKEN", "SECRET", "PASSWORD", "KEY", "CREDENTIAL", "AUTH")


def _relevant(name: str) -> bool:
    upper = name.upper()
    if any(word in upper for word in _SECRET_WORDS):
        return False
    return upper in _ENV_NAMES or upper.startswith(_ENV_PREFIXES)


class Environment(BaseModel):
    """The interpreter, platform, packages, relevant variables, CWD and commit of a run."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    python: str
    platform: str
    packages_from: str
    packages: dict[str, str]
    env: dict[str, str]
    cwd: str
    git_commit: str | None


class Resources(BaseModel):
    """Wall time, CPU time and peak memory of the pytest process (its children's rusage)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    wall_s: float
    cpu_user_s: float
    cpu_system_s: float
    max_rss_kib: int


def _commit(root: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],  # noqa: S607 - git from PATH, as every git step
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    # qualitykit: allow[QK-EXC-002] no git, or not a checkout: env.json records no commit
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def environment(root: Path) -> Environment:
    """The environment of a run in ``root``."""
    locked = read_locked_versions(root / LOCKFILE)
    if locked:
        packages, source = locked, LOCKFILE
    else:
        packages = {dist.metadata["Name"]: dist.version for dist in distributions()}
        source = "importlib.metadata"
    return Environment(
        python=sys.version.split()[0],
        platform=platform.platform(),
        packages_from=source,
        packages=dict(sorted(packages.items())),
        env={name: value for name, value in sorted(os.environ.items()) if _relevant(name)},
        cwd=str(root),
        git_commit=_commit(root),
    )


def children_usage() -> resource.struct_rusage:
    """The rusage of every finished child so far (subtract two of these for one run)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN)


def resources(
    before: resource.struct_rusage, after: resource.struct_rusage, wall_s: float
) -> Resources:
    """The resources spent between ``before`` and ``after`` (peak RSS is the children's max)."""
    return Resources(
        wall_s=round(wall_s, 3),
        cpu_user_s=round(after.ru_utime - before.ru_utime, 3),
        cpu_system_s=round(after.ru_stime - before.ru_stime, 3),
        max_rss_kib=after.ru_maxrss,
    )
