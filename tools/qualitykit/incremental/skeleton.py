"""A module's shape without its function bodies: what an edit inside a function leaves alone.

Two versions of a file with the same skeleton differ only inside function bodies, so importing
either runs the same code (unless a function runs at import time, which the planner checks
with the body lines it is given here).

With the same *layout* as well (every line outside the bodies where it was, once the bodies'
own growth is taken out), the planner knows which bodies changed (their text digests differ)
and where every other line moved: the tests that executed none of the changed bodies keep
their data, its lines shifted (``shifts``).
"""

from __future__ import annotations

import ast
import hashlib
from bisect import bisect_right

from pydantic import BaseModel, ConfigDict


def _hash(text: str | bytes) -> str:
    data = text.encode() if isinstance(text, str) else text
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class Skeleton(BaseModel):
    """The digest of a module's skeleton and the line ranges of its function bodies."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    digest: str
    bodies: tuple[tuple[int, int], ...]
    # The digest of where every line outside the bodies is, the bodies' lengths taken out.
    layout: str = ""
    texts: tuple[str, ...] = ()  # each body's exact source lines, digested (as ``bodies``)
    names: tuple[str, ...] = ()  # each body's function (``Class.method``)


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
        self.bodies: list[tuple[int, int, str]] = []
        self.scope: list[str] = []

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()
        return node

    def _strip(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.AST:
        end = node.end_lineno if node.end_lineno is not None else node.lineno
        self.bodies.append((_body_start(node), end, ".".join([*self.scope, node.name])))
        # Decorators, defaults and annotations run when the module is imported: kept.
        node.body = [ast.Pass()]
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        return self._strip(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        return self._strip(node)


def _layout(tree: ast.AST, bodies: list[tuple[int, int]]) -> str:
    """Where every node outside the bodies is, each body's lines taken out before it."""
    starts = [start for start, _ in bodies]
    taken = [0]
    for first, last in bodies:
        taken.append(taken[-1] + last - first + 1)

    def inside(line: int) -> bool:
        at = bisect_right(starts, line) - 1
        return at >= 0 and line <= bodies[at][1]

    def place(line: int) -> int:
        return line - taken[bisect_right(starts, line)]

    marks: list[tuple[object, ...]] = []
    for node in ast.walk(tree):
        line: int | None = getattr(node, "lineno", None)
        if line is None:  # the bodies' placeholders, and nodes without a place
            continue
        mark: list[object] = [type(node).__name__, place(line), getattr(node, "col_offset", 0)]
        ends: int | None = getattr(node, "end_lineno", None)
        if ends is not None and not inside(ends):  # a def (or class) ends where its body does
            mark += [place(ends), getattr(node, "end_col_offset", 0)]
        marks.append(tuple(mark))
    return _hash(repr(marks))


def skeleton(source: bytes) -> Skeleton | None:
    """The skeleton of ``source``; None when it does not parse (then any change is a full run)."""
    try:
        tree = ast.parse(source)
    # qualitykit: allow[QK-EXC-002] no skeleton: the caller runs in full (fail closed)
    except (SyntaxError, ValueError):
        return None
    strip = _Strip()
    stripped = strip.visit(tree)
    digest = _hash(ast.dump(stripped, include_attributes=False))
    found = sorted(strip.bodies)
    bodies = [(start, end) for start, end, _ in found]
    lines = source.splitlines()
    return Skeleton(
        digest=digest,
        bodies=tuple(bodies),
        layout=_layout(stripped, bodies),
        texts=tuple(_hash(b"\n".join(lines[start - 1 : end])) for start, end in bodies),
        names=tuple(name for _, _, name in found),
    )


def shifts(before: Skeleton, now: Skeleton) -> tuple[tuple[int, int, int], ...] | None:
    """Where the old lines are now: ``(first, last, delta)`` per old range that survives.

    Lines of a changed body are in no range (only the tests rerun executed them). None when
    the two are not of one layout (then no old line can be placed).
    """
    if (
        not before.layout
        or (before.digest, before.layout) != (now.digest, now.layout)
        or len(before.bodies) != len(now.bodies)
    ):
        return None
    ranges: list[tuple[int, int, int]] = []
    after = 1  # the first old line after the last body seen
    delta = 0  # how far the lines outside the bodies have moved so far
    for (start, end), (new_start, new_end), old_text, new_text in zip(
        before.bodies, now.bodies, before.texts, now.texts, strict=True
    ):
        if after <= start - 1:
            ranges.append((after, start - 1, delta))
        if old_text == new_text:
            ranges.append((start, end, new_start - start))
        delta += (new_end - new_start) - (end - start)
        after = end + 1
    ranges.append((after, 1 << 30, delta))
    return tuple(ranges)


def changed_bodies(before: Skeleton, now: Skeleton) -> list[int]:
    """The indexes of the bodies whose text changed (the two of one layout)."""
    return [
        index
        for index, (old, new) in enumerate(zip(before.texts, now.texts, strict=True))
        if old != new
    ]
