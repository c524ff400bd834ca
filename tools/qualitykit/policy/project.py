"""The read-only view of a project the rules get: files, text, AST, parsed config files.

Everything is read at most once per run and only when a rule asks; nothing here starts a
process per file (git runs once for the file list and, with ``--base``, once per file whose
base version a rule compares).
"""

from __future__ import annotations

import ast
import tomllib
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar, cast

from typing_extensions import override

from qualitykit.changes import changed_files, changed_lines, file_at, merge_base
from qualitykit.config_table import PYPROJECT
from qualitykit.files import project_files

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    import yaml

_T = TypeVar("_T")

MAKEFILES = ("Makefile", "GNUmakefile", "makefile", "*.mk")
PRE_COMMIT = ".pre-commit-config.yaml"
_MAX_TEXT_BYTES = 2_000_000
_SHELL_SUFFIXES = (".sh", ".bash")
_SHELL_NAMES = ("sh", "bash", "dash", "zsh", "ksh")
_CI_DIRS = (".ci/", "ci/", ".github/scripts/")
# Files that run scripts without being read as command lines themselves (yet): a script they
# name is a gate script.
_OTHER_RUNNERS = frozenset(
    {"tox.ini", "noxfile.py", ".gitlab-ci.yml", "azure-pipelines.yml", ".travis.yml", "setup.cfg"}
)


def _base_name(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def parse_toml(text: str | None) -> dict[str, Any]:
    """A TOML document as a dict; empty when absent or invalid (other steps report that)."""
    if text is None:
        return {}
    try:
        return tomllib.loads(text)
    # qualitykit: allow[QK-EXC-002] invalid TOML is other steps' finding; rules see no table
    except tomllib.TOMLDecodeError:
        return {}


def compose_yaml(text: str | None) -> yaml.Node | None:
    """A YAML document as nodes (with line marks); None when absent or invalid."""
    if text is None:
        return None
    # qualitykit: allow[QK-INT-070] imported on use: a commit of Python files never loads it
    import yaml  # noqa: PLC0415

    # libyaml composes ~10x faster than the pure-Python loader (same nodes and marks; a plain
    # scalar's style is "" instead of None).
    loader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
    try:
        return yaml.compose(text, Loader=loader)
    # qualitykit: allow[QK-EXC-002] invalid YAML is other steps' finding; rules see no node
    except yaml.YAMLError:
        return None


@dataclass
class BaseView:
    """The project at the merge-base of a ref and HEAD, read file by file."""

    root: Path
    ref: str
    commit: str
    _texts: dict[str, str | None] = field(default_factory=dict[str, "str | None"])

    @classmethod
    def load(cls, root: Path, ref: str) -> BaseView:
        """The base view of ``ref`` (exit 2 naming ``ref`` when it has no merge-base)."""
        return cls(root=root, ref=ref, commit=merge_base(root, ref))

    def text(self, name: str) -> str | None:
        """The file's text at the base commit (None when it did not exist)."""
        if name not in self._texts:
            self._texts[name] = file_at(self.root, self.commit, name)
        return self._texts[name]

    @cached_property
    def changed(self) -> dict[str, frozenset[int]]:
        """Work-tree lines added or changed since the base, per file."""
        return changed_lines(self.root, self.ref)

    @cached_property
    def deleted(self) -> list[str]:
        """Files of the base deleted in the work tree."""
        return changed_files(self.root, self.commit, deleted_only=True)

    @cached_property
    def modified(self) -> list[str]:
        """Tracked files that differ from the base (deleted ones included), plus untracked ones."""
        return sorted(set(changed_files(self.root, self.commit)) | set(self.changed))


@dataclass
class PolicyProject:
    """One project as the rules see it; ``scope`` limits the files checked (staged files)."""

    root: Path
    files: list[str]
    scope: frozenset[str] | None = None
    base: BaseView | None = None
    _texts: dict[str, str | None] = field(default_factory=dict[str, "str | None"], repr=False)
    _asts: dict[str, ast.Module | None] = field(
        default_factory=dict[str, "ast.Module | None"], repr=False
    )
    _yaml: dict[str, yaml.Node | None] = field(
        default_factory=dict[str, "yaml.Node | None"], repr=False
    )
    _memo: dict[str, object] = field(default_factory=dict[str, object], repr=False)

    @classmethod
    def load(
        cls, root: Path, *, only: tuple[str, ...] = (), base: str | None = None
    ) -> PolicyProject:
        """The project at ``root``; ``only`` (relative paths) limits the check to those files."""
        files = project_files(root)
        listed = set(files)
        scope = frozenset(name for name in only if name in listed) if only else None
        view = BaseView.load(root, base) if base is not None else None
        return cls(root=root, files=files, scope=scope, base=view)

    def memo(self, key: str, compute: Callable[[], _T]) -> _T:
        """``compute()`` once per project (derived data several rules share)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return cast("_T", self._memo[key])

    def in_scope(self, name: str) -> bool:
        """Whether findings in ``name`` are wanted (every file unless a scope is given)."""
        return self.scope is None or name in self.scope

    @property
    def checked(self) -> list[str]:
        """The project files in scope."""
        return [name for name in self.files if self.in_scope(name)]

    def text(self, name: str) -> str | None:
        """The file's UTF-8 text (None when missing, binary, too large or not UTF-8)."""
        if name not in self._texts:
            self._texts[name] = self._read(name)
        return self._texts[name]

    def _read(self, name: str) -> str | None:
        path = self.root / name
        try:
            if path.stat().st_size > _MAX_TEXT_BYTES:
                return None
            data = path.read_bytes()
        # qualitykit: allow[QK-EXC-002] an unreadable file has no text for the rules
        except OSError:
            return None
        if b"\0" in data[:8192]:
            return None
        try:
            return data.decode("utf-8")
        # qualitykit: allow[QK-EXC-002] a file that is not UTF-8 has no text for the rules
        except UnicodeDecodeError:
            return None

    def lines(self, name: str) -> list[str]:
        """The file's lines (empty when it has no text)."""
        text = self.text(name)
        return [] if text is None else text.splitlines()

    def python(self, name: str) -> ast.Module | None:
        """The file's AST (None when it does not parse)."""
        if name not in self._asts:
            text = self.text(name)
            try:
                self._asts[name] = None if text is None else ast.parse(text, filename=name)
            except (SyntaxError, ValueError):
                self._asts[name] = None
        return self._asts[name]

    def yaml_node(self, name: str) -> yaml.Node | None:
        """The file as YAML nodes (None when absent or invalid)."""
        if name not in self._yaml:
            self._yaml[name] = compose_yaml(self.text(name))
        return self._yaml[name]

    @cached_property
    def pyproject(self) -> dict[str, Any]:
        """The parsed ``pyproject.toml`` (empty when absent or invalid)."""
        return parse_toml(self.text(PYPROJECT))

    def matching(self, patterns: tuple[str, ...]) -> list[str]:
        """Project files whose base name matches one of ``patterns``."""
        return [n for n in self.files if any(fnmatchcase(_base_name(n), p) for p in patterns)]

    @cached_property
    def makefiles(self) -> list[str]:
        """Every Makefile of the project."""
        return self.matching(MAKEFILES)

    @cached_property
    def workflows(self) -> list[str]:
        """GitHub Actions workflow files."""
        return [
            name
            for name in self.files
            if name.startswith(".github/workflows/") and name.endswith((".yml", ".yaml"))
        ]

    @cached_property
    def pre_commit(self) -> str | None:
        """The pre-commit configuration, when the project has one."""
        return PRE_COMMIT if PRE_COMMIT in self.files else None

    def is_shell_script(self, name: str) -> bool:
        """A ``.sh``/``.bash`` file or one whose shebang names a POSIX shell."""
        if name.endswith(_SHELL_SUFFIXES):
            return True
        lines = self.lines(name)[:1] if "." not in _base_name(name) else []
        if not lines or not lines[0].startswith("#!"):
            return False
        words = lines[0][2:].replace("/", " ").split()
        return any(word in _SHELL_NAMES for word in words[:3])

    @cached_property
    def gate_scripts(self) -> list[str]:
        """Shell scripts the gate or CI runs.

        Those under a CI directory, and those a Makefile, workflow, pre-commit config, tox,
        nox or other CI configuration, or another such script names (transitively).
        """
        scripts = [n for n in self.files if self.is_shell_script(n)]
        hooks = [self.pre_commit] if self.pre_commit else []
        others = [name for name in self.files if name in _OTHER_RUNNERS]
        runners = [*self.makefiles, *self.workflows, *hooks, *others]
        found = [n for n in scripts if n.startswith(_CI_DIRS)]
        pending = runners + found
        while pending:
            text = self.text(pending.pop()) or ""
            for name in scripts:
                if name not in found and name in text:
                    found.append(name)
                    pending.append(name)
        return sorted(found)

    def table(self, *keys: str) -> dict[str, Any]:
        """A nested table of pyproject.toml (empty when absent or not a table)."""
        return dig(self.pyproject, *keys)


def as_list(value: object) -> list[object]:
    """``value`` when it is a TOML array, else an empty list."""
    return cast("list[object]", value) if isinstance(value, list) else []


def as_strings(value: object) -> list[str]:
    """The items of a TOML array as strings (empty when it is not an array)."""
    return [str(item) for item in as_list(value)]


def dig(document: dict[str, Any], *keys: str) -> dict[str, Any]:
    """``document[k1][k2]…`` as a table; empty when a level is missing or not a table."""
    node: object = document
    for key in keys:
        node = cast("dict[str, object]", node).get(key) if isinstance(node, dict) else None
    return cast("dict[str, Any]", node) if isinstance(node, dict) else {}


@dataclass
class BaseProject(PolicyProject):
    """The project as it was at the base: same rules' view, every file read from git."""

    view: BaseView | None = None

    @classmethod
    def of(cls, project: PolicyProject) -> BaseProject | None:
        """The base version of ``project`` (None without a base), built once per project."""
        base = project.base
        if base is None:
            return None

        def build() -> BaseProject:
            files = sorted(set(project.files) | set(base.deleted))
            return cls(root=project.root, files=files, view=base)

        return project.memo("base-project", build)

    @override
    def _read(self, name: str) -> str | None:
        return self.view.text(name) if self.view is not None else None
