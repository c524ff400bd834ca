"""The real targets (../shared/targets) for the benchmarks: fetched, copied, each in a venv.

A target runs as its user would: a venv of its own outside the tree holding only the built
wheel of this checkout, the target (editable) and its pinned ``test_deps``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FETCH = ROOT.parent / "shared" / "targets" / "fetch"


def uv() -> str:
    """uv from PATH, else the copy the Makefile bootstraps."""
    return shutil.which("uv") or str(ROOT / ".qualitykit" / "bootstrap" / "bin" / "uv")


def base_env() -> dict[str, str]:
    """The environment a user's shell would have (no CI, no interpreter downloads)."""
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("CI", None)
    return env


def run(argv: list[str], cwd: Path, env: dict[str, str], *, what: str) -> float:
    """Run ``argv``; its wall time in seconds. A failure ends the benchmark naming ``what``."""
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(
            f"{what}: {' '.join(argv)} exited {done.returncode} in {cwd}:\n"
            f"{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    return elapsed


def manifest() -> dict[str, dict[str, Any]]:
    """targets.toml's entries by name."""
    data = tomllib.loads((FETCH.parent / "targets.toml").read_text(encoding="utf-8"))
    return {entry["name"]: entry for entry in data["target"]}


def build_wheel(work: Path, env: dict[str, str]) -> Path:
    """The wheel of this checkout, built into ``work/dist``."""
    argv = [uv(), "build", "--wheel", "--out-dir", str(work / "dist"), str(ROOT)]
    run(argv, work, env, what="build")
    return next((work / "dist").glob("qualitykit-*.whl"))


def fetched(name: str, dest: Path, env: dict[str, str]) -> Path:
    """The fetched target ``name`` under ``dest`` (downloaded on first use)."""
    run([sys.executable, str(FETCH), name, "--dest", str(dest)], dest.parent, env, what="fetch")
    return dest / name


def set_up(name: str, source: Path, wheel: Path, work: Path) -> tuple[Path, dict[str, str]]:
    """A copy of ``source`` under ``work`` with its venv: (the copy, the env that uses the venv)."""
    env = base_env()
    root = work / name
    shutil.copytree(source, root, symlinks=True)
    venv = work / f"venv-{name}"
    deps = [str(dep) for dep in manifest()[name]["test_deps"]]
    run([uv(), "venv", "-q", "--python", sys.executable, str(venv)], work, env, what=name)
    python = str(venv / "bin" / "python")
    install = [uv(), "pip", "install", "-q", "--python", python, str(wheel), "-e", str(root)]
    run([*install, *deps], work, env, what=name)
    env["PATH"] = f"{venv / 'bin'}:{env['PATH']}"
    env["VIRTUAL_ENV"] = str(venv)
    return root, env
