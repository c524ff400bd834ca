"""A module's shape without its function bodies: what an edit inside a function leaves alone.

Two versions of a file with the same skeleton differ only inside function bodies, so importing
either runs the same code (unless a function runs at import time, which the planner checks
with the body lines it is given here).
"""

from __future__ import annotations

import ast
import hashlib

from pydantic import BaseModel, ConfigDict


class Skeleton(BaseModel):
    """The digest of a module's skeleton and the line ranges of its function bodies."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    digest: str
    bodies: tuple[tuple[int, int], ...]


def _body_start(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    first = node.body[0]
    decorated: list[ast.expr] = (
        first.decorator_list
        if isinstance(first, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        else []
    )
    return min([first.lineno, *(decorator.lineno for decorator in decorated)])


class _Strip(ast.NodeTransformer):
    def __init__(self) -> None:
        self.bodies: list[tuple[int, int]] = []

    def _strip(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.AST:
        end = node.end_lineno if node.end_lineno is not None else node.lineno
        self.bodies.append((_body_start(node), end))
        # Decorators, defaults and annotations run when the module is imported: kept.
        node.body = [ast.Pass()]
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        return self._strip(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        return self._strip(node)


def skeleton(source: bytes) -> Skeleton | None:
    """The skeleton of ``source``; None when it does not parse (then any change is a full run)."""
    try:
        tree = ast.parse(source)
    # qualitykit: allow[QK-EXC-002] no skeleton: the caller runs in full (fail closed)
    except (SyntaxError, ValueError):
        return None
    strip = _Strip()
    stripped = strip.visit(tree)
    text = ast.dump(stripped, include_attributes=False)
    digest = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    return Skeleton(digest=digest, bodies=tuple(sorted(strip.bodies)))
