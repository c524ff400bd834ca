"""The mutation worker refuses a pytest whose private API it does not know, in one line."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from integration.mutation_fixtures import MUTATION_CONFIG, make_calc

if TYPE_CHECKING:
    from conftest import Repo


def test_an_unsupported_pytest_major_is_exit_2_in_one_line(repo: Repo) -> None:
    """A pytest of another major version is refused before anything runs.

    The worker drives pytest through private API (``_prepareconfig``, ``Session.from_config``,
    ``Config._do_configure``) that a new major may change or drop; it must say so in one line
    (exit 2), not crash in a fork or silently fall back and score nonsense.
    """
    fake = repo.root.parent / "fake-site"
    (fake / "pytest").mkdir(parents=True)
    (fake / "pytest" / "__init__.py").write_text('__version__ = "99.0.0"\n', encoding="utf-8")
    python = repo.root.parent / "python-with-pytest-99"
    python.write_text(
        f'#!/bin/sh\nPYTHONPATH="{fake}" exec "{sys.executable}" "$@"\n', encoding="utf-8"
    )
    python.chmod(0o755)
    make_calc(repo, config=MUTATION_CONFIG + f'python = "{python}"\n')

    run = repo.qualitykit("mutation", "run")

    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "pytest 99.0.0 is not supported" in lines[0]
    assert "Traceback" not in run.stderr
