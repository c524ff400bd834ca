"""Exceptions policy (opt-in): ruff's exception rules kept on, and swallowing ruff misses.

QK-EXC-001 verifies ruff's effective configuration keeps BLE001, E722, S110, B904 and the
tryceratops family on (``qualitykit.policy.ruffconfig``). "TRY kept on" means every stable
TRY rule of ruff 0.17 (TRY002, TRY003, TRY004, TRY201, TRY203, TRY300, TRY301, TRY400,
TRY401), each code checked on its own: ignoring one of them is a finding even while ``TRY``
is selected. A team that drops one on purpose says so at that line (a reasoned allow) or narrows
the rule's ``codes``.

QK-EXC-002 reads the AST: an ``except`` handler whose body only passes, continues, ``...``s or
returns a constant (``None``, a literal) neither logs nor re-raises, whatever it catches: ruff's
S110/S112 report only ``pass``/``continue`` after a broad ``except``, and SIM105 only a lone
``pass``. Two shapes are not errors and not reported: the optional-import idiom (``except
ImportError``/``ModuleNotFoundError`` after a ``try`` body that imports, by statement,
``import_module`` or ``__import__``, and calls nothing it imported: a missing optional module
is the state it records), and
``except StopIteration``/``StopAsyncIteration`` (an iterator saying it is done).
"""

from __future__ import annotations

import ast
import re
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, ClassVar

from typing_extensions import override

from qualitykit.policy.ruffkept import KeptOnOptions, kept_on
from qualitykit.policy.rule import Hit, Rule, RuleOptions

if TYPE_CHECKING:
    from collections.abc import Iterator

    from qualitykit.policy.project import PolicyProject

TRY_CODES = (
    "TRY002",
    "TRY003",
    "TRY004",
    "TRY201",
    "TRY203",
    "TRY300",
    "TRY301",
    "TRY400",
    "TRY401",
)
EXCEPTION_CODES = ("BLE001", "E722", "S110", "B904", *TRY_CODES)
_CODE = re.compile(r"^[A-Z]+\d+$")
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})
_IMPORTERS = frozenset({"import_module", "__import__"})
_END_OF_ITERATION = frozenset({"StopIteration", "StopAsyncIteration"})
# An ``except …:`` whose first statement (after comments and blank lines, on its own line or
# the same one) may do nothing: a superset of what the AST check reports, found without parsing.
_CANDIDATE = re.compile(
    r"\bexcept\b[^:]*:[ \t]*(?:#[^\n]*)?(?:\n[ \t]*(?:#[^\n]*)?)*"
    r"(?:pass\b|continue\b|\.\.\.|return\b|[rRbBuUfF]{0,2}[\"'])"
)


class ExceptionCodesOptions(KeptOnOptions, frozen=True):
    """QK-EXC-001's options: the ruff codes kept on."""

    codes: tuple[str, ...] = EXCEPTION_CODES

    def __post_init__(self) -> None:
        """Every code is a full ruff code."""
        wrong = [code for code in self.codes if not _CODE.match(code)]
        if wrong:
            msg = f"codes: not a full ruff code: {wrong[0]!r} (write e.g. 'TRY300')"
            raise ValueError(msg)


class ExceptionRulesKeptOn(Rule):
    """ruff's BLE001, E722, S110, B904 and TRY rules switched off."""

    id = "QK-EXC-001"
    family = "exceptions"
    default = False
    title = "ruff's exception rules kept on"
    fix = 'add "BLE", "E7", "S110", "B904" and "TRY" to ruff\'s `select`'
    options: ClassVar[type[RuleOptions]] = ExceptionCodesOptions

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        kept = options if isinstance(options, ExceptionCodesOptions) else ExceptionCodesOptions()
        yield from kept_on(project, kept.codes, kept)


class SwallowOptions(RuleOptions, frozen=True):
    """QK-EXC-002's options."""

    # ``path/glob.py::function`` (``Class.method`` or a glob; ``<module>`` at module level).
    allow: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Every entry names a file glob and a function."""
        for entry in self.allow:
            path, _, name = entry.partition("::")
            if not path or not name:
                msg = f"allow: {entry!r} is not 'path/glob.py::function_name'"
                raise ValueError(msg)


def _constant(node: ast.expr | None) -> bool:
    if node is None or isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.operand, ast.Constant)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_constant(item) for item in node.elts)
    if isinstance(node, ast.Dict):
        return all(_constant(item) for item in [*node.keys, *node.values])
    return False


def _inert(statement: ast.stmt) -> str | None:
    """What the statement does when it does nothing with the error (None: it does something)."""
    if isinstance(statement, ast.Pass):
        return "passes"
    if isinstance(statement, ast.Continue):
        return "continues"
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
        return "has `...`" if statement.value.value is Ellipsis else "has a bare literal"
    if isinstance(statement, ast.Return) and _constant(statement.value):
        value = "None" if statement.value is None else ast.unparse(statement.value)
        return f"returns {value}"
    return None


def _caught(handler: ast.ExceptHandler) -> list[str]:
    kinds = handler.type
    items = kinds.elts if isinstance(kinds, ast.Tuple) else [kinds] if kinds else []
    return [ast.unparse(item) for item in items]


def _import_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] in _IMPORTERS


def _only_imports(body: list[ast.stmt]) -> bool:
    """Whether the ``try`` imports and runs nothing of what it imported.

    ``import x; x.setup()`` runs code that can raise ImportError for other reasons.
    """
    imported: set[str] = set()
    found = False
    for statement in body:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            imported |= {(a.asname or a.name).split(".")[0] for a in statement.names}
            found = True
            continue
        nodes = list(ast.walk(statement))
        found = found or any(_import_call(node) for node in nodes)
        if isinstance(statement, ast.Assign) and _import_call(statement.value):
            imported |= {
                n.id for t in statement.targets for n in ast.walk(t) if isinstance(n, ast.Name)
            }
        if any(_called_root(node) in imported for node in nodes):
            return False
    return found


def _called_root(node: ast.AST) -> str | None:
    """The name a call starts from (``x`` of ``x.a.b()``), None for other nodes."""
    root = node.func if isinstance(node, ast.Call) else None
    while isinstance(root, (ast.Attribute, ast.Call, ast.Subscript)):
        root = root.func if isinstance(root, ast.Call) else root.value
    return root.id if isinstance(root, ast.Name) else None


def _not_an_error(body: list[ast.stmt], handler: ast.ExceptHandler) -> bool:
    """The end of an iteration, or a missing optional module (the ``try`` only imports)."""
    caught = {name.rsplit(".", 1)[-1] for name in _caught(handler)}
    if caught and caught <= _END_OF_ITERATION:
        return True
    return bool(caught) and caught <= _IMPORT_ERRORS and _only_imports(body)


_SCOPES = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


# Statement lists: a ``try`` is a statement, so the walk never descends into expressions.
_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


def swallowed(tree: ast.Module) -> Iterator[tuple[ast.ExceptHandler, str, str]]:
    """Every swallowing handler in ``tree``: the handler, its function's qualname, its deed."""
    stack: list[tuple[ast.AST, tuple[str, ...]]] = [(tree, ())]
    while stack:
        node, scope = stack.pop()
        if isinstance(node, (ast.Try, ast.TryStar)):
            for handler in node.handlers:
                deeds = [_inert(statement) for statement in handler.body]
                if all(deeds) and not _not_an_error(node.body, handler):
                    what = " and ".join(dict.fromkeys(deed for deed in deeds if deed))
                    yield handler, ".".join(scope) or "<module>", what
        inner = (*scope, node.name) if isinstance(node, _SCOPES) else scope
        for block in _BLOCKS:
            children: list[ast.AST] = getattr(node, block, [])
            stack.extend((child, inner) for child in children)


def _allowed(file: str, qualname: str, entries: tuple[str, ...]) -> bool:
    names = {qualname, qualname.rsplit(".", 1)[-1]}
    for entry in entries:
        path, _, function = entry.partition("::")
        if fnmatchcase(file, path) and any(fnmatchcase(name, function) for name in names):
            return True
    return False


class SwallowedException(Rule):
    """An ``except`` that only passes, continues or returns a constant: the error vanishes."""

    id = "QK-EXC-002"
    family = "exceptions"
    default = False
    title = "exception swallowed"
    fix = (
        "handle the error, log it or re-raise it (`raise … from error`); when ignoring it is the "
        "intent, say why: `# qualitykit: allow[QK-EXC-002] why` or the rule's `allow` list"
    )
    options: ClassVar[type[RuleOptions]] = SwallowOptions

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        allow = options.allow if isinstance(options, SwallowOptions) else ()
        for name in project.checked:
            if not name.endswith((".py", ".pyi")):
                continue
            # Parsing is the costly part: only files with a candidate handler are parsed.
            text = project.text(name)
            tree = project.python(name) if text and _CANDIDATE.search(text) else None
            if tree is None:
                continue
            for handler, qualname, what in swallowed(tree):
                if _allowed(name, qualname, allow):
                    continue
                kinds = _caught(handler)
                caught = kinds[0] if len(kinds) == 1 else f"({', '.join(kinds)})" if kinds else ""
                head = f"except {caught}" if caught else "except"
                message = (
                    f"`{head}:` in {qualname} only {what}: the error is swallowed "
                    "(nothing logs or re-raises it)"
                )
                yield Hit(name, handler.lineno, message)


RULES: tuple[Rule, ...] = (ExceptionRulesKeptOn(), SwallowedException())
