"""Duplicate test doubles: the same class or helper defined in more than one test module.

Module-level classes and functions of the test files (:func:`find_test_files`) are grouped
by name and by structure; one finding per group, listing every location.

- By name: a class or function whose name says it is a double (``fake``, ``mock``, ``stub``,
  ``dummy``, ``spy``: ``MockTokenizer`` in seven modules, each copy grown its own way),
  whatever the bodies. Other classes and functions sharing a name count only with the same
  code, literals and decorators included (two different ``main()`` or ``_configure()``
  helpers are not one), or, for classes with methods, the same bases and method names (the
  copies of a double drift apart: ``SimpleCommand(Command)`` in three modules). Never
  counted: what pytest collects or calls by its name (``test*`` functions, ``Test*``
  classes, ``pytest_*`` hooks, xunit set-up and tear-down), dunders, and fixtures of the same
  name with different bodies (a conftest fixture overridden in a module is pytest's design).
- By structure: the same code under any names: the AST with every identifier (names,
  arguments, the definition's own name) and literal blanked, docstrings, annotations and
  decorators dropped (attribute and keyword names kept: ``x.read()`` is not ``x.write()``).
  Only definitions with at least ``min-statements`` statements, so one-line helpers do not
  all collide. Fixtures count here (the same fixture body twice is a double); tests do not.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, cast

import msgspec
from typing_extensions import override

from qualitykit.policy.pathglobs import spec
from qualitykit.policy.rule import Hit, Rule, RuleOptions
from qualitykit.policy.testfiles import find_test_files, may_be_test_file

if TYPE_CHECKING:
    from collections.abc import Iterator

    from qualitykit.policy.project import PolicyProject

_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_XUNIT = frozenset(
    {
        "setup_module",
        "teardown_module",
        "setup_function",
        "teardown_function",
        "setUpModule",
        "tearDownModule",
        "setup",
        "teardown",
        "load_tests",
    }
)
# Fields whose value is an identifier or a literal: blanked in the structure.
_BLANKED: dict[type[ast.AST], str] = {
    ast.Name: "id",
    ast.arg: "arg",
    ast.Constant: "value",
    ast.FunctionDef: "name",
    ast.AsyncFunctionDef: "name",
    ast.ClassDef: "name",
}
_DOUBLE_NAME = re.compile(r"fake|mock|stub|dummy|spy", re.IGNORECASE)
_DROPPED = frozenset({"annotation", "returns", "type_comment", "type_params"})
# Decorators are dropped from the structure (a fixture's scope does not make another helper)
# but kept when a name is compared with its code: `@attr.s(slots=True) class Frozen` and
# `@attr.s class Frozen` are two test subjects.
_DROPPED_FROM_STRUCTURE = _DROPPED | {"decorator_list"}


class DoublesOptions(RuleOptions, frozen=True):
    """``min-statements``: the size below which a definition is not compared by structure."""

    min_statements: Annotated[int, msgspec.Meta(ge=1)] = 3


_Node = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


@dataclass(frozen=True)
class Definition:
    """One module-level class or function of a test file."""

    file: str
    line: int
    name: str
    kind: str
    node: _Node
    size: int
    # Compared by name alone: named as a double (FakeClock), not a fixture.
    named: bool
    dunder: bool


def _is_fixture(node: _Node) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name == "fixture":
            return True
    return False


def _body(node: _Node) -> list[ast.stmt]:
    body = node.body
    first = body[0] if body else None
    docstring = (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    )
    return body[1:] if docstring else body


def _shape(node: ast.AST, *, literals: bool = False) -> str:
    """The structure of ``node``: identifiers blanked, literals too unless ``literals``."""
    blanked = _BLANKED.get(type(node))
    if literals and isinstance(node, ast.Constant):
        blanked = None
    parts: list[str] = [type(node).__name__]
    for name, field in ast.iter_fields(node):
        if name == blanked or name in (_DROPPED if literals else _DROPPED_FROM_STRUCTURE):
            continue
        # The docstring is no part of the code.
        value: object = _body(node) if name == "body" and isinstance(node, _DEFINITIONS) else field
        if isinstance(value, list):
            items = [
                _shape(item, literals=literals) if isinstance(item, ast.AST) else repr(item)
                for item in cast("list[object]", value)
            ]
            parts.append(f"[{','.join(items)}]")
        elif isinstance(value, ast.AST):
            parts.append(_shape(value, literals=literals))
        elif value is not None:
            parts.append(repr(value))
    return f"({' '.join(parts)})"


def _size(body: list[ast.stmt]) -> int:
    """The statements in ``body``, nested ones included (expressions are not walked)."""
    total = 0
    for stmt in body:
        total += 1
        for field in ("body", "orelse", "finalbody"):
            inner: object = getattr(stmt, field, None)
            if isinstance(inner, list):
                total += _size(cast("list[ast.stmt]", inner))
        for handler in getattr(stmt, "handlers", ()) or getattr(stmt, "cases", ()):
            total += _size(cast("ast.ExceptHandler | ast.match_case", handler).body)
    return total


def _collected(node: _Node) -> bool:
    """Whether pytest collects or calls it by its name (a test, a hook, xunit set-up)."""
    if isinstance(node, ast.ClassDef):
        return node.name.startswith("Test")
    return node.name.startswith(("test", "pytest_")) or node.name in _XUNIT


def _interface(node: _Node) -> str | None:
    """A class's bases and method names (None for a function or a class without methods).

    Copies of a double keep their base and methods while the bodies drift apart; two sample
    classes named ``C`` with other fields and no methods are two classes.
    """
    if not isinstance(node, ast.ClassDef):
        return None
    methods = sorted(
        item.name for item in node.body if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
    )
    if not methods:
        return None
    bases = ",".join(_shape(base, literals=True) for base in [*node.bases, *node.keywords])
    return f"{bases}:{','.join(methods)}"


def definitions(project: PolicyProject, name: str) -> list[Definition]:
    """The module-level classes and functions of ``name`` that can be doubles."""
    tree = project.python(name)
    found: list[Definition] = []
    for node in tree.body if tree is not None else []:
        if not isinstance(node, _DEFINITIONS) or _collected(node):
            continue
        kind = "class" if isinstance(node, ast.ClassDef) else "function"
        named = bool(_DOUBLE_NAME.search(node.name))
        dunder = node.name.startswith("__") and node.name.endswith("__")
        named = named and not _is_fixture(node)
        size = _size(_body(node))
        found.append(Definition(name, node.lineno, node.name, kind, node, size, named, dunder))
    return found


def _keys(defs: list[Definition], min_statements: int) -> list[list[tuple[str, ...]]]:
    """What makes two definitions one double: a name, a name with its code, or the code.

    A structure is built only where it can match (a name or a size seen in two files): the
    AST of a large module-level table is not walked for nothing.
    """
    by_name: dict[str, set[str]] = {}
    by_size: dict[tuple[str, int], set[str]] = {}
    for d in defs:
        by_name.setdefault(d.name, set()).add(d.file)
        if d.size >= min_statements:
            by_size.setdefault((d.kind, d.size), set()).add(d.file)
    keys: list[list[tuple[str, ...]]] = []
    for d in defs:
        own: list[tuple[str, ...]] = []
        if len(by_size.get((d.kind, d.size), ())) > 1:
            own.append(("code", _shape(d.node)))
        if not d.dunder and len(by_name[d.name]) > 1:
            if d.named:
                own.append(("name", d.name))
            interface = _interface(d.node)
            if interface is not None:
                own.append(("name and interface", d.name, interface))
            # Same name, same code but for local names: literals kept, so two `_configure()`
            # helpers that write different settings are two helpers.
            own.append(("name and code", d.name, _shape(d.node, literals=True)))
        keys.append(own)
    return keys


def _groups(defs: list[Definition], min_statements: int) -> list[list[Definition]]:
    """Definitions joined by a shared name or structure spanning two files (union-find)."""
    parent = list(range(len(defs)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    keyed: dict[tuple[str, ...], list[int]] = {}
    for index, own in enumerate(_keys(defs, min_statements)):
        for key in own:
            keyed.setdefault(key, []).append(index)
    for members in keyed.values():
        if len({defs[index].file for index in members}) > 1:
            for index in members[1:]:
                parent[root(index)] = root(members[0])
    components: dict[int, list[Definition]] = {}
    for index, definition in enumerate(defs):
        components.setdefault(root(index), []).append(definition)
    return [
        sorted(group, key=lambda d: (d.file, d.line))
        for group in components.values()
        if len({d.file for d in group}) > 1
    ]


def _message(group: list[Definition]) -> str:
    names = sorted({d.name for d in group})
    kinds = sorted({d.kind for d in group})
    kind = kinds[0] if len(kinds) == 1 else "definition"
    if len(names) == 1:
        places = ", ".join(f"{d.file}:{d.line}" for d in group)
        return f"{kind} `{names[0]}` is defined {len(group)} times in tests: {places}"
    places = ", ".join(f"`{d.name}` {d.file}:{d.line}" for d in group)
    return f"the same {kind} is defined {len(group)} times in tests: {places}"


class DuplicateDoubles(Rule):
    """A class or helper function defined in more than one test module (by name or code)."""

    id = "QK-DUP-001"
    family = "doubles"
    title = "test double or helper defined in more than one test module"
    fix = (
        "define it once in conftest.py as a fixture (or in a shared helper module) "
        "and import/use it"
    )
    options = DoublesOptions

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        if not isinstance(options, DoublesOptions):
            raise TypeError(options)  # the registry validates with this rule's own model
        if project.scope is not None and not any(
            may_be_test_file(project, name) for name in project.scope
        ):
            return  # no staged test file: nothing this rule could report where it can be seen
        skip = spec(options.exclude)
        defs = [
            definition
            for name in find_test_files(project)
            if not skip.match_file(name)
            for definition in definitions(project, name)
        ]
        for group in _groups(defs, options.min_statements):
            # With staged files only, the finding goes where the commit can see it.
            shown = [d for d in group if project.in_scope(d.file)]
            if shown:
                yield Hit(shown[0].file, shown[0].line, _message(group))


RULES: tuple[Rule, ...] = (DuplicateDoubles(),)
