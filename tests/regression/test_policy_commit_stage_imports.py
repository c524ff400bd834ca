"""The commit stage loads only what the staged files can need.

Before: `qualitykit policy FILE` on one staged Python file imported packaging and PyYAML
(the versions rules import them at module level, and every versions rule ran on every commit
because each could report on "any file"), ~0.1 s of the pre-commit hook's 0.3 s budget, for
rules whose findings could only be in pyproject.toml, setup.cfg, workflows or version files
and were dropped anyway. The hook then overshot its budget (issue 11), and a slow hook is one
people skip. Now those rules declare the files they report on, and the libraries load on use.
"""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Repo

WORKFLOW = ".github/workflows/ci.yml"
SETUP_PYTHON = """\
name: ci
on: push
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: "3.10"
"""
# Libraries a commit of Python code has no use for.
HEAVY = frozenset({"packaging", "yaml", "pydantic"})


def _policy(repo: Repo, *files: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """The real command on ``files`` and the top-level packages it imported (``-X importtime``)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "qualitykit", "policy", *files],
        cwd=repo.root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    names = {
        line.rsplit("|", 1)[-1].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }
    return done, names


def test_a_python_commit_loads_neither_packaging_nor_yaml(repo: Repo) -> None:
    repo.write(WORKFLOW, SETUP_PYTHON)

    python_commit, python_loaded = _policy(repo, "src/pkg/core.py")
    workflow_commit, workflow_loaded = _policy(repo, WORKFLOW)

    assert python_commit.returncode == 0, python_commit.stdout + python_commit.stderr
    assert not python_loaded & HEAVY
    # Staging the workflow still runs the rule, reads the YAML and judges the version.
    assert workflow_commit.returncode == 1, workflow_commit.stdout
    assert f"{WORKFLOW}:9: QK-PY-004" in workflow_commit.stdout
    assert {"packaging", "yaml"} <= workflow_loaded
