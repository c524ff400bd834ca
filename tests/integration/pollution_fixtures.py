"""Suites with order-dependent tests, written into a ``Repo`` for the polluter search tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.conftest import Repo

PASSING = "def test_{n}():\n    pass\n"


def filler(repo: Repo, module: str, count: int, extra: str = "") -> list[str]:
    """A module of ``count`` passing tests (plus ``extra`` code); their node ids."""
    body = "\n\n".join(PASSING.format(n=n) for n in range(count))
    repo.write(f"tests/{module}.py", f"import os\nimport shared_state\n\n{extra}\n\n{body}")
    return [f"tests/{module}.py::test_{n}" for n in range(count)]


def suite(repo: Repo, modules: dict[str, str]) -> None:
    """Only these test modules (the fixture's own test is removed), and a shared module."""
    (repo.root / "tests" / "regression" / "test_core.py").unlink()
    repo.write("tests/shared_state.py", '"""State tests share."""\n\nMODE = "clean"\nSEEN = []\n')
    for name, text in modules.items():
        repo.write(f"tests/{name}.py", text)
