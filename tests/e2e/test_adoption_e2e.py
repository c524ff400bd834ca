"""Adoption of real third-party projects: ``qualitykit init --baseline``, then ``make quality``.

For each of the four targets (../shared/targets), as a user with only the built wheel installed
beside the project and its pinned test dependencies, in a venv outside the tree: init with a
baseline makes ``make quality`` green without a line of the project's code changed; a new lint
error, a new type error and a failing test are each red, naming their step; fixing a baselined
finding is red as stale until ``qualitykit baseline --update``, then green again.

The red runs gate only the steps they judge (``qualitykit gate --steps``): the other steps'
verdicts are not what they are about, and rerunning them (pyright and the whole suite, once
more per red run on every edit) was most of this test's time on the larger targets.
"""

from __future__ import annotations

import json
import shutil
import sys
from typing import TYPE_CHECKING, Any

import pytest

from e2e.conftest import uv_binary
from e2e.fixture_repo import Run, run, user_environment
from e2e.targets import fetch, manifest
from qualitykit.results import GateResult, Severity

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.slow

TARGETS = ("python-slugify", "parse", "toolz", "python-dateutil")
# What init may add or append to; every other tracked file keeps every byte.
APPENDED = {"pyproject.toml", ".gitignore", ".pre-commit-config.yaml"}
BASELINE = "qualitykit-baseline.json"
# Ruff rules whose fix cannot change behaviour and touches only the finding's own line (not
# I001: re-sorting a block rewrites the lines of other baselined findings, which are then new).
SAFE_FIXES = ("F401", "UP004", "UP008", "UP009", "UP010", "UP025", "UP032", "W291")
INJECTED = """import os


def injected_by_the_test() -> int:
    return "not an int"
"""
FAILING_TEST = "\n\ndef test_injected_by_the_adoption_test():\n    assert 1 == 2\n"


class Adopted:
    """A copy of a target with a venv of its own, driven as its user would."""

    def __init__(self, name: str, tmp_path: Path, wheel: Path) -> None:
        self.entry = manifest(name)
        self.env = user_environment(tmp_path / "home", UV_PYTHON_DOWNLOADS="never")
        self.root = tmp_path / name
        shutil.copytree(fetch(name, self.env), self.root, symlinks=True)
        venv = tmp_path / "venv"
        uv = uv_binary()
        self.checked([uv, "venv", "-q", "--python", sys.executable, str(venv)])
        deps = [str(wheel), "-e", str(self.root), *self.entry["test_deps"]]
        self.checked([uv, "pip", "install", "-q", "--python", str(venv / "bin" / "python"), *deps])
        self.env["PATH"] = f"{venv / 'bin'}:{self.env['PATH']}"
        self.env["VIRTUAL_ENV"] = str(venv)

    def run(self, *argv: str) -> Run:
        return run(list(argv), self.root, self.env, 900)

    def checked(self, argv: list[str]) -> Run:
        done = run(argv, self.root.parent, self.env, 900)
        assert done.returncode == 0, done.explain()
        return done

    def git(self, *args: str) -> str:
        done = self.run("git", *args)
        assert done.returncode == 0, done.explain()
        return done.stdout

    def quality(self) -> tuple[Run, dict[str, dict[str, object]]]:
        made = self.run("make", "quality")
        assert made.returncode in {0, 2}, made.explain()  # make: 2 when the recipe failed
        summary = json.loads((self.root / ".qualitykit" / "summary.json").read_text())
        return made, {step["step"]: step for step in summary["steps"]}

    def gate(self, *steps: str) -> tuple[Run, GateResult]:
        """``qualitykit gate --steps STEPS --json``: red (exit 1), with its typed result."""
        done = self.run("qualitykit", "gate", "--steps", ",".join(steps), "--json")
        assert done.returncode == 1, done.explain()
        return done, GateResult.model_validate_json(done.stdout)

    def package(self) -> Path:
        return self.root / self.entry["package"]

    def a_test_file(self) -> Path:
        for entry in self.entry["tests"]:
            path = self.root / entry
            found = [path] if path.is_file() else sorted(path.rglob("test_*.py"))
            if found:
                return found[0]
        raise AssertionError(f"no test file in {self.entry['tests']}")


@pytest.mark.parametrize("name", TARGETS)
def test_adopting_a_real_project(name: str, tmp_path: Path, built_wheel: Path) -> None:
    target = Adopted(name, tmp_path, built_wheel)
    tracked = target.git("ls-files").split()

    init = target.run("qualitykit", "init", "--baseline")

    assert init.returncode == 0, init.explain()
    numstat = [line.split("\t") for line in target.git("diff", "--numstat").splitlines()]
    assert all(deleted == "0" for _, deleted, _ in numstat), numstat
    assert {path for _, _, path in numstat} <= APPENDED, numstat
    assert set(target.git("ls-files").split()) == set(tracked)
    made, steps = target.quality()
    assert made.returncode == 0, made.explain()
    assert all(step["status"] == "pass" for step in steps.values()), steps
    baseline = json.loads((target.root / BASELINE).read_text(encoding="utf-8"))

    # A new lint error, a new type error and a failing test: each red, naming its step, by
    # what was injected (the baseline holds everything else).
    injected = target.package() / "qk_injected.py"
    injected.write_text(INJECTED, encoding="utf-8")
    test_file = target.a_test_file()
    original_test = test_file.read_text(encoding="utf-8")
    test_file.write_text(original_test + FAILING_TEST, encoding="utf-8")
    red, gate = target.gate("ruff-lint", "mypy", "coverage")
    assert gate.failed_steps == ("ruff-lint", "mypy", "coverage"), red.explain()
    where = injected.relative_to(target.root).as_posix()
    ours = {where, test_file.relative_to(target.root).as_posix()}
    for step in ("ruff-lint", "mypy"):
        errors = {f.file for f in gate.step(step).findings if f.severity is Severity.ERROR}
        assert where in errors, red.explain()
        assert errors <= ours, red.explain()  # the baseline still holds every other finding
    assert gate.step("coverage").counts.failures == 1, red.explain()
    injected.unlink()
    test_file.write_text(original_test, encoding="utf-8")

    # Fixing a baselined finding: red as stale until the baseline shrinks, then green.
    if not _fix_one(target, baseline):
        pytest.skip(f"{name}: no baselined ruff finding that ruff fixes safely")
    red, gate = target.gate("ruff-lint")
    assert gate.failed_steps == ("ruff-lint",), red.explain()
    assert {f.code for f in gate.step("ruff-lint").findings} == {"baseline-stale"}, red.explain()
    update = target.run("qualitykit", "baseline", "--update")
    assert update.returncode == 0, update.explain()
    made, steps = target.quality()
    assert made.returncode == 0, made.explain()


def _fix_one(target: Adopted, baseline: dict[str, Any]) -> bool:
    """Let ruff fix one baselined ruff-lint finding safely; whether a file changed."""
    for entry in baseline["steps"].get("ruff-lint", []):
        code = str(entry["rule"]).rsplit(":", 1)[-1]
        path = target.root / str(entry["file"])
        if code not in SAFE_FIXES or not path.is_file():
            continue
        before = path.read_bytes()
        fixed = target.run("ruff", "check", "--fix", "--select", code, str(entry["file"]))
        assert fixed.returncode in {0, 1}, fixed.explain()
        if path.read_bytes() != before:
            return True
    return False
