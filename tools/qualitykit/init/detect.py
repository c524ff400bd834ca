"""What an existing repository already is: its layout, test runner, tool configs, CI and files.

Read-only and fast (stdlib parsers only, no subprocess): ``qualitykit init`` decides from these
facts what to write, and prints them so the user sees what was recognised. A file that exists
but does not parse is a :class:`~qualitykit.errors.QualityKitError` naming it and its line.
"""

from __future__ import annotations

import configparser
import json
import tomllib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from qualitykit.errors import QualityKitError

if TYPE_CHECKING:
    from pathlib import Path

MAKEFILES = ("GNUmakefile", "makefile", "Makefile")
PRE_COMMIT = ".pre-commit-config.yaml"
# Top-level directories that are never the project's own code.
_NOT_SOURCE = frozenset(
    {"tests", "test", "testing", "docs", "doc", "examples", "example", "benchmarks", "scripts",
     "tools", "build", "dist", "site", "htmlcov", "node_modules", "typings", "ci_tools",
     "requirements", "changelog.d"}
)  # fmt: skip
_NOT_SOURCE_FILES = frozenset({"setup.py", "conftest.py", "noxfile.py", "fabfile.py"})
_TEST_EXTRAS = ("test", "tests", "testing", "dev")
_OTHER_CI = (".gitlab-ci.yml", "azure-pipelines.yml", "appveyor.yml", ".travis.yml", "tox.ini")


@dataclass(frozen=True)
class ProjectFacts:
    """What ``init`` found in a repository (paths relative to its root, ``/``-separated)."""

    layout: str  # "src", "flat" or "modules"
    source: tuple[str, ...]
    tests: tuple[str, ...]
    pytest_config: str | None
    tool_configs: dict[str, str] = field(default_factory=dict[str, str])
    python_requires: str | None = None
    python_version_file: str | None = None
    workflows: tuple[str, ...] = ()
    other_ci: tuple[str, ...] = ()
    makefile: str | None = None
    pre_commit: bool = False
    formats_code: bool = False
    test_requirements: tuple[str, ...] = ()
    test_extras: tuple[str, ...] = ()
    uses_uv: bool = False

    def describe(self) -> list[str]:
        """One line per fact, as ``init`` prints them."""
        configs = ", ".join(
            f"{tool} ({where})" for tool, where in sorted(self.tool_configs.items())
        )
        tests = ", ".join(self.tests) or "none found"
        pytest_config = self.pytest_config or "none (pytest defaults)"
        version_file = f", {self.python_version_file}" if self.python_version_file else ""
        ci = ", ".join(self.workflows + self.other_ci) or "none"
        pre_commit = "yes" if self.pre_commit else "no"
        return [
            f"layout: {self.layout}; source: {', '.join(self.source)}",
            f"tests: {tests}; pytest config: {pytest_config}",
            f"tool configs: {configs or 'none'}",
            f"python: requires {self.python_requires or '(unsaid)'}{version_file}",
            f"CI: {ci}; Makefile: {self.makefile or 'none'}; pre-commit: {pre_commit}",
        ]


def load_toml(path: Path) -> dict[str, Any]:
    """A TOML file's table; a malformed one is an error naming the file and the line."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise QualityKitError(f"{path}: invalid TOML: {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise QualityKitError(f"{path}: cannot read: {error}") from None


def _ini(path: Path) -> configparser.ConfigParser | None:
    if not path.is_file():
        return None
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    except configparser.Error as error:
        line = getattr(error, "lineno", None)
        where = f"{path}:{line}" if line else str(path)
        first = error.message.splitlines()[0] if error.message else type(error).__name__
        raise QualityKitError(f"{where}: invalid INI: {first}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise QualityKitError(f"{path}: cannot read: {error}") from None
    return parser


def table(value: object) -> dict[str, object]:
    """A TOML table read from untyped data (``{}`` when it is anything else)."""
    return cast("dict[str, object]", value) if isinstance(value, dict) else {}


def _tool(pyproject: dict[str, Any], name: str) -> bool:
    tool = pyproject.get("tool")
    return isinstance(tool, dict) and name in tool


def _tool_configs(root: Path, pyproject: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    setup_cfg = _ini(root / "setup.cfg")
    tox_ini = _ini(root / "tox.ini")
    for tool, files, section in (
        ("ruff", ("ruff.toml", ".ruff.toml"), None),
        ("mypy", ("mypy.ini", ".mypy.ini"), "mypy"),
        ("pyright", ("pyrightconfig.json",), None),
        ("coverage", (".coveragerc",), "coverage:run"),
        ("black", (), None),
        ("flake8", (".flake8",), "flake8"),
    ):
        where = next((name for name in files if (root / name).is_file()), None)
        if where is None and _tool(pyproject, tool):
            where = "pyproject.toml"
        for name, ini in (("setup.cfg", setup_cfg), ("tox.ini", tox_ini)):
            if where is None and section and ini is not None and ini.has_section(section):
                where = name
        if where is not None:
            found[tool] = where
    if "pyright" in found and found["pyright"] == "pyrightconfig.json":
        try:
            json.loads((root / "pyrightconfig.json").read_text(encoding="utf-8"))
        except (ValueError, OSError) as error:
            raise QualityKitError(f"{root / 'pyrightconfig.json'}: invalid JSON: {error}") from None
    return found


def _pytest_config(root: Path, pyproject: dict[str, Any]) -> str | None:
    # pytest's own order: pytest.ini, pyproject.toml, tox.ini, setup.cfg.
    if (root / "pytest.ini").is_file():
        return "pytest.ini"
    tool = pyproject.get("tool")
    if isinstance(tool, dict) and ("pytest" in tool):
        return "pyproject.toml"
    tox = _ini(root / "tox.ini")
    if tox is not None and tox.has_section("pytest"):
        return "tox.ini"
    setup = _ini(root / "setup.cfg")
    if setup is not None and setup.has_section("tool:pytest"):
        return "setup.cfg"
    return None


def _is_package(path: Path) -> bool:
    return path.is_dir() and (path / "__init__.py").is_file()


def _layout(root: Path) -> tuple[str, tuple[str, ...]]:
    src = root / "src"
    if src.is_dir() and any(_is_package(child) or child.suffix == ".py" for child in src.iterdir()):
        return "src", ("src",)
    packages = sorted(
        child.name
        for child in root.iterdir()
        if _is_package(child) and child.name not in _NOT_SOURCE and not child.name.startswith(".")
    )
    if packages:
        return "flat", tuple(packages)
    modules = sorted(
        child.name
        for child in root.glob("*.py")
        if child.name not in _NOT_SOURCE_FILES and not child.name.startswith("test")
    )
    return "modules", tuple(modules) or (".",)


def _tests(root: Path, source: tuple[str, ...]) -> tuple[str, ...]:
    found = [name for name in ("tests", "test", "testing") if (root / name).is_dir()]
    for package in source:
        base = root / package
        if base.is_dir():
            found += [
                str(path.relative_to(root))
                for path in sorted(base.rglob("tests"))
                if path.is_dir() and "__pycache__" not in path.parts
            ]
    found += sorted(
        path.name
        for path in root.glob("*.py")
        if path.name.startswith("test") or path.name == "conftest.py"
    )
    return tuple(found)


def _test_requirements(root: Path, pyproject: dict[str, Any]) -> tuple[str, ...]:
    """The project's declared test dependencies, where it declares them (for a hint only)."""
    wanted: list[str] = []
    extras = table(table(pyproject.get("project")).get("optional-dependencies"))
    groups = table(pyproject.get("dependency-groups"))
    for declared in (extras, groups):
        for name in _TEST_EXTRAS:
            entries = declared.get(name)
            if isinstance(entries, list):
                items = cast("list[object]", entries)
                wanted += [entry for entry in items if isinstance(entry, str)]
    for path in sorted(root.glob("*requirements*.txt")):
        if any(word in path.name for word in ("dev", "test")):
            wanted.append(f"-r {path.name}")
    return tuple(dict.fromkeys(wanted))


def _test_extras(pyproject: dict[str, Any]) -> tuple[str, ...]:
    extras = table(table(pyproject.get("project")).get("optional-dependencies"))
    return tuple(name for name in _TEST_EXTRAS if name in extras)


def detect(root: Path) -> ProjectFacts:
    """The facts of the repository at ``root``."""
    pyproject_path = root / "pyproject.toml"
    pyproject = load_toml(pyproject_path) if pyproject_path.is_file() else {}
    layout, source = _layout(root)
    requires = table(pyproject.get("project")).get("requires-python")
    workflows_dir = root / ".github" / "workflows"
    workflows = (
        tuple(sorted(str(path.relative_to(root)) for path in workflows_dir.glob("*.y*ml")))
        if workflows_dir.is_dir()
        else ()
    )
    configs = _tool_configs(root, pyproject)
    ruff = table(table(pyproject.get("tool")).get("ruff"))
    formats = "black" in configs or "format" in ruff
    pre_commit = (root / PRE_COMMIT).is_file()
    if pre_commit:
        text = (root / PRE_COMMIT).read_text(encoding="utf-8", errors="replace")
        formats = formats or "ruff-format" in text or "id: black" in text
    return ProjectFacts(
        layout=layout,
        source=source,
        tests=_tests(root, source),
        pytest_config=_pytest_config(root, pyproject),
        tool_configs=configs,
        python_requires=requires if isinstance(requires, str) else None,
        python_version_file=".python-version" if (root / ".python-version").is_file() else None,
        workflows=workflows,
        other_ci=tuple(name for name in _OTHER_CI if (root / name).is_file()),
        makefile=next((name for name in MAKEFILES if (root / name).is_file()), None),
        pre_commit=pre_commit,
        formats_code=formats,
        test_requirements=_test_requirements(root, pyproject),
        test_extras=_test_extras(pyproject),
        uses_uv=(root / "uv.lock").is_file(),
    )
