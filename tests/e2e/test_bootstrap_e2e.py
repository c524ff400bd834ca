"""The README's set-up on a machine whose only Python is an externally managed one (PEP 668).

Debian's and Ubuntu's ``/usr/bin/python3`` refuse ``pip install`` into themselves; the
bootstrap must still bring uv (into a venv of its own under ``.qualitykit/``) and sync
``.venv`` from ``uv.lock`` with that Python, and say which Python it used.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from e2e.fixture_repo import run, user_environment

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = Path("/usr/bin/python3")


def _externally_managed(python: Path) -> bool:
    if not python.is_file():
        return False
    found = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return (Path(found.stdout.strip()) / "EXTERNALLY-MANAGED").is_file()


def _copy_tracked_tree(destination: Path) -> None:
    """This repository's tracked files as they are now (uncommitted edits included)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO_ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def test_make_install_bootstraps_uv_on_an_externally_managed_python(tmp_path: Path) -> None:
    if not _externally_managed(SYSTEM_PYTHON):
        pytest.skip(f"{SYSTEM_PYTHON} is not an externally managed Python on this machine")
    clone = tmp_path / "clone"
    _copy_tracked_tree(clone)
    # Only the system's directories: no uv on PATH, no pyenv Python, no activated venv.
    env = user_environment(tmp_path / "home", PATH="/usr/local/bin:/usr/bin:/bin")
    assert shutil.which("uv", path=env["PATH"]) is None, "this machine has uv on the system PATH"
    refused = run(
        [str(SYSTEM_PYTHON), "-m", "pip", "install", "--dry-run", "uv"], clone, env, timeout=120
    )
    assert refused.returncode != 0, "pip installs into the system Python: not PEP 668"

    installed = run(["make", "install", f"PYTHON={SYSTEM_PYTHON}"], clone, env, timeout=600)

    assert installed.returncode == 0, installed.explain()
    named = SYSTEM_PYTHON.resolve()  # the interpreter itself, as the bootstrap names it
    assert f"installing uv into .qualitykit/bootstrap with {named}" in installed.stdout
    assert f"syncing .venv from uv.lock with {named}" in installed.stdout
    venv_python = clone / ".venv" / "bin" / "python"
    version = run([str(venv_python), "-m", "qualitykit", "--version"], clone, env, timeout=60)
    assert version.returncode == 0, version.explain()
    assert version.stdout.startswith("qualitykit "), version.explain()
    # The venv is built on the Python the bootstrap named, not on another one on the machine.
    assert venv_python.resolve() == SYSTEM_PYTHON.resolve()
