"""The Python versions a project names must agree with its declared range (issue 11, item 2).

A team's own task said the target Python was "13.13.7", while pyproject.toml required >=3.11,
SETUP.md promised 3.10 and the CI matrix still tested 3.9; every check passed and nothing
noticed. The gate now reports each disagreeing place at its file and line with the value to
write, and names an impossible version as impossible rather than merely "outside".
"""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

FILES = {
    "pyproject.toml": '[project]\nname = "x"\nversion = "0"\nrequires-python = ">=3.11"\n',
    ".python-version": "13.13.7\n",
    ".dev-guidelines/SETUP.md": "# Setup\n\nNeeds Python 3.10 or newer.\n",
    ".github/workflows/ci.yml": (
        "name: ci\non: push\njobs:\n  test:\n    strategy:\n      matrix:\n"
        '        python-version: ["3.9", "3.12"]\n    runs-on: ubuntu-24.04\n    steps:\n'
        "      - uses: actions/setup-python@v5\n        with:\n"
        "          python-version: ${{ matrix.python-version }}\n"
    ),
}


def test_disagreeing_versions_fail_the_policy_with_the_value_to_write(tmp_path: Path) -> None:
    for name, text in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)

    done = subprocess.run(
        [sys.executable, "-m", "qualitykit", "policy"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 1, done.stdout + done.stderr
    assert ".python-version:1: QK-PY-002 `13.13.7` is impossible: there is no Python 13" in (
        done.stdout
    )
    assert ".dev-guidelines/SETUP.md:3: QK-PY-008 `Python 3.10`: `3.10` is outside" in done.stdout
    assert ".github/workflows/ci.yml:7: QK-PY-004 CI python-version `3.9` is outside" in done.stdout
    assert done.stdout.count("fix: write `3.11`") == 1
    assert done.stdout.strip().endswith("3 findings")
