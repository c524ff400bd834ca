"""Mocks in tests, per directory: banned, allowed only at configured boundaries, or autospecced.

```toml
[tool.qualitykit.policy.rules.QK-MOCK-001]
dirs = { "tests/**" = "ban", "tests/integration/**" = "boundary" }
boundary = ["requests.get", "time.time"]
allow = [
  { path = "tests/legacy/test_old.py", reason = "rewritten in TV-123", expires = 2027-01-31 },
]
```

The most specific matching pattern (most literal characters) decides a file's mode. Nothing
is checked until ``dirs`` names a directory.
"""

from __future__ import annotations

import datetime as dt
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Annotated, Literal, cast

import msgspec
from typing_extensions import override

from qualitykit.config_table import PYPROJECT
from qualitykit.policy.mockuses import MockUse, mock_uses
from qualitykit.policy.pathglobs import matches, most_specific
from qualitykit.policy.pynames import module_names
from qualitykit.policy.rule import Hit, Rule, RuleOptions
from qualitykit.policy.tomllines import toml_line

if TYPE_CHECKING:
    from collections.abc import Iterator

    from qualitykit.policy.project import PolicyProject

Mode = Literal["ban", "boundary", "autospec", "off"]
RULE_ID = "QK-MOCK-001"
_TEST_DIRS = frozenset({"tests", "test", "testing", "docs", "benchmarks", "examples"})


class MockAllow(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One allowlist entry: files (glob), optionally what is used there, why, until when."""

    path: Annotated[str, msgspec.Meta(min_length=1)]
    # A library or fixture (`monkeypatch`, `unittest.mock`) or a patch target; glob allowed.
    what: str | None = None
    reason: str
    expires: dt.date

    def __post_init__(self) -> None:
        """A reason says something (not blank, not punctuation)."""
        if not any(char.isalnum() for char in self.reason):
            msg = "say why this use is allowed"
            raise ValueError(msg)

    def covers(self, file: str, use: MockUse) -> bool:
        """Whether this entry allows ``use`` in ``file``."""
        wanted = self.what is None or fnmatchcase(use.what, self.what)
        return wanted and matches(self.path, file)


class MockOptions(RuleOptions, frozen=True):
    """``[tool.qualitykit.policy.rules.QK-MOCK-001]``."""

    dirs: dict[str, Mode] = msgspec.field(default_factory=dict[str, Mode])
    # Patch targets `boundary` mode allows (a module allows its names: "requests").
    boundary: tuple[str, ...] = ()
    # The project's own top-level packages (found from the layout when not given).
    packages: tuple[str, ...] | None = None
    allow: tuple[MockAllow, ...] = ()


def today() -> dt.date:
    """The date expiry is judged against (UTC, so every machine agrees)."""
    return dt.datetime.now(dt.UTC).date()


def own_packages(project: PolicyProject) -> frozenset[str]:
    """Top-level packages the project ships: package directories and the distribution name."""
    files = set(project.files)
    found: set[str] = set()
    for name in files:
        if not name.endswith("/__init__.py"):
            continue
        directory = name.rsplit("/", 1)[0]
        parent, _, package = directory.rpartition("/")
        parts = directory.split("/")
        if f"{parent}/__init__.py" in files or _TEST_DIRS & set(parts):
            continue
        found.add(package)
    distribution = str(project.table("project").get("name", "")).replace("-", "_").lower()
    modules = {n.rsplit("/", 1)[-1].removesuffix(".py") for n in files if n.endswith(".py")}
    if distribution in modules:
        # A single-module distribution (`src/foo.py`).
        found.add(distribution)
    return frozenset(found)


def _in_boundary(target: str, boundary: tuple[str, ...]) -> bool:
    # `requests.get` allows itself, names below it, and the patch-where-used idiom
    # (`pkg.client.requests.get`).
    return any(
        target == b or target.startswith(b + ".") or target.endswith("." + b) for b in boundary
    )


def _problem(use: MockUse, mode: Mode, options: MockOptions, own: frozenset[str]) -> str | None:
    if mode == "ban":
        banned = use.kind in {"import", "fixture", "reference"}
        return f"`{use.text}`: {use.what} is banned here" if banned else None
    if mode == "boundary":
        if use.kind != "patch" or _in_boundary(use.what, options.boundary):
            return None
        allowed = ", ".join(options.boundary) or "none configured"
        return f"`{use.text}` patches `{use.what}`, not a boundary ({allowed})"
    return _unspecced(use, own)


def _unspecced(use: MockUse, own: frozenset[str]) -> str | None:
    if use.kind == "mock" and not use.specced:
        return f"`{use.text}` builds a {use.what} without spec or spec_set"
    if use.kind != "patch":
        return None
    if use.string_target and use.what.split(".", 1)[0] in own:
        return (
            f"`{use.text}`: string target `{use.what}` into the project's own package "
            "(renames and type checkers do not see it)"
        )
    if not use.specced and not use.monkeypatch:
        return f"`{use.text}` patches `{use.what}` without autospec=True or spec_set"
    return None


def _expired(project: PolicyProject, options: MockOptions) -> Iterator[Hit]:
    lines = project.lines(PYPROJECT)
    key = toml_line(lines, f"tool.qualitykit.policy.rules.{RULE_ID}", "allow")
    for entry in options.allow:
        if entry.expires >= today():
            continue
        # The entry's own line: `path = "…"` below the `allow` key (inline tables or [[…]]).
        quoted = (f'"{entry.path}"', f"'{entry.path}'")
        line = next(
            (
                number
                for number in range(key, len(lines) + 1)
                if "path" in lines[number - 1] and any(q in lines[number - 1] for q in quoted)
            ),
            key,
        )
        message = (
            f"mock allowlist entry for {entry.path!r} expired on {entry.expires.isoformat()} "
            f"({entry.reason.strip()})"
        )
        fix = "remove the mocks it allowed and the entry, or renew it with a new date and reason"
        yield Hit(PYPROJECT, line, message, fix)


_FIXES: dict[Mode, str] = {
    "ban": (
        "test through the real interface (a tmp_path repository, a subprocess with env=), "
        "or add an allowlist entry with a reason and an expiry date"
    ),
    "boundary": "patch only a configured boundary, or add it to `boundary` if it is one",
    "autospec": (
        "pass autospec=True (or spec_set); patch the project's code with "
        "patch.object(module, 'name', autospec=True), not a string"
    ),
    "off": "",
}


class Mocks(Rule):
    """Mocks per directory: `ban`, `boundary` (configured targets only) or `autospec`."""

    id = RULE_ID
    family = "mocks"
    title = "mocks in tests"
    fix = "see the directory's mode in [tool.qualitykit.policy.rules.QK-MOCK-001]"
    options = MockOptions

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        settings = cast("MockOptions", options)
        yield from _expired(project, settings)
        if not settings.dirs:
            return
        patterns = list(settings.dirs)
        packages = settings.packages
        own = frozenset(packages) if packages is not None else own_packages(project)
        live = [entry for entry in settings.allow if entry.expires >= today()]
        for name in project.checked:
            pattern = most_specific(patterns, name) if name.endswith(".py") else None
            mode = settings.dirs[pattern] if pattern is not None else "off"
            text = project.text(name) or ""
            lowered = text.lower()
            if mode == "off" or ("mock" not in lowered and "patch" not in lowered):
                continue
            names = module_names(project, name)
            for use in mock_uses(names) if names is not None else []:
                problem = _problem(use, mode, settings, own)
                if problem is None or any(entry.covers(name, use) for entry in live):
                    continue
                message = f'{problem} (`{pattern}` = "{mode}")'
                yield Hit(name, use.line, message, _FIXES[mode])


RULES: tuple[Rule, ...] = (Mocks(),)
