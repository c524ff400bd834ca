"""Helpers for the mocks and banned-API policy tests: a tmp repository configured for a rule."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from integration.policy_cases import write_repo
from qualitykit.config import load_config
from qualitykit.policy.engine import run_policy
from qualitykit.policy.project import PolicyProject

if TYPE_CHECKING:
    from pathlib import Path

    from qualitykit.policy.findings import PolicyReport

PYPROJECT_HEAD = '[project]\nname = "pkg"\nversion = "0"\n\n'
# The project's own package, for the `autospec` mode's "no string targets into it".
PACKAGE = {
    "src/pkg/__init__.py": "",
    "src/pkg/core.py": "def fetch() -> int:\n    return 1\n",
}


def scan(root: Path, config: str, files: dict[str, str]) -> PolicyReport:
    """``files`` and a pyproject.toml with ``config`` in a fresh repository, checked in-process."""
    pyproject = PYPROJECT_HEAD + textwrap.dedent(config)
    write_repo(root, {"pyproject.toml": pyproject, **PACKAGE, **files})
    return run_policy(PolicyProject.load(root), load_config(root).policy)
