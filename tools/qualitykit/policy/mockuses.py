"""Where a Python module uses mocks, read from its AST with imports resolved.

A use is an import of a mock library, a ``monkeypatch``/``mocker`` fixture parameter of a test
or fixture, a reference to ``unittest.mock``/``pytest.MonkeyPatch`` through a plain import, a
patch (``patch(...)``, ``patch.object``, ``mocker.patch``, ``monkeypatch.setattr``, … as call,
decorator or context manager, with its target) or a ``Mock``/``MagicMock`` built directly.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from qualitykit.policy.pynames import chain

if TYPE_CHECKING:
    from qualitykit.policy.pynames import ModuleNames

MOCK_MODULES = ("unittest.mock", "mock", "pytest_mock")
_PATCH_MODULES = ("unittest.mock", "mock")
_MOCKERS = frozenset(
    {"mocker", "class_mocker", "module_mocker", "package_mocker", "session_mocker"}
)
_FIXTURES = _MOCKERS | {"monkeypatch"}
_MOCK_CLASSES = frozenset(
    {"Mock", "MagicMock", "AsyncMock", "NonCallableMock", "NonCallableMagicMock", "PropertyMock"}
)
_PATCHERS = {"patch": "patch", "patch.object": "object", "patch.dict": "dict"}
_PATCHERS["patch.multiple"] = "multiple"
# What a monkeypatch method changes when its target is not an argument.
_MONKEYPATCH_FIXED = {"setenv": "os.environ", "delenv": "os.environ", "chdir": "os.chdir"}
_MONKEYPATCH_FIXED["syspath_prepend"] = "sys.path"
_MONKEYPATCH_ARGS = frozenset({"setattr", "delattr", "setitem", "delitem"})

Kind = Literal["import", "fixture", "reference", "patch", "mock"]


@dataclass(frozen=True)
class MockUse:
    """One use: where, what kind, what it names, and (for patches) its target and spec."""

    line: int
    kind: Kind
    # The library or fixture ("unittest.mock", "monkeypatch"), the patch target, or the class.
    what: str
    text: str
    # Patches: the target is written as a string ("pkg.mod.name").
    string_target: bool = False
    # Patches: autospec/spec_set (or a replacement) given; mocks: spec/spec_set given.
    specced: bool = True
    # Patches through monkeypatch (autospec does not apply to them).
    monkeypatch: bool = False


def _source(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 80 else text[:77] + "..."


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def _given(value: ast.expr | None) -> bool:
    """A keyword present with a value other than None/False."""
    return value is not None and not (
        isinstance(value, ast.Constant) and value.value in (None, False)
    )


def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


class _Finder:
    def __init__(self, names: ModuleNames) -> None:
        self.names = names
        self.uses: list[MockUse] = []
        # Mocks given as a patch's replacement: the patch is the one finding, not both.
        self.replacements: set[int] = set()

    def mock_class(self, func: ast.expr) -> str | None:
        """``MagicMock`` when ``func`` names a mock class (imported or ``mocker.MagicMock``)."""
        parts = chain(func)
        if parts and len(parts) == 2 and parts[0] in _MOCKERS and parts[1] in _MOCK_CLASSES:
            return parts[1]
        qualified = self.names.qualified(func) or ""
        module, _, name = qualified.rpartition(".")
        return name if module in _PATCH_MODULES and name in _MOCK_CLASSES else None

    def unspecced_mock(self, node: ast.expr | None) -> bool:
        if not isinstance(node, ast.Call) or self.mock_class(node.func) is None:
            return False
        return not (
            node.args or _given(_keyword(node, "spec")) or _given(_keyword(node, "spec_set"))
        )

    def target_of(self, node: ast.expr, attribute: ast.expr | None = None) -> str:
        base = self.names.qualified(node) or _source(node)
        name = _string(attribute)
        return f"{base}.{name}" if name else base

    def patcher(self, call: ast.Call) -> str | None:
        parts = chain(call.func)
        if parts and parts[0] in _MOCKERS and ".".join(parts[1:]) in _PATCHERS:
            return _PATCHERS[".".join(parts[1:])]
        qualified = self.names.qualified(call.func) or ""
        for module in _PATCH_MODULES:
            if qualified.startswith(module + "."):
                return _PATCHERS.get(qualified.removeprefix(module + "."))
        return None

    def patch(self, call: ast.Call, how: str) -> None:
        args = call.args
        first = args[0] if args else _keyword(call, "target")
        written = _string(first)
        if how == "object" and first is not None:
            target = self.target_of(
                first, args[1] if len(args) > 1 else _keyword(call, "attribute")
            )
        elif first is not None:
            target = written or self.target_of(first)
        else:
            target = "?"
        positional_new = 2 if how == "patch" else 3
        new = args[positional_new - 1] if len(args) >= positional_new else _keyword(call, "new")
        if new is not None:
            self.replacements.add(id(new))
        specced = (
            how == "dict"
            or _given(_keyword(call, "autospec"))
            or _given(_keyword(call, "spec_set"))
            or (new is not None and not self.unspecced_mock(new))
        )
        self.uses.append(
            MockUse(
                call.lineno,
                "patch",
                target,
                _source(call),
                string_target=written is not None and how != "dict",
                specced=specced,
            )
        )

    def monkeypatch(self, call: ast.Call, method: str) -> None:
        args = call.args
        written = _string(args[0]) if args else None
        if method in _MONKEYPATCH_FIXED:
            target = _MONKEYPATCH_FIXED[method]
        elif not args:
            return
        elif written is not None and method in {"setattr", "delattr"}:
            target = written
        else:
            attribute = args[1] if method in {"setattr", "delattr"} and len(args) > 1 else None
            target = self.target_of(args[0], attribute)
        string = written is not None and method in {"setattr", "delattr"}
        use = MockUse(call.lineno, "patch", target, _source(call), string, monkeypatch=True)
        self.uses.append(use)

    def call(self, call: ast.Call) -> None:
        parts = chain(call.func)
        if parts and len(parts) == 2 and parts[0] == "monkeypatch":
            if parts[1] in _MONKEYPATCH_ARGS or parts[1] in _MONKEYPATCH_FIXED:
                self.monkeypatch(call, parts[1])
            return
        how = self.patcher(call)
        if how is not None:
            self.patch(call, how)
            return
        name = self.mock_class(call.func)
        if name is not None and id(call) not in self.replacements:
            specced = not self.unspecced_mock(call)
            self.uses.append(MockUse(call.lineno, "mock", name, _source(call), specced=specced))

    def imports(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif node.level or node.module is None:
            return
        elif node.module == "unittest":
            modules = ["unittest.mock"] if any(a.name == "mock" for a in node.names) else []
        else:
            modules = [node.module]
        for module in modules:
            library = next(
                (m for m in MOCK_MODULES if module == m or module.startswith(m + ".")), None
            )
            if library is not None:
                self.uses.append(MockUse(node.lineno, "import", library, _source(node)))

    def fixtures(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        decorators = [d.func if isinstance(d, ast.Call) else d for d in node.decorator_list]
        is_fixture = any((chain(d) or [""])[-1] == "fixture" for d in decorators)
        if not (node.name.startswith("test") or is_fixture):
            return
        arguments = node.args
        for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
            if arg.arg in _FIXTURES:
                what = "mocker" if arg.arg in _MOCKERS else arg.arg
                self.uses.append(MockUse(arg.lineno, "fixture", what, f"{node.name}({arg.arg})"))

    def reference(self, node: ast.expr, qualified: str) -> None:
        root = chain(node) or [""]
        if qualified.startswith("pytest.MonkeyPatch"):
            self.uses.append(MockUse(node.lineno, "reference", "monkeypatch", _source(node)))
        elif qualified.startswith("unittest.mock") and root[:2] == ["unittest", "mock"]:
            # `import unittest.mock` is reported at the import already.
            if any(use.kind == "import" and use.what == "unittest.mock" for use in self.uses):
                return
            self.uses.append(MockUse(node.lineno, "reference", "unittest.mock", _source(node)))


def mock_uses(names: ModuleNames) -> list[MockUse]:
    """Every mock use in the module, in line order."""
    finder = _Finder(names)
    for node in ast.walk(names.tree):
        if isinstance(node, ast.Call):
            finder.call(node)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            finder.imports(node)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            finder.fixtures(node)
    for node, qualified in names.references():
        finder.reference(node, qualified)
    return sorted(finder.uses, key=lambda use: (use.line, use.kind, use.what))
