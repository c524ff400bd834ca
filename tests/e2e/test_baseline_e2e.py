"""A baseline on a real target (toolz, ../shared/targets): holding the line without a code change.

Gates a copy of the fetched target, like every test of ``test_targets_e2e``.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import pytest

from e2e.fixture_repo import VENV_PYTHON, Run, run
from e2e.test_targets_e2e import target
from qualitykit.results import Severity, StepResult

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from e2e.test_targets_e2e import TargetCopy

pytestmark = pytest.mark.slow
# The fixture, imported: pytest finds it by name in this module.
__all__ = ["target"]


def _qualitykit(copy: TargetCopy, *args: str) -> Run:
    """``qualitykit ARGS --root COPY``, run from outside the copy."""
    argv = [VENV_PYTHON, "-m", "qualitykit", *args, "--root", str(copy.root)]
    return run(argv, copy.root.parent, copy.env, 600)


STATIC = 'gate = ["ruff-format", "ruff-lint", "mypy", "pyright", "vulture"]\n'


def _comment_lines(root: Path, seed: int) -> list[str]:
    """20 comment lines at random statement lines of 5 of toolz's modules (formatter-neutral)."""
    rng = random.Random(seed)  # noqa: S311 - insertion points, not secrets
    modules = sorted(p for p in (root / "toolz").rglob("*.py") if "tests" not in p.parts)
    chosen = rng.sample(modules, 5)
    for _ in range(20):
        path = rng.choice(chosen)
        lines = path.read_text(encoding="utf-8").split("\n")
        statements: list[int] = []
        in_string = False
        for number, line in enumerate(lines):
            if line.strip() and not in_string:
                statements.append(number)
            if line.count('"""') % 2 or line.count("'''") % 2:
                in_string = not in_string
        at = rng.choice(statements)
        indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
        lines.insert(at, f"{indent}# a comment an edit added")
        path.write_text("\n".join(lines), encoding="utf-8")
    return [path.relative_to(root).as_posix() for path in chosen]


def test_a_baseline_holds_the_line_on_toolz(target: Callable[[str], TargetCopy]) -> None:
    """Record toolz's findings; edits elsewhere add none; a copy or a fix is seen at once.

    The acceptance of issue 12's baseline on a real project: 1,800+ findings over five static
    steps become a green gate without a line of its code changed; 20 comment lines in 5 files
    add no finding; a duplicated baselined line is exactly one new finding and a fixed one is
    exactly one stale entry (one gate run judges both edits: every other finding of every
    step stays held), stale until ``baseline --update`` shrinks the file.
    """
    toolz = target("toolz")
    toolz.configure(f'source = ["toolz"]\n{STATIC}')
    recorded = _qualitykit(toolz, "baseline")
    assert recorded.returncode == 0, recorded.explain()
    assert toolz.changes() == ["?? qualitykit-baseline.json"]

    run_, gate = toolz.gate()
    assert gate.ok, run_.explain()
    sizes = {result.step: result.counts.baselined for result in gate.steps}
    assert all(sizes.values()), sizes
    stored = StepResult.model_validate_json(
        (toolz.root / ".qualitykit" / "results" / "ruff-lint.json").read_text(encoding="utf-8")
    )  # the tool's own result on the unedited tree: where the baselined F841 is

    edited = _comment_lines(toolz.root, seed=2)
    run_, gate = toolz.gate()
    assert gate.ok, (edited, run_.explain())
    assert {result.step: result.counts.baselined for result in gate.steps} == sizes
    toolz.git("checkout", "-q", "--", *edited)

    init = toolz.root / "toolz" / "__init__.py"
    original = init.read_text(encoding="utf-8")
    init.write_text(
        original.replace("\nfilter = filter\n", "\nfilter = filter\nfilter = filter\n", 1)
    )
    (unused,) = [f for f in stored.findings if f.code == "F841" and "dicttoolz" in (f.file or "")]
    assert unused.file is not None
    assert unused.line is not None
    path = toolz.root / unused.file
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[unused.line - 1] = lines[unused.line - 1].replace("D, kw = self.D, self.kw", "D = self.D")
    path.write_text("\n".join(lines), encoding="utf-8")
    run_, gate = toolz.gate()
    new = [(r.step, f.code) for r in gate.steps for f in r.findings if f.severity is Severity.ERROR]
    # The duplicate: one new finding where it is; the fix: its entry stale; nothing else.
    assert sorted(new) == [("ruff-lint", "PLW0127"), ("ruff-lint", "baseline-stale")], new
    lint = gate.step("ruff-lint")
    assert sorted((f.code, f.file) for f in lint.findings) == [
        ("PLW0127", "toolz/__init__.py"),
        ("baseline-stale", unused.file),
    ], run_.explain()
    assert gate.failed_steps == ("ruff-lint",)
    init.write_text(original, encoding="utf-8")
    update = _qualitykit(toolz, "baseline", "--update")
    assert update.returncode == 0, update.explain()
    assert "baseline ruff-lint: 1 removed" in update.stderr
    run_, gate = toolz.gate()
    assert gate.ok, run_.explain()
