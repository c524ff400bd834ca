"""Name resolution (`qualitykit.policy.pynames`) and mock-use finding (`mockuses`) on real
modules' ASTs: what a name means in each scope Python has, and what each mock spelling is."""

from __future__ import annotations

import ast
import textwrap

import pytest

from qualitykit.policy.mockuses import mock_uses
from qualitykit.policy.pynames import ModuleNames


def resolved(source: str) -> list[tuple[int, str]]:
    """Each resolved reference as (line, qualified name), in line order."""
    names = ModuleNames(ast.parse(textwrap.dedent(source)))
    return sorted((node.lineno, name) for node, name in names.references())


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # An async test's parameter shadows the import; its body's other names resolve.
        (
            """
            import torch
            async def f(torch, x=torch.zeros):
                torch.save(x)
            """,
            [(3, "torch.zeros")],
        ),
        # A lambda's parameter shadows; its default is evaluated outside.
        ("import torch\ng = lambda torch=torch.save: torch.save\n", [(2, "torch.save")]),
        # Set, dict and generator comprehensions have their own scope.
        (
            """
            import torch
            a = {torch.save for torch in xs}
            b = {torch: torch.save for torch in xs}
            c = list(torch.save for torch in xs)
            d = [torch.save for t in xs]
            """,
            [(6, "torch.save")],
        ),
        # `global` makes a function's name the module's: no local shadow.
        ("import torch\ndef f():\n    global torch\n    torch.save(1)\n", [(4, "torch.save")]),
        # An exception or match capture named like the module shadows it.
        (
            """
            import torch
            try:
                pass
            except OSError as torch:
                torch.save(1)
            match x:
                case torch:
                    torch.save(2)
            """,
            [],
        ),
        # Star and relative imports bind nothing we can name.
        ("from torch import *\nfrom . import torch\nsave(1)\ntorch.save(1)\n", []),
        # A constant assigned to an attribute is no shadow of the module either.
        ("import torch\ntorch.flag = None\ntorch.save(1)\n", [(3, "torch.save")]),
    ],
    ids=["async-param", "lambda", "comprehensions", "global", "captures", "star-relative", "attr"],
)
def test_names_resolve_per_scope(source: str, expected: list[tuple[int, str]]) -> None:
    assert [pair for pair in resolved(source) if pair[1] != "torch"] == expected


def uses(source: str) -> list[tuple[int, str, str]]:
    names = ModuleNames(ast.parse(textwrap.dedent(source)))
    return [(use.line, use.kind, use.what) for use in mock_uses(names)]


def test_mock_uses_of_every_spelling() -> None:
    source = """
        import unittest.mock
        from unittest import TestCase

        def test_a(mocker, monkeypatch):
            mocker.MagicMock()
            mocker.patch()
            monkeypatch.setattr()
            monkeypatch.undo()
            unittest.mock.patch("os.getcwd")
    """

    assert uses(source) == [
        (2, "import", "unittest.mock"),
        (5, "fixture", "mocker"),
        (5, "fixture", "monkeypatch"),
        (6, "mock", "MagicMock"),
        (7, "patch", "?"),
        (10, "patch", "os.getcwd"),
    ]
