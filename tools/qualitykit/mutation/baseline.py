"""The unmutated suite once, under per-test coverage: which tests execute which lines.

Run by ``worker.py baseline`` in its own private copy; the report is cached (``baseline.json``)
under the tree's hash. A red baseline, or one that collects no tests, stops the run: failing
tests would "kill" every mutant.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, ValidationError

from qualitykit.atomic import write_text_atomic
from qualitykit.errors import QualityKitError
from qualitykit.mutation import protocol
from qualitykit.mutation.pool import WORKER_SCRIPT, fatal_detail, kill_group, warm_up_timeout
from qualitykit.state import read_model

if TYPE_CHECKING:
    from collections.abc import Sequence

    from qualitykit.mutation.engine import Context
    from qualitykit.mutation.mutants import Mutant


@dataclass
class Baseline:
    """The unmutated suite's report (see ``worker.py baseline``)."""

    tests: list[str]
    durations: dict[str, float]
    lines: dict[str, dict[int, list[str]]]

    def select(self, mutant: Mutant) -> list[str] | None:
        """The tests that execute ``mutant``'s lines, fastest first (None: none does).

        Contexts: a test's node id; ``collect:FILE`` for code a test module ran when imported;
        ``""`` for anything else at import time. Module-level code (definitions, constants)
        affects every test; a function body run while FILE was imported affects FILE's tests.
        """
        by_line = self.lines.get(mutant.module, {})
        own = range(mutant.start[0], mutant.end[0] + 1)
        if mutant.in_annotation and not any(line in by_line for line in own):
            # A signature line coverage.py never saw run: an annotation that is never
            # evaluated (``from __future__ import annotations``) is not executed code.
            return None
        contexts: set[str] = set()
        for line in mutant.lines:
            contexts.update(by_line.get(line, ()))
        if not contexts:
            return None
        chosen: set[str] = set()
        for context in contexts:
            called = mutant.in_body or mutant.body is not None
            if context == "" or (context.startswith("collect:") and not called):
                chosen = set(self.tests)
                break
            if context.startswith("collect:"):
                prefix = context.removeprefix("collect:") + "::"
                chosen.update(test for test in self.tests if test.startswith(prefix))
            else:
                chosen.add(context)
        known = set(self.tests)
        return sorted(chosen & known, key=lambda test: (self.durations.get(test, 0.0), test))


def source_roots(modules: Sequence[str]) -> list[str]:
    """The import roots of ``modules``: the first directory up without an ``__init__.py``."""
    roots: list[str] = []
    for module in modules:
        directory = Path(module).parent
        while directory != Path() and (directory / "__init__.py").exists():
            directory = directory.parent
        name = directory.as_posix()
        if name != "." and name not in roots:
            roots.append(name)
    return roots


class _Report(BaseModel):
    """What ``worker.py baseline`` writes (and ``baseline.json`` keeps, with its tree hash)."""

    model_config = ConfigDict(extra="ignore")

    exit: int
    tests: list[str]
    durations: dict[str, float]
    failed: list[str]
    lines: dict[str, dict[int, list[str]]]
    tree: str = ""


def measure(ctx: Context, copy: Path) -> tuple[Baseline | None, str]:
    """The unmutated suite's coverage contexts (cached by the tree's content hash)."""
    stored = ctx.state_dir / "baseline.json"
    # Only a cache: an unreadable one is measured again.
    report = read_model(stored, _Report, "mutation baseline cache", cache=True)
    if report is None or report.tree != ctx.tree_hash or not ctx.options.use_cache:
        report, error = _run(ctx, copy)
        if report is None:
            return None, error
        if ctx.options.use_cache:
            write_text_atomic(stored, report.model_dump_json() + "\n")
    return Baseline(tests=report.tests, durations=report.durations, lines=report.lines), ""


def _run(ctx: Context, copy: Path) -> tuple[_Report | None, str]:
    state_dir = ctx.state_dir
    output = copy.parent / "baseline-report.json"
    log = state_dir / "baseline.log"
    spec = {
        "root": str(copy),
        "sys_path": source_roots(ctx.modules),
        "modules": ctx.modules,
        "pytest_args": ctx.pytest_args,
        "output": str(output),
        "log": str(log),
    }
    state_dir.mkdir(parents=True, exist_ok=True)
    log.write_text("", encoding="utf-8")
    process = subprocess.Popen(  # noqa: S603 - argv list, never a shell
        [ctx.python, str(WORKER_SCRIPT), protocol.BASELINE, json.dumps(spec)],
        cwd=copy,
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
    )
    limit = warm_up_timeout()
    try:
        stdout, _ = process.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        kill_group(process)
        return None, f"baseline: the suite did not end within {limit:g} s; see {log}"
    finally:
        if process.poll() is None:  # interrupted: the suite's process group goes too
            kill_group(process)
    fatal = fatal_detail(stdout.decode("utf-8", "replace"))
    if fatal is not None:
        raise QualityKitError(f"mutation: {fatal}")
    if process.returncode != 0 or not output.is_file():
        return None, f"baseline: the test harness crashed (exit {process.returncode}); see {log}"
    try:
        report = _Report.model_validate_json(output.read_bytes())
    except ValidationError as error:
        first = str(error).splitlines()[0]
        return None, f"baseline: the test harness wrote an unreadable report ({first}); see {log}"
    failed, code = report.failed, report.exit
    if code == protocol.PYTEST_NO_TESTS or not report.tests:
        return None, "baseline: no tests collected (check [tool.qualitykit.mutation] tests)"
    if failed or code != 0:
        first = f" (first: {failed[0]})" if failed else ""
        return None, (
            f"baseline: the suite fails without any mutation: pytest exit {code}, "
            f"{len(failed)} failing tests{first}; see {log}"
        )
    return report.model_copy(update={"tree": ctx.tree_hash}), ""
