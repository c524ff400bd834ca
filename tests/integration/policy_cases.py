"""The gate-integrity cases: for each rule, a violation, the same without it, and where it is.

Each :class:`Case` is a set of files written into a fresh git repository. ``red`` breaks
exactly the rule (every other rule stays quiet); ``green`` is the fixed version; ``marker``
names the text of the offending line (None: the file's first line, or the line below a
shebang). A :class:`BaseCase` also has the files committed on ``main`` before the change.
"""

from __future__ import annotations

import subprocess
import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qualitykit.policy.config import PolicyConfig
from qualitykit.policy.engine import run_policy
from qualitykit.policy.project import PolicyProject

if TYPE_CHECKING:
    from pathlib import Path

    from qualitykit.policy.findings import PolicyReport

MAKE_HEAD = "SHELL := bash\n.SHELLFLAGS := -eu -o pipefail -c\n\n.PHONY: check\n\ncheck:\n"
BASH = "#!/usr/bin/env bash\nset -euo pipefail\n"
CI_SCRIPT = ".ci/check.sh"
WORKFLOW = ".github/workflows/ci.yml"
PRE_COMMIT = ".pre-commit-config.yaml"


def make(*recipe: str, head: str = MAKE_HEAD) -> dict[str, str]:
    """A Makefile whose ``check`` target runs ``recipe``."""
    return {"Makefile": head + "".join(f"\t{line}\n" for line in recipe)}


def script(*lines: str, head: str = BASH) -> dict[str, str]:
    """A CI shell script (under .ci/, so the gate runs it)."""
    return {CI_SCRIPT: head + "".join(f"{line}\n" for line in lines)}


def workflow(*run: str, step: str = "", job: str = "") -> dict[str, str]:
    """A workflow with one job and one step running ``run`` (one line each)."""
    body = "".join(f"          {line}\n" for line in run)
    text = (
        "name: ci\non: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n"
        f"{job}    steps:\n      - name: Test\n{step}        run: |\n{body}"
    )
    return {WORKFLOW: text}


def pre_commit(hook_extra: str = "", top: str = "") -> dict[str, str]:
    """A pre-commit config with one local hook."""
    text = (
        f"{top}repos:\n  - repo: local\n    hooks:\n      - id: lint\n        name: lint\n"
        f"        entry: ruff check\n        language: system\n{hook_extra}"
    )
    return {PRE_COMMIT: text}


def pyproject(extra: str) -> dict[str, str]:
    """A pyproject.toml with ``extra`` tables."""
    return {"pyproject.toml": '[project]\nname = "x"\nversion = "0"\n\n' + textwrap.dedent(extra)}


@dataclass(frozen=True)
class Case:
    """One rule's violation (``red``) and its fix (``green``)."""

    rule: str
    red: dict[str, str]
    green: dict[str, str]
    file: str
    marker: str | None
    allowable: bool = True
    name: str = ""

    @property
    def id(self) -> str:
        """The pytest id."""
        return self.name or self.rule


@dataclass(frozen=True)
class BaseCase:
    """A change on a branch (``red``) from ``base``, and a change that keeps the gate's teeth."""

    rule: str
    base: dict[str, str]
    red: dict[str, str]
    green: dict[str, str]
    file: str
    marker: str | None
    name: str = ""
    says: tuple[str, ...] = field(default_factory=tuple[str, ...])
    # False for a file that cannot hold a comment (JSON): no inline allow to test.
    allowable: bool = True

    @property
    def id(self) -> str:
        """The pytest id."""
        return self.name or self.rule


def scan(root: Path, config: PolicyConfig | None = None) -> PolicyReport:
    """The policy ``config`` (every default rule when None) over the repository at ``root``."""
    return run_policy(PolicyProject.load(root), config or PolicyConfig())


def where(report: PolicyReport) -> set[tuple[str, str, int]]:
    """(rule, file, line) of each finding: what a test asserts on, one helper for every family."""
    return {(finding.rule, finding.file, finding.line) for finding in report.findings}


def line_of(text: str, marker: str | None) -> int:
    """The 1-based line holding ``marker`` (the file-level line when None)."""
    lines = text.splitlines()
    if marker is None:
        return 2 if lines and lines[0].startswith("#!") else 1
    return next(number for number, line in enumerate(lines, 1) if marker in line)


def with_allow(text: str, line: int, rule: str) -> str:
    """``text`` with a reasoned allow for ``rule`` on a comment line above ``line``."""
    lines = text.splitlines(keepends=True)
    target = lines[line - 1] if line <= len(lines) else ""
    indent = target[: len(target) - len(target.lstrip())]
    allow = f"{indent}# qualitykit: allow[{rule}] the test says why this one is fine\n"
    return "".join([*lines[: line - 1], allow, *lines[line - 1 :]])


def write_repo(root: Path, files: dict[str, str]) -> None:
    """A git repository at ``root`` holding ``files`` (untracked: the policy reads them too)."""
    root.mkdir(parents=True, exist_ok=True)
    if not (root / ".git").exists():
        git(root, "init", "-q", "-b", "main")
        git(root, "config", "user.email", "test@example.invalid")
        git(root, "config", "user.name", "qualitykit tests")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def git(root: Path, *args: str) -> str:
    """Run git in ``root``; its stdout."""
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout
