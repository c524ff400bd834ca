"""The mutants of a module: cosmic-ray's operators, deterministic job ids, fast mutated sources.

The mutants are exactly the ones ``cosmic-ray init`` makes (same operators, same occurrence
numbering), so a session is a cosmic-ray session and results compare one to one with stock
cosmic-ray. Two things differ, both for speed and reproducibility:

- the job id is a hash of (module, source hash, operator, occurrence) instead of a random UUID:
  shards made on different machines agree on it, and merged sessions line up;
- a mutated source is made by re-parsing only the top-level statement that holds the mutant
  (cosmic-ray re-parses and re-walks the whole module per mutant: ~27 ms on slugify, ~1 ms here).
  Occurrences are numbered in a pre-order walk, so the occurrence inside a statement is the
  global occurrence minus the positions in the statements before it. Where that bookkeeping
  does not add up for an operator, that operator falls back to cosmic-ray's whole-module path.
"""

from __future__ import annotations

import ast
import hashlib
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import cosmic_ray.plugins
import parso.python.tree
import parso.tree
from cosmic_ray.ast import ast_nodes, get_ast
from cosmic_ray.ast.ast_query import ASTQuery
from cosmic_ray.mutating import mutate_code

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from cosmic_ray.plugins import Operator

# The parso node types that start a statement: coverage.py records a multi-line statement under
# its first line, so a mutant's lines include the first line of the statement that holds it.
_STATEMENTS = frozenset(
    {
        "simple_stmt",
        "if_stmt",
        "while_stmt",
        "for_stmt",
        "try_stmt",
        "with_stmt",
        "funcdef",
        "classdef",
        "decorated",
        "async_stmt",
        "match_stmt",
    }
)


# parso and cosmic-ray's visitors are not known to be thread-safe: one mutated source at a time.
_PARSO = threading.Lock()


@dataclass(frozen=True)
class Mutant:
    """One mutation: an operator's ``occurrence`` in ``module`` (a path relative to the root)."""

    job_id: str
    module: str
    operator: str
    occurrence: int
    start: tuple[int, int]  # (line from 1, column from 0), as parso and cosmic-ray give it
    end: tuple[int, int]
    statement_line: int
    definition: str | None
    in_body: bool = False  # inside a function's body: runs when called, not at import
    # In a function's signature (annotations, defaults): the lines of that function's body.
    body: tuple[int, int] | None = None
    in_annotation: bool = False  # inside a parameter's or the return's annotation
    # The qualified name of the outermost function whose body holds the mutant (under only
    # classes): a worker may swap that function's code in place instead of re-importing.
    function: str | None = None

    @property
    def lines(self) -> range:
        """The source lines whose execution can reach this mutant.

        A signature's annotations and defaults matter to the function's callers: those are
        the tests that run its body (the ``def`` line itself runs at import, for everyone).
        """
        if self.body is not None:
            return range(self.body[0], self.body[1] + 1)
        return range(min(self.statement_line, self.start[0]), self.end[0] + 1)


@dataclass(frozen=True)
class _Slot:
    statement: int  # index of the top-level statement
    local: int  # occurrence inside it


class ModuleMutants:
    """Every mutant of one module and the fast way to make each mutated source."""

    def __init__(self, module: str, source: str, operators: Sequence[str]) -> None:
        """Find the mutants of ``source`` (the text of ``module``) for each of ``operators``."""
        self.module = module
        self.source = source
        self.source_hash = hashlib.sha256(source.encode("utf-8")).hexdigest()
        tree = get_ast(source)
        # ``from __future__ import annotations``: annotations are kept as strings, never run.
        self.postponed = _postponed_annotations(source)
        self._chunks = [child.get_code() for child in tree.children]
        exact = "".join(self._chunks) == source
        self.mutants: list[Mutant] = []
        self._slots: dict[str, _Slot | None] = {}
        self._operators: dict[str, Operator] = {}
        self._made: dict[str, str | None] = {}
        # job id -> why the operator could not make the mutant (cosmic-ray: incompetent).
        self.failures: dict[str, str] = {}
        self._tree = tree
        self._nodes: dict[str, tuple[parso.tree.NodeOrLeaf, int]] = {}
        for name in operators:
            operator = cosmic_ray.plugins.get_operator(name)()
            self._operators[name] = operator
            # The module node itself comes first in cosmic-ray's walk.
            rooted = [
                (-1, 0, tree, at, position)
                for at, position in enumerate(operator.mutation_positions(tree))
            ]
            sliceable = exact and not rooted
            nested = (
                (index, local, node, at, position)
                for index, child in enumerate(tree.children)
                for local, node, at, position in _positions(operator, child)
            )
            for occurrence, (index, local, node, at, (start, end)) in enumerate(
                [
                    *rooted,
                    *nested,
                ]
            ):
                job_id = _job_id(module, self.source_hash, name, occurrence)
                self.mutants.append(
                    Mutant(
                        job_id=job_id,
                        module=module,
                        operator=name,
                        occurrence=occurrence,
                        start=start,
                        end=end,
                        statement_line=_statement_line(node),
                        definition=ASTQuery(node).get_definition_name(),
                        in_body=_in_function_body(node),
                        body=_signature_body(node),
                        in_annotation=_in_annotation(node),
                        function=_patchable_function(node),
                    )
                )
                self._slots[job_id] = _Slot(index, local) if sliceable else None
                self._nodes[job_id] = (node, at)

    def never_runs(self, mutant: Mutant) -> bool:
        """Whether the mutated code is never executed: an annotation under PEP 563."""
        return self.postponed and mutant.in_annotation

    def mutated_source(self, mutant: Mutant) -> str | None:
        """The module's source with ``mutant`` applied (None: the operator made no change).

        Memoised and thread-safe: a thread may make them ahead while the baseline runs.
        """
        with _PARSO:
            if mutant.job_id not in self._made:
                try:
                    self._made[mutant.job_id] = self._make(mutant)
                except Exception as error:  # noqa: BLE001 - an operator that cannot apply
                    # cosmic-ray records such a mutant as incompetent (its mutate_and_test).
                    self.failures[mutant.job_id] = f"{type(error).__name__}: {error}"
                    self._made[mutant.job_id] = None
            return self._made[mutant.job_id]

    def _make(self, mutant: Mutant) -> str | None:
        made = self._in_place(mutant)
        return made if made is not None else self._reparsed(mutant)

    def _in_place(self, mutant: Mutant) -> str | None:
        """Apply the operator to the node of the parsed module, read the code, undo it all.

        The same ``operator.mutate(node, index)`` call cosmic-ray's visitor makes, on the same
        node, without re-parsing; every node and leaf it could touch is restored after.
        """
        node, index = self._nodes[mutant.job_id]
        parent = node.parent
        if parent is None:
            return None
        saved = _snapshot(node)
        siblings = list(_children(parent))
        try:
            new = self._operators[mutant.operator].mutate(node, index)
            if new is not node:
                at = next(i for i, child in enumerate(siblings) if child is node)
                replaced = [] if new is None else [new]
                parent.children = [*siblings[:at], *replaced, *siblings[at + 1 :]]
            tree: Any = self._tree
            return str(tree.get_code())
        # qualitykit: allow[QK-EXC-002] None sends the mutant down the re-parsing path
        except Exception:  # noqa: BLE001 - the re-parsing path decides
            return None
        finally:
            parent.children = siblings
            _restore(saved)

    def _reparsed(self, mutant: Mutant) -> str | None:
        operator = self._operators[mutant.operator]
        slot = self._slots.get(mutant.job_id)
        if slot is None:
            return mutate_code(self.source, operator, mutant.occurrence)
        chunk = mutate_code(self._chunks[slot.statement], operator, slot.local)
        if chunk is None:
            return mutate_code(self.source, operator, mutant.occurrence)
        before = "".join(self._chunks[: slot.statement])
        after = "".join(self._chunks[slot.statement + 1 :])
        return before + chunk + after


def _positions(
    operator: Operator, top: parso.tree.NodeOrLeaf
) -> Iterable[tuple[int, parso.tree.NodeOrLeaf, int, tuple[tuple[int, int], tuple[int, int]]]]:
    local = 0
    for node in ast_nodes(top):
        for at, position in enumerate(operator.mutation_positions(node)):
            yield local, node, at, position
            local += 1


_Saved = list[tuple[Any, list[Any] | None, Any, Any, Any]]


def _snapshot(node: parso.tree.NodeOrLeaf) -> _Saved:
    """Children, value, prefix and parent of every node under ``node`` (what mutate may change)."""
    saved: _Saved = []
    for item in ast_nodes(node):
        anything: Any = item
        children = list(anything.children) if isinstance(item, parso.tree.BaseNode) else None
        saved.append(
            (
                anything,
                children,
                getattr(anything, "value", None),
                getattr(anything, "prefix", None),
                anything.parent,
            )
        )
    return saved


def _restore(saved: _Saved) -> None:
    for item, children, value, prefix, parent in saved:
        if children is not None:
            item.children = children
        if value is not None:
            item.value = value
        if prefix is not None:
            item.prefix = prefix
        item.parent = parent


def _children(node: parso.tree.BaseNode) -> list[parso.tree.NodeOrLeaf]:
    """``node.children``, typed (parso leaves the base node's attribute unannotated)."""
    children: list[parso.tree.NodeOrLeaf] = node.children
    return children


def _last_leaf(node: parso.tree.NodeOrLeaf) -> parso.tree.NodeOrLeaf:
    """``node.get_last_leaf()``, typed: the last child's last child, down to a leaf."""
    while isinstance(node, parso.tree.BaseNode):
        node = _children(node)[-1]
    return node


def _statement_line(node: parso.tree.NodeOrLeaf) -> int:
    current: parso.tree.NodeOrLeaf | None = node
    while current is not None:
        if current.type in _STATEMENTS:
            return current.start_pos[0]
        current = current.parent
    return node.start_pos[0]


def _in_function_body(node: parso.tree.NodeOrLeaf) -> bool:
    child = node
    parent = node.parent
    while parent is not None:
        if parent.type in {"funcdef", "lambdef"} and child is parent.children[-1]:
            return True
        child, parent = parent, parent.parent
    return False


def _signature_body(node: parso.tree.NodeOrLeaf) -> tuple[int, int] | None:
    """For a node in a ``def``'s signature, its body's first and last lines."""
    child = node
    parent = node.parent
    while parent is not None and parent.type not in _STATEMENTS - {"funcdef"}:
        if parent.type == "funcdef":
            if child is parent.children[-1]:
                return None
            body = _children(parent)[-1]
            # A suite starts with the newline that ends the ``def`` line: skip it.
            first = (
                _children(body)[1]
                if isinstance(body, parso.tree.BaseNode) and body.type == "suite"
                else body
            )
            return first.start_pos[0], _last_leaf(body).start_pos[0]
        child, parent = parent, parent.parent
    return None


def _in_annotation(node: parso.tree.NodeOrLeaf) -> bool:
    child = node
    parent = node.parent
    while parent is not None and parent.type not in _STATEMENTS:
        if parent.type in {"tfpdef", "param"}:
            siblings = list(_children(parent))
            index = siblings.index(child)
            if index > 0 and getattr(siblings[index - 1], "value", None) == ":":
                return True
        child, parent = parent, parent.parent
    if parent is not None and parent.type == "funcdef":
        siblings = list(_children(parent))
        index = siblings.index(child)
        return index > 0 and getattr(siblings[index - 1], "value", None) == "->"
    return False


def _patchable_function(node: parso.tree.NodeOrLeaf) -> str | None:
    """``Class.method`` or ``function`` when ``node`` is in that def's body, else None.

    The def must be nested only in classes: module-level code, signatures and class bodies
    have no function to patch, nor has a def inside another def or a lambda.
    """
    ancestors: list[parso.tree.NodeOrLeaf] = [node]
    parent = node.parent
    while parent is not None:
        ancestors.append(parent)
        parent = parent.parent
    names: list[str] = []
    # Walk from the module down: classes add to the name, the first def decides.
    for depth in range(len(ancestors) - 1, 0, -1):
        item = ancestors[depth]
        if item.type == "lambdef":
            return None
        if item.type not in {"funcdef", "classdef"}:
            continue
        # Defs have children (parso types those of Python nodes; its base node leaves them bare).
        assert isinstance(item, parso.python.tree.PythonBaseNode)  # noqa: S101
        names.append(item.children[1].get_code(include_prefix=False))
        if item.type == "funcdef":
            in_body = ancestors[depth - 1] is item.children[-1]
            return ".".join(names) if in_body else None
    return None


def _postponed_annotations(source: str) -> bool:
    try:
        module = ast.parse(source)
    except SyntaxError:  # qualitykit: allow[QK-EXC-002] unparseable source has no __future__ import
        return False
    return any(
        isinstance(node, ast.ImportFrom)
        and node.module == "__future__"
        and any(alias.name == "annotations" for alias in node.names)
        for node in module.body
    )


def _job_id(module: str, source_hash: str, operator: str, occurrence: int) -> str:
    key = f"{module}\0{source_hash}\0{operator}\0{occurrence}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def operator_names(excluded: Sequence[str]) -> list[str]:
    """cosmic-ray's operators that take no arguments, less those ``excluded`` matches.

    Operators without arguments are what ``cosmic-ray init`` uses by default; ``excluded``
    holds regular expressions searched in each operator's name.
    """
    patterns = [re.compile(pattern) for pattern in excluded]
    names: list[str] = []
    for name in cosmic_ray.plugins.operator_names():
        if cosmic_ray.plugins.get_operator(name).arguments():
            continue
        if any(pattern.search(name) for pattern in patterns):
            continue
        names.append(name)
    return names
