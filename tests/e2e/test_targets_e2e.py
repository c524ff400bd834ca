"""The gate on real third-party projects (../shared/targets), run on copies of them.

The targets are fetched once into a cache outside this repository (``fetch`` skips a target
already there at its version). Every test gates a *copy*: the fetched repository is never
touched, and the copy's git tree must be exactly as clean after the gate as before it, apart
from ``.qualitykit/`` (the targets' .git/info/exclude does not list it).
"""

from __future__ import annotations

import fcntl
import importlib.util
import os
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from e2e.fixture_repo import VENV_PYTHON, Run, run, user_environment
from qualitykit.results import GateResult, Severity, Status, StepResult

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]
FETCH = REPO_ROOT.parent / "shared" / "targets" / "fetch"
TARGETS_CACHE = Path(os.environ.get("QUALITYKIT_TARGETS", "/tmp/qualitykit-targets"))  # noqa: S108
FETCH_FAILED = 1  # fetch's exit code for a download, hash or git failure (2: bad usage)
STATE_ENTRY = "?? .qualitykit/"


def fetch(name: str, env: dict[str, str]) -> Path:
    """The fetched target ``name`` (downloaded on first use, then reused from the cache)."""
    if not FETCH.is_file():
        pytest.skip(f"no targets here: {FETCH} is missing")
    TARGETS_CACHE.mkdir(parents=True, exist_ok=True)
    # One fetch at a time (pytest-xdist workers share the cache): fetch replaces a target it
    # finds half-made, which would pull the tree from under a concurrent copy.
    with (TARGETS_CACHE / ".e2e-fetch.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        fetched = run(
            [sys.executable, str(FETCH), name, "--dest", str(TARGETS_CACHE)],
            TARGETS_CACHE,
            env,
            600,
        )
    if fetched.returncode == FETCH_FAILED:
        pytest.skip(f"cannot fetch {name} (offline?): {fetched.stderr.strip()[-300:]}")
    assert fetched.returncode == 0, fetched.explain()
    path = TARGETS_CACHE / name
    assert fetched.stdout.split()[-1] == str(path), fetched.explain()
    return path


class TargetCopy:
    """A copy of a fetched target, with its ``[tool.qualitykit]`` table committed."""

    def __init__(self, source: Path, root: Path, env: dict[str, str]) -> None:
        self.source = source
        self.root = root
        self.env = env
        shutil.copytree(source, root, symlinks=True)

    def git(self, *args: str, where: Path | None = None) -> str:
        result = run(["git", *args], where or self.root, self.env)
        assert result.returncode == 0, result.explain()
        return result.stdout

    def configure(self, table: str) -> None:
        pyproject = self.root / "pyproject.toml"
        text = pyproject.read_text(encoding="utf-8")
        assert "[tool.qualitykit" not in text, "the target already configures qualitykit"
        pyproject.write_text(f"{text.rstrip()}\n\n[tool.qualitykit]\n{table}", encoding="utf-8")
        self.git("commit", "-q", "-m", "configure qualitykit", "pyproject.toml")
        assert self.git("status", "--porcelain") == "", "the copy must start clean"

    def gate(self) -> tuple[Run, GateResult]:
        """``qualitykit gate --root COPY --json``, run from outside the copy."""
        result = run(
            [VENV_PYTHON, "-m", "qualitykit", "gate", "--root", str(self.root), "--json"],
            self.root.parent,
            self.env,
            600,
        )
        assert result.returncode in {0, 1}, result.explain()
        return result, GateResult.model_validate_json(result.stdout)

    def changes(self) -> list[str]:
        """``git status --porcelain`` of the copy, minus the gate's own state directory."""
        lines = self.git("status", "--porcelain", "--untracked-files=normal").splitlines()
        return [line for line in lines if line != STATE_ENTRY]

    def count(self, *patterns: str) -> int:
        """How many tracked files match any of the git pathspec ``patterns``."""
        return len(self.git("ls-files", "--", *patterns).splitlines())

    def python_files(self, under: str = "") -> int:
        """How many tracked Python files (.py, .pyi) there are at or below ``under``."""
        return self.count(f"{under}*.py", f"{under}*.pyi")


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Callable[[str], TargetCopy]]:
    """Make a copy of a fetched target in tmp_path; after the test the original is unchanged."""
    env = user_environment(tmp_path / "home")
    made: list[tuple[TargetCopy, str]] = []

    def make(name: str) -> TargetCopy:
        source = fetch(name, env)
        head = run(["git", "rev-parse", "HEAD"], source, env).stdout
        copy = TargetCopy(source, tmp_path / name, env)
        made.append((copy, head))
        return copy

    yield make
    for copy, head in made:
        assert copy.git("rev-parse", "HEAD", where=copy.source) == head
        assert copy.git("status", "--porcelain", where=copy.source) == ""
        assert not (copy.source / ".qualitykit").exists()


def assert_real(result: StepResult, root: Path, files: int) -> None:
    """A tool that ran and judged: pass or fail (never error), counts that add up, real places."""
    assert result.status in {Status.PASS, Status.FAIL}, result
    assert result.exit_code is not None, result
    assert result.counts.files == files, result.counts
    errors = [finding for finding in result.findings if finding.severity is Severity.ERROR]
    assert result.counts.findings == len(errors), result
    assert (result.status is Status.FAIL) == bool(errors), result
    for finding in result.findings:
        assert finding.file is not None, finding
        assert (root / finding.file).is_file(), finding
        assert finding.line is None or finding.line > 0, finding


def test_static_steps_on_python_slugify(target: Callable[[str], TargetCopy]) -> None:
    slugify = target("python-slugify")
    slugify.configure(
        'source = ["slugify"]\ngate = ["ruff-format", "ruff-lint", "mypy", "pyright", "vulture"]\n'
    )

    run_, gate = slugify.gate()

    results = {result.step: result for result in gate.steps}
    assert tuple(results) == ("ruff-format", "ruff-lint", "mypy", "pyright", "vulture")
    everything = slugify.python_files()
    package = slugify.python_files("slugify/")
    assert everything > package > 0
    for step in ("ruff-format", "ruff-lint"):
        assert_real(results[step], slugify.root, files=everything)
    for step in ("mypy", "pyright", "vulture"):
        assert_real(results[step], slugify.root, files=package)
    assert run_.returncode == (0 if gate.ok else 1)
    assert (slugify.root / ".qualitykit" / "summary.json").is_file()
    assert slugify.changes() == []


def test_regression_on_python_slugify(target: Callable[[str], TargetCopy]) -> None:
    if importlib.util.find_spec("text_unidecode") is None:
        pytest.skip(
            "python-slugify's tests need text-unidecode (its test_deps), not installed in this "
            "venv; test_regression_on_toolz covers a real suite"
        )
    slugify = target("python-slugify")
    slugify.configure('gate = ["regression"]\nregression = ["test.py", "test_release.py"]\n')

    run_, gate = slugify.gate()

    (regression,) = gate.steps
    assert regression.status is Status.PASS, run_.explain()
    assert regression.counts.files == 2
    assert (regression.counts.tests or 0) >= 104  # the manifest's count of passing tests
    assert slugify.changes() == []


def test_regression_on_toolz(target: Callable[[str], TargetCopy]) -> None:
    toolz = target("toolz")
    toolz.configure(
        'source = ["toolz"]\ngate = ["regression", "ruff-lint"]\n'
        'regression = ["toolz/tests", "toolz/sandbox/tests"]\n'
    )

    run_, gate = toolz.gate()

    regression, lint = gate.steps
    assert regression.status is Status.PASS, run_.explain()
    counts = regression.counts
    assert counts.files == toolz.count(
        *(
            f"{tests}/{name}"
            for tests in ("toolz/tests", "toolz/sandbox/tests")
            for name in ("test_*.py", "*_test.py", "conftest.py")
        )
    )
    assert (counts.failures, counts.errors) == (0, 0)
    # The manifest: 192 passed, 1 skipped (a Python 3.14-only test).
    assert (counts.tests, counts.skipped) == (193, 1), counts
    assert_real(lint, toolz.root, files=toolz.python_files())
    assert toolz.changes() == []


def assert_coverage_measured(gate: GateResult, package: str, run_: Run) -> None:
    """The coverage step judged a green suite and measured the package's files."""
    (coverage,) = gate.steps
    assert coverage.status is Status.PASS, run_.explain()
    assert (coverage.counts.tests or 0) > 0
    assert coverage.coverage is not None
    assert coverage.coverage.total.percent > 50
    assert coverage.coverage.total.branches > 0
    measured = [name for name in coverage.coverage.files if name.startswith(f"{package}/")]
    assert measured, coverage.coverage.files


def test_coverage_on_python_slugify(target: Callable[[str], TargetCopy]) -> None:
    # A root test.py (no tests/ directory), unittest style.
    slugify = target("python-slugify")
    slugify.configure(
        'gate = ["coverage"]\n[tool.qualitykit.coverage]\ntests = ["test.py"]\nratchet = false\n'
    )  # its own [tool.coverage.run] (source, …) is kept and merged

    run_, gate = slugify.gate()

    assert_coverage_measured(gate, "slugify", run_)
    assert slugify.changes() == []


def test_coverage_on_toolz(target: Callable[[str], TargetCopy]) -> None:
    # Tests inside the package; a second package (tlz) imports it through a hook.
    toolz = target("toolz")
    toolz.configure(
        'source = ["toolz"]\ngate = ["coverage"]\n'
        "[tool.qualitykit.coverage]\n"
        'tests = ["toolz/tests", "toolz/sandbox/tests"]\nratchet = false\n'
    )

    run_, gate = toolz.gate()

    assert_coverage_measured(gate, "toolz", run_)
    assert toolz.changes() == []
