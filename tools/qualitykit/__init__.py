"""qualitykit: repository-quality automation for Python projects.

The Python API runs the same steps as the gate and returns the same typed models::

    from qualitykit import ruff_check, typecheck, pytest_run

    result = ruff_check("path/to/project")
    if not result.ok:
        for finding in result.findings:
            print(finding.file, finding.line, finding.message)
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Sequence

    from qualitykit.results import Counts, Finding, GateResult, Severity, Status, StepResult

# The result models load on first use: `qualitykit gate`'s no-op path must not import pydantic.
_MODELS = frozenset({"Counts", "Finding", "GateResult", "Severity", "Status", "StepResult"})


def __getattr__(name: str) -> object:
    """The result models, imported when first asked for."""
    if name in _MODELS:
        from qualitykit import results  # noqa: PLC0415

        return getattr(results, name)
    raise AttributeError(f"module 'qualitykit' has no attribute {name!r}")


__all__ = [
    "Counts",
    "Finding",
    "GateResult",
    "Severity",
    "Status",
    "StepResult",
    "pytest_run",
    "ruff_check",
    "ruff_format_check",
    "run_gate",
    "run_step",
    "typecheck",
]


def run_gate(
    root: str | Path = ".", *, steps: Sequence[str] | None = None, use_cache: bool = True
) -> GateResult:
    """Run the gate's steps (or ``steps``) in parallel, as ``qualitykit gate`` does."""
    from qualitykit.runner import run_steps  # noqa: PLC0415 - keep `import qualitykit` light
    from qualitykit.steps import resolve  # noqa: PLC0415
    from qualitykit.workspace import Workspace  # noqa: PLC0415

    workspace = Workspace.load(Path(root))
    names = tuple(steps) if steps is not None else workspace.config.gate_steps
    return run_steps(workspace, resolve(workspace.config, names), use_cache=use_cache)


def run_step(name: str, root: str | Path = ".", *, use_cache: bool = False) -> StepResult:
    """Run one step (built-in or configured command) and return its result."""
    return run_gate(root, steps=(name,), use_cache=use_cache).step(name)


def ruff_check(root: str | Path = ".", *, use_cache: bool = False) -> StepResult:
    """``ruff check --no-fix`` on the project: lint findings, nothing rewritten."""
    return run_step("ruff-lint", root, use_cache=use_cache)


def ruff_format_check(root: str | Path = ".", *, use_cache: bool = False) -> StepResult:
    """``ruff format --check`` on the project: files that would be reformatted."""
    return run_step("ruff-format", root, use_cache=use_cache)


def typecheck(
    root: str | Path = ".",
    *,
    checker: Literal["mypy", "pyright"] = "mypy",
    use_cache: bool = False,
) -> StepResult:
    """Strict type checking of the project's source with ``checker``."""
    return run_step(checker, root, use_cache=use_cache)


def pytest_run(
    root: str | Path = ".", paths: Sequence[str] = ("tests",), *, name: str = "pytest"
) -> StepResult:
    """Run pytest on ``paths`` and judge it by its JUnit report (0 tests is an error)."""
    from qualitykit.runner import run_steps  # noqa: PLC0415
    from qualitykit.steps.pytest import PytestSuite  # noqa: PLC0415
    from qualitykit.workspace import Workspace  # noqa: PLC0415

    workspace = Workspace.load(Path(root))
    suite = PytestSuite(name, f"pytest {' '.join(paths)}", tuple(paths))
    return run_steps(workspace, [suite], use_cache=False).steps[0]
