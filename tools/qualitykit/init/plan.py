"""Every file ``init`` would write for a repository, computed before anything is written.

Each writer keeps what is there: an existing file named here is merged (pyproject.toml, the
Makefile, the pre-commit config, .gitignore: lines appended, none changed) or left as it is
(workflows, READMEs, guideline templates that exist). So a second ``init`` plans no change.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from qualitykit.errors import QualityKitError
from qualitykit.init import makefile, precommit, pyproject
from qualitykit.init.changes import FileChange
from qualitykit.init.detect import ProjectFacts, detect

if TYPE_CHECKING:
    from pathlib import Path

_MINORS = ("3.11", "3.12", "3.13", "3.14")
_DEFAULT_PYTHON = "3.12"
_GITIGNORE_LINES = (".qualitykit/",)
# Tool configs init writes when the project has none: mbake's default strips the final newline
# that every editor (and POSIX) puts at the end of a Makefile.
_BAKE = """\
# mbake (the Makefile formatter of the gate's makefile step; written by `qualitykit init`).
[formatter]
ensure_final_newline = true
"""
_TEMPLATE_FILES = {
    ".github/workflows/quality.yml": "quality.yml",
    ".github/workflows/mutation.yml": "mutation.yml",
    "tests/regression/README.md": "regression-README.md",
    ".dev-guidelines/QUALITY.md": "QUALITY.md",
    ".dev-guidelines/TESTING.md": "TESTING.md",
}


def read_existing(root: Path, name: str) -> str | None:
    """A file's text as it is (line endings kept), ``None`` when it does not exist."""
    path = root / name
    if not path.exists():
        return None
    if path.is_dir():
        raise QualityKitError(f"{path}: is a directory, not a file")
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return handle.read()
    except UnicodeDecodeError as error:
        raise QualityKitError(
            f"{path}: not UTF-8 text ({error.reason} at byte {error.start})"
        ) from None
    except OSError as error:
        raise QualityKitError(f"{path}: cannot read: {error.strerror or error}") from None


def template(name: str) -> str:
    """One of ``init``'s templates (shipped in the package)."""
    return (
        resources.files("qualitykit.init").joinpath("templates", name).read_text(encoding="utf-8")
    )


def python_version(root: Path, facts: ProjectFacts) -> str:
    """The Python the workflows use: .python-version, else the oldest 3.11+ allowed."""
    if facts.python_version_file:
        first = (read_existing(root, facts.python_version_file) or "").strip().splitlines()
        if first and first[0].strip():
            return first[0].strip()
    if facts.python_requires:
        try:
            allowed = SpecifierSet(facts.python_requires)
        except InvalidSpecifier:
            return _DEFAULT_PYTHON
        return next((minor for minor in _MINORS if allowed.contains(f"{minor}.0")), _DEFAULT_PYTHON)
    return _DEFAULT_PYTHON


def install_lines(facts: ProjectFacts) -> str:
    """The workflow's install commands (a ``run: |`` block at its indentation)."""
    if facts.uses_uv:
        commands = [
            "uv sync --locked --all-extras",
            "uv pip install --python .venv/bin/python qualitykit",
        ]
    else:
        extras = ",".join(facts.test_extras)
        project = f'-e ".[{extras}]"' if extras else "-e ."
        requirements = " ".join(
            entry for entry in facts.test_requirements if entry.startswith("-r ")
        )
        words = " ".join(filter(None, [project, requirements, "qualitykit"]))
        commands = ["uv venv .venv", f"uv pip install --python .venv/bin/python {words}"]
    return "\n".join(f"          {command}" for command in commands)


def _gitignore(before: str | None) -> str:
    text = before or ""
    present = {line.strip().lstrip("/") for line in text.splitlines()}
    missing = [
        line for line in _GITIGNORE_LINES if line not in present and line.rstrip("/") not in present
    ]
    if not missing:
        return text
    ending = "" if text.endswith("\n") or not text else "\n"
    return (
        text
        + ending
        + "# qualitykit's generated state (written by `qualitykit init`)\n"
        + "\n".join(missing)
        + "\n"
    )


def plan(root: Path, *, strict: bool) -> tuple[ProjectFacts, list[FileChange]]:
    """The repository's facts and every file change ``init`` makes (unchanged ones included)."""
    facts = detect(root)
    changes: list[FileChange] = []
    before = read_existing(root, "pyproject.toml")
    after = pyproject.merge(before, facts, strict=strict)
    changes.append(FileChange("pyproject.toml", before, after, "[tool.qualitykit]"))
    if facts.makefile is not None:
        makefile.check_parses(root, facts.makefile)
    name = facts.makefile or "Makefile"
    before = read_existing(root, name)
    name, after = makefile.merge(facts.makefile, before)
    changes.append(FileChange(name, before, after, "make quality"))
    if read_existing(root, makefile.INCLUDED) is None:
        changes.append(
            FileChange(makefile.INCLUDED, None, makefile.QUALITYKIT_MK, "qualitykit's make targets")
        )
    if read_existing(root, ".bake.toml") is None:
        changes.append(FileChange(".bake.toml", None, _BAKE, "mbake's settings"))
    before = read_existing(root, precommit.NAME)
    changes.append(FileChange(precommit.NAME, before, precommit.merge(before), "pre-commit hooks"))
    before = read_existing(root, ".gitignore")
    changes.append(FileChange(".gitignore", before, _gitignore(before), "generated state ignored"))
    python = python_version(root, facts)
    install = install_lines(facts)
    for target, source in _TEMPLATE_FILES.items():
        if read_existing(root, target) is None:
            text = template(source).replace("@PYTHON@", python).replace("@INSTALL@", install)
            changes.append(FileChange(target, None, text, "template"))
    return facts, changes
