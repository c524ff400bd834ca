"""Fixed: Python writing bytecode into site-packages ended the gate's whole-run replay.

Broke: the replay's fingerprint lists the names in site-packages, to notice an install. The
first import of a top-level module there (``typing_extensions.py``) by a process allowed to
write bytecode creates ``site-packages/__pycache__``, so every replay recorded before it was
refused and the gate ran its steps again. Found in a clean-clone ``make test``: a malformed-
state case expected the replay (exit 0) and got the steps' rerun. An install still counts.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[2] / "tools"
STATE = (
    "import json, sys; sys.path.insert(0, sys.argv[1]); from qualitykit import fastpath; "
    "print(json.dumps(fastpath.fingerprint(__import__('pathlib').Path(sys.argv[2]), '', [], [])))"
)


def _fingerprint(python: Path, root: Path) -> str:
    done = subprocess.run(
        [str(python), "-c", STATE, str(TOOLS), str(root)],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},
    )
    return str(json.loads(done.stdout))


def test_bytecode_in_site_packages_keeps_the_fingerprint_an_install_does_not(
    tmp_path: Path,
) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    project = tmp_path / "project"
    project.mkdir()
    before = _fingerprint(python, project)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "__pycache__").mkdir()
    (site / "__pycache__" / "typing_extensions.cpython-311.pyc").write_bytes(b"\x00")
    assert _fingerprint(python, project) == before
    (site / "newpkg-1.0.dist-info").mkdir()
    assert _fingerprint(python, project) != before
