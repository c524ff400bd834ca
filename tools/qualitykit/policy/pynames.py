"""What a module's names refer to: ``t.save`` is ``torch.save`` after ``import torch as t``.

Only names an import binds resolve; a parameter, an assignment, a loop variable or a nested
``def`` of the same name shadows the import in its scope (Python's scoping rules: class bodies
do not enclose their methods). Within one scope the binding written last before the use wins,
an approximation of flow that is right for the code tests and modules are made of.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from typing_extensions import override

if TYPE_CHECKING:
    from collections.abc import Iterator

    from qualitykit.policy.project import PolicyProject

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


@dataclass(frozen=True)
class _Binding:
    line: int
    # The qualified name an import binds; None for every other binding (it shadows).
    target: str | None


@dataclass
class _Scope:
    parent: _Scope | None
    is_class: bool = False
    bindings: dict[str, list[_Binding]] = field(default_factory=dict[str, "list[_Binding]"])
    globals: set[str] = field(default_factory=set[str])

    def bind(self, name: str, line: int, target: str | None) -> None:
        self.bindings.setdefault(name, []).append(_Binding(line, target))


class Binder(ast.NodeVisitor):
    """One pass over a module: every scope's bindings and the scope of every loaded name."""

    def __init__(self) -> None:
        """Start at the module scope."""
        self.module = _Scope(parent=None)
        self.scope: _Scope = self.module
        self.scope_of: dict[int, _Scope] = {}
        # Loaded names and attributes, and the ids of those inside a longer chain.
        self.loads: list[ast.Name | ast.Attribute] = []
        self.inner: set[int] = set()

    def _bind(self, name: str, line: int, target: str | None) -> None:
        scope = self.module if name in self.scope.globals else self.scope
        scope.bind(name, line, target)

    def _enter(self, node: ast.AST, *, is_class: bool = False) -> None:
        outer = self.scope
        self.scope = _Scope(parent=outer, is_class=is_class)
        if isinstance(node, _FUNCTIONS):
            arguments = node.args
            every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
            every += [arg for arg in (arguments.vararg, arguments.kwarg) if arg is not None]
            for arg in every:
                self.scope.bind(arg.arg, arg.lineno, None)
            body = node.body if isinstance(node.body, list) else [node.body]
            for statement in body:
                self.visit(statement)
        elif isinstance(node, ast.ClassDef):
            for statement in node.body:
                self.visit(statement)
        else:
            self.generic_visit(node)
        self.scope = outer

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        arguments = node.args
        annotations = [
            arg.annotation
            for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
        ]
        every = [*node.decorator_list, *arguments.defaults, *arguments.kw_defaults, node.returns]
        for expression in [*every, *annotations]:
            if expression is not None:
                self.visit(expression)
        self._bind(node.name, node.lineno, None)
        self._enter(node)

    @override
    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._function(node)

    @override
    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._function(node)

    @override
    def visit_Lambda(self, node: ast.Lambda) -> None:
        for expression in [*node.args.defaults, *node.args.kw_defaults]:
            if expression is not None:
                self.visit(expression)
        self._enter(node)

    @override
    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expression in [*node.decorator_list, *node.bases, *node.keywords]:
            self.visit(expression)
        self._bind(node.name, node.lineno, None)
        self._enter(node, is_class=True)

    @override
    def visit_ListComp(self, node: ast.ListComp) -> None:
        self._enter(node)

    @override
    def visit_SetComp(self, node: ast.SetComp) -> None:
        self._enter(node)

    @override
    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._enter(node)

    @override
    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> None:
        self._enter(node)

    @override
    def visit_Global(self, node: ast.Global) -> None:
        self.scope.globals.update(node.names)

    @override
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self._bind(alias.asname, node.lineno, alias.name)
            else:
                top = alias.name.split(".", 1)[0]
                self._bind(top, node.lineno, top)

    @override
    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name == "*":
                continue
            # A relative import names the project's own module: nothing configured refers to it.
            target = f"{node.module}.{alias.name}" if node.module and not node.level else None
            self._bind(alias.asname or alias.name, node.lineno, target)

    @override
    def visit_Assign(self, node: ast.Assign) -> None:
        # `except ImportError: torch = None`: a constant has no attributes to use, so every
        # `torch.save` below still means the module.
        if isinstance(node.value, ast.Constant):
            for target in node.targets:
                if not isinstance(target, ast.Name):
                    self.visit(target)
            return
        self.generic_visit(node)

    @override
    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.inner.add(id(node.value))
        if isinstance(node.ctx, ast.Load):
            self.loads.append(node)
        self.generic_visit(node)

    @override
    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self.scope_of[id(node)] = self.scope
            self.loads.append(node)
        else:
            self._bind(node.id, node.lineno, None)

    @override
    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self._bind(node.name, node.lineno, None)
        self.generic_visit(node)

    @override
    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.name:
            self._bind(node.name, node.lineno, None)
        self.generic_visit(node)


def chain(node: ast.expr) -> list[str] | None:
    """``a.b.c`` as ``["a", "b", "c"]``; None when the root is not a plain name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


class ModuleNames:
    """The qualified names a module's expressions refer to."""

    def __init__(self, tree: ast.Module) -> None:
        """Bind every scope of ``tree`` once."""
        binder = Binder()
        binder.visit(tree)
        self._scope_of = binder.scope_of
        self._outermost = [node for node in binder.loads if id(node) not in binder.inner]
        self.tree = tree

    def _lookup(self, node: ast.Name) -> str | None:
        origin = self._scope_of.get(id(node))
        scope = origin
        while scope is not None:
            bindings = scope.bindings.get(node.id)
            if bindings and (scope is origin or not scope.is_class):
                before = [b for b in bindings if b.line <= node.lineno]
                return (before or bindings)[-1].target
            scope = scope.parent
        return None

    def root(self, node: ast.expr) -> ast.Name | None:
        """The name an attribute chain starts from."""
        while isinstance(node, ast.Attribute):
            node = node.value
        return node if isinstance(node, ast.Name) else None

    def qualified(self, node: ast.expr) -> str | None:
        """``torch.save`` for ``t.save`` after ``import torch as t``; None when not imported."""
        parts = chain(node)
        root = self.root(node)
        if parts is None or root is None:
            return None
        target = self._lookup(root)
        return ".".join([target, *parts[1:]]) if target else None

    def references(self) -> Iterator[tuple[ast.expr, str]]:
        """Every outermost name or attribute chain that resolves, with its qualified name."""
        for node in self._outermost:
            name = self.qualified(node)
            if name is not None:
                yield node, name


def module_names(project: PolicyProject, name: str) -> ModuleNames | None:
    """The names of ``name``'s module, bound once per run (None when it does not parse)."""

    def build() -> ModuleNames | None:
        tree = project.python(name)
        return None if tree is None else ModuleNames(tree)

    return project.memo(f"module-names:{name}", build)
