"""ruff's effective lint configuration, read as ruff reads it (for the "kept on" rules).

Which file: ``.ruff.toml`` wins over ``ruff.toml``, which wins over a ``pyproject.toml`` with a
``[tool.ruff]`` table, at the project root; ``extend = "…"`` chains are followed (a relative
path is relative to the file naming it). Each file is one *selection layer*, applied base first
(ruff's ``as_rule_table``): ruff starts from its default selection; a layer with ``select``
replaces the selection, one without it adds ``extend-select`` and removes ``ignore`` +
``extend-ignore`` on top. Inside a layer the most specific selector that names a code decides
(``select = ["E501"]`` beats ``ignore = ["E"]``), and at equal specificity ``ignore`` wins.
``select = []`` with only an ``ignore`` carries that ignore over to the next layer.
``[tool.ruff.lint]`` keys win over the legacy top-level ``[tool.ruff]`` ones, per key.
``per-file-ignores`` of the nearest layer that has it, plus every layer's
``extend-per-file-ignores``, then switch codes off per file (patterns as ruff matches them:
against the path relative to the project, and a pattern without ``/`` against the base name).
Nested configuration files in subdirectories and ruff's command-line flags are not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualitykit.config_table import PYPROJECT
from qualitykit.policy.project import as_list, as_strings, dig, parse_toml
from qualitykit.policy.tomllines import toml_line

if TYPE_CHECKING:
    from qualitykit.policy.project import PolicyProject

_ROOT_FILES = (".ruff.toml", "ruff.toml", PYPROJECT)
_MAX_EXTENDS = 20
_SELECTOR = re.compile(r"^([A-Z]+)(\d*)$")
_HEADER = re.compile(r"^\s*\[")
_HEADER_NAME = re.compile(r"^\s*\[(?P<name>[^\[\]]+)\]\s*(?:#.*)?$")


def specificity(selector: str, code: str) -> int | None:
    """How specifically ``selector`` names ``code`` (higher wins), None when it does not.

    ``ALL`` 0, a linter (``TRY``) 1, then one more per digit (``TRY3`` 2, ``TRY300`` 4).
    ``F`` does not select ``FA100``: the letters name the linter exactly (``PL`` also names
    ``PLC``/``PLE``/``PLR``/``PLW``, ruff's pylint groups).
    """
    if selector == "ALL":
        return 0
    wanted, given = _SELECTOR.match(selector), _SELECTOR.match(code)
    if wanted is None or given is None:
        return None
    letters = wanted[1] == given[1] or (wanted[1] == "PL" and given[1].startswith("PL"))
    if letters and given[2].startswith(wanted[2]) and (wanted[1] == given[1] or not wanted[2]):
        return 1 + len(wanted[2])
    return None


@dataclass(frozen=True)
class Place:
    """Where a setting is written: a file (relative to the project when inside it) and a line."""

    file: str
    line: int


@dataclass(frozen=True)
class Layer:
    """One configuration file of the chain: its lint keys, each with the table it came from."""

    file: str
    lines: tuple[str, ...]
    keys: dict[str, tuple[object, str]]

    def get(self, key: str) -> object | None:
        """The value of a lint key (None when the layer does not set it)."""
        found = self.keys.get(key)
        return None if found is None else found[0]

    def place(self, key: str, entry: str | None = None) -> Place:
        """The line of ``key`` (of ``entry`` inside its array, when given)."""
        table = self.keys[key][1] if key in self.keys else ""
        return Place(self.file, key_line(list(self.lines), table, key, entry))

    def table_place(self, table: str | None = None) -> Place:
        """The header line of a nested options table (``isort``), else of the lint table."""
        lint = "tool.ruff.lint" if self.file.endswith(PYPROJECT) else "lint"
        names = [f"{lint}.{table}"] if table else []
        names += [lint, "tool.ruff"] if self.file.endswith(PYPROJECT) else [lint]
        for name in names:
            for number, text in enumerate(self.lines, start=1):
                header = _HEADER_NAME.match(text)
                if header and header["name"].replace('"', "").replace(" ", "") == name:
                    return Place(self.file, number)
        return Place(self.file, 1)

    def option_place(self, table: str, key: str) -> Place:
        """The line of a nested option (``isort`` ``required-imports``)."""
        pyproject = self.file.endswith(PYPROJECT)
        tables = ("tool.ruff.lint", "tool.ruff") if pyproject else ("lint", "")
        for parent in tables:
            name = f"{parent}.{table}" if parent else table
            line = key_line(list(self.lines), name, key)
            if 0 < line <= len(self.lines) and key in self.lines[line - 1]:
                return Place(self.file, line)
        return self.table_place(table)


def key_line(lines: list[str], table: str, key: str | None, entry: str | None = None) -> int:
    """The line of ``key`` in ``table`` ("" = the top level), or of ``entry`` in its array."""
    line = toml_line(lines, table, key) if table else 0
    written = lines[line - 1] if 0 < line <= len(lines) else ""
    if key is not None and key not in written:
        line = _top_level(lines, f"{table}.{key}" if table else key) or line or 1
    if entry is None:
        return line or 1
    for number in range(line, len(lines) + 1):
        text = lines[number - 1]
        if number > line and (_HEADER.match(text) or re.match(r"^\s*[\w.\"'-]+\s*=", text)):
            break
        if f'"{entry}"' in text or f"'{entry}'" in text:
            return number
    return line or 1


def _top_level(lines: list[str], dotted: str) -> int:
    for number, text in enumerate(lines, start=1):
        if _HEADER.match(text):
            return 0
        if "=" in text and text.split("=", 1)[0].strip().strip("\"'") == dotted:
            return number
    return 0


def _lint_keys(document: dict[str, Any], *, pyproject: bool) -> dict[str, tuple[object, str]]:
    prefix = "tool.ruff" if pyproject else ""
    ruff = dig(document, "tool", "ruff") if pyproject else document
    lint_table = f"{prefix}.lint" if prefix else "lint"
    keys = {key: (value, prefix) for key, value in ruff.items() if key != "lint"}
    keys.update({key: (value, lint_table) for key, value in dig(ruff, "lint").items()})
    return keys


@dataclass(frozen=True)
class RuffConfig:
    """The chain of configuration files, base first; ``problem`` when it cannot be read."""

    layers: tuple[Layer, ...]
    main: str
    problem: tuple[Place, str] | None = None

    def setting(self, table: str, key: str) -> tuple[object, Layer] | None:
        """A nested option (``isort``/``required-imports``): the nearest layer setting it."""
        for layer in reversed(self.layers):
            options = layer.get(table)
            if isinstance(options, dict) and key in options:
                return dig({"t": options}, "t")[key], layer
        return None


def _read_outside(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    # qualitykit: allow[QK-EXC-002] the caller reports the unreadable `extend` file
    except (OSError, UnicodeDecodeError):
        return None


def _display(project: PolicyProject, path: Path) -> str:
    try:
        return path.resolve().relative_to(project.root.resolve()).as_posix()
    except ValueError:
        return str(path)


def load(project: PolicyProject) -> RuffConfig:
    """The project's ruff configuration chain (memoised per run)."""
    return project.memo("ruff-config", lambda: _load(project))


def _main_file(project: PolicyProject) -> str | None:
    for name in _ROOT_FILES:
        if name not in project.files:
            continue
        if name != PYPROJECT or "ruff" in dig(project.pyproject, "tool"):
            return name
    return None


def _load(project: PolicyProject) -> RuffConfig:
    main = _main_file(project)
    if main is None:
        return RuffConfig(layers=(), main=PYPROJECT)
    layers: list[Layer] = []
    path = project.root / main
    seen: set[Path] = set()
    while len(layers) < _MAX_EXTENDS:
        name = _display(project, path)
        text = project.text(name) if name in project.files else _read_outside(path)
        document = parse_toml(text)
        is_pyproject = path.name == PYPROJECT
        lines = tuple((text or "").splitlines())
        layers.insert(0, Layer(name, lines, _lint_keys(document, pyproject=is_pyproject)))
        seen.add(path.resolve())
        ruff = dig(document, "tool", "ruff") if is_pyproject else document
        extend = ruff.get("extend")
        if not isinstance(extend, str):
            return RuffConfig(tuple(layers), main)
        table = "tool.ruff" if is_pyproject else ""
        where = Place(name, key_line(list(lines), table, "extend"))
        path = (path.parent / Path(extend).expanduser()).resolve()
        if path in seen:
            return RuffConfig(tuple(layers), main, (where, f"`extend` loops back to {extend!r}"))
        if _read_outside(path) is None:
            problem = f"`extend` names {extend!r}, which cannot be read"
            return RuffConfig(tuple(layers), main, (where, problem))
    return RuffConfig(tuple(layers), main, (Place(main, 1), "`extend` chain too long"))


@dataclass(frozen=True)
class Verdict:
    """Whether ruff runs ``code`` on the project, and the setting that decides it.

    ``how``: ``default`` (no layer names it; ruff's default decides), ``ignored`` (``key`` has
    ``selector``), ``unselected`` (a ``select`` without it) or ``selected``.
    """

    code: str
    how: str
    place: Place
    key: str = ""
    selector: str = ""

    @property
    def on(self) -> bool:
        """Whether the configuration itself selects ``code`` (ruff's default alone does not count).

        The default depends on the ruff version (``E4 E7 E9 F`` through 0.15; 413 rules since
        0.16, which also dropped 18 of the old ones), so a code only the default runs can be
        switched off by an upgrade with no change to the configuration.
        """
        return self.how == "selected"


def _strongest(selectors: list[str], code: str) -> tuple[int, str] | None:
    best: tuple[int, str] | None = None
    for selector in selectors:
        level = specificity(selector, code)
        if level is not None and (best is None or level >= best[0]):
            best = (level, selector)
    return best


def verdict(config: RuffConfig, code: str) -> Verdict:
    """Whether ``code`` is selected for the project as a whole (per-file ignores apart)."""
    main = config.layers[-1] if config.layers else None
    state = Verdict(code, "default", main.table_place() if main else Place(config.main, 1))
    carried: list[str] = []
    for layer in config.layers:
        select = layer.get("select")
        chosen = as_strings(select) + as_strings(layer.get("extend-select"))
        ignores = [("ignore", s) for s in as_strings(layer.get("ignore"))]
        ignores += [("extend-ignore", s) for s in as_strings(layer.get("extend-ignore"))]
        previous, carried = carried, []
        picked = _strongest(chosen, code)
        dropped = _strongest([s for _, s in ignores] + previous, code)
        if dropped is not None and (picked is None or picked[0] <= dropped[0]):
            key = next((k for k, s in ignores if s == dropped[1]), "ignore")
            place = layer.place(key, dropped[1])
            state = Verdict(code, "ignored", place, key, dropped[1])
        elif picked is not None:
            key = "select" if picked[1] in as_strings(select) else "extend-select"
            state = Verdict(code, "selected", layer.place(key, picked[1]), key, picked[1])
        elif select is not None:
            state = Verdict(code, "unselected", layer.place("select"), "select")
        if select is not None and not as_list(select) and not chosen and ignores:
            carried = [s for _, s in ignores]
    return state


@dataclass(frozen=True)
class FileIgnore:
    """A per-file-ignores entry that switches ``code`` off for some files."""

    place: Place
    key: str
    pattern: str
    selector: str
    files: tuple[str, ...]


def _pattern_matches(pattern: str, name: str) -> bool:
    negated = pattern.startswith("!")
    glob = pattern[1:] if negated else pattern
    globs = [glob, glob[3:]] if glob.startswith("**/") else [glob]
    base = name.rsplit("/", 1)[-1]
    hit = any(fnmatchcase(name, g) or ("/" not in g and fnmatchcase(base, g)) for g in globs)
    return hit != negated


def file_ignores(config: RuffConfig, code: str, python_files: list[str]) -> list[FileIgnore]:
    """Every per-file-ignores entry that switches ``code`` off, with the files it covers."""
    entries: list[tuple[Layer, str]] = []
    nearest = next((ly for ly in reversed(config.layers) if ly.get("per-file-ignores")), None)
    if nearest is not None:
        entries.append((nearest, "per-file-ignores"))
    entries += [(ly, "extend-per-file-ignores") for ly in config.layers]
    found: list[FileIgnore] = []
    for layer, key in entries:
        table = layer.get(key)
        if not isinstance(table, dict):
            continue
        for pattern, codes in dig({"t": table}, "t").items():
            strongest = _strongest(as_strings(codes), code)
            if strongest is None:
                continue
            files = tuple(name for name in python_files if _pattern_matches(pattern, name))
            lines = list(layer.lines)
            where = layer.keys[key][1]
            line = key_line(lines, f"{where}.{key}" if where else key, pattern, strongest[1])
            place = Place(layer.file, line)
            found.append(FileIgnore(place, key, pattern, strongest[1], files))
    return found
