"""Adoption figures per real target: init, init --baseline, the full gate, a no-op rerun.

Run: ``.venv/bin/python -m benchmarks.adoption [--targets DIR] [NAME ...]``. For each target of
``../shared/targets`` (fetched into DIR first, or reused there), on a throwaway copy with a venv
of its own outside the tree (the built wheel, the target itself, its pinned test_deps):

- ``init``: ``qualitykit init`` alone (the plan and the writes; target <= 5 s);
- ``baseline``: ``qualitykit init --baseline`` after it (measures coverage, records findings);
- ``full gate``: ``qualitykit gate --no-cache`` (every step run afresh);
- ``no-op rerun``: ``make quality`` right after (nothing changed: replayed);
- the baseline's size per step.

Prints one table; the ratio column is the no-op rerun against the full gate. Exit 1 when a
command failed or the gate was not green.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FETCH = ROOT.parent / "shared" / "targets" / "fetch"
TARGETS = ("python-slugify", "parse", "toolz", "python-dateutil")
INIT_TARGET_S = 5.0


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(
            f"adoption: {' '.join(argv)} exited {done.returncode} in {cwd}:\n"
            f"{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    return elapsed


def _wheel(work: Path, env: dict[str, str]) -> Path:
    uv = shutil.which("uv") or str(ROOT / ".qualitykit" / "bootstrap" / "bin" / "uv")
    _run([uv, "build", "--wheel", "--out-dir", str(work / "dist"), str(ROOT)], work, env)
    return next((work / "dist").glob("qualitykit-*.whl"))


@dataclass(frozen=True)
class Figures:
    """One target's adoption: seconds per command and the baseline's size per step."""

    target: str
    init: float
    baseline: float
    full: float
    noop: float
    sizes: dict[str, int]


def adopt(name: str, entry: dict[str, Any], source: Path, wheel: Path, work: Path) -> Figures:
    """Copy, set up and adopt one target; its figures."""
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("CI", None)
    root = work / name
    shutil.copytree(source, root, symlinks=True)
    venv = work / f"venv-{name}"
    uv = shutil.which("uv") or str(ROOT / ".qualitykit" / "bootstrap" / "bin" / "uv")
    deps = [str(dep) for dep in entry["test_deps"]]
    _run([uv, "venv", "-q", "--python", sys.executable, str(venv)], work, env)
    _run(
        [
            uv,
            "pip",
            "install",
            "-q",
            "--python",
            str(venv / "bin" / "python"),
            str(wheel),
            "-e",
            str(root),
            *deps,
        ],
        work,
        env,
    )
    env["PATH"] = f"{venv / 'bin'}:{env['PATH']}"
    init = _run(["qualitykit", "init"], root, env)
    baseline = _run(["qualitykit", "init", "--baseline"], root, env)
    full = _run(["qualitykit", "gate", "--no-cache"], root, env)
    noop = _run(["make", "quality"], root, env)
    recorded = json.loads((root / "qualitykit-baseline.json").read_text(encoding="utf-8"))
    sizes = {step: len(entries) for step, entries in recorded["steps"].items()}
    return Figures(name, init, baseline, full, noop, sizes)


def main() -> int:
    """Adopt every named target and print the figures."""
    parser = argparse.ArgumentParser(prog="benchmarks.adoption")
    parser.add_argument(
        "--targets", type=Path, default=Path(tempfile.gettempdir()) / "qualitykit-targets"
    )
    parser.add_argument("names", nargs="*", default=list(TARGETS))
    args = parser.parse_args()
    manifest = tomllib.loads((FETCH.parent / "targets.toml").read_text(encoding="utf-8"))
    entries = {entry["name"]: entry for entry in manifest["target"]}
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    rows: list[Figures] = []
    with tempfile.TemporaryDirectory(prefix="qk-adoption-") as scratch:
        work = Path(scratch)
        wheel = _wheel(work, env)
        for name in args.names:
            _run([sys.executable, str(FETCH), name, "--dest", str(args.targets)], work, env)
            rows.append(adopt(name, entries[name], args.targets / name, wheel, work))
    print(
        f"{'target':<16} {'init':>6} {'--baseline':>10} {'full gate':>10} {'no-op':>7} "
        f"{'no-op/full':>10}  baseline per step"
    )
    slow = False
    for row in rows:
        sizes = ", ".join(f"{step} {count}" for step, count in row.sizes.items()) or "empty"
        slow = slow or row.init > INIT_TARGET_S
        print(
            f"{row.target:<16} {row.init:6.2f} {row.baseline:10.1f} {row.full:10.1f} "
            f"{row.noop:7.2f} {row.noop / row.full:10.3f}  {sizes}"
        )
    print(f"init target: <= {INIT_TARGET_S:g} s ({'not met' if slow else 'met'})")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
