"""A generic step for any other command, declared in ``[tool.qualitykit.commands.NAME]``.

Judged by its exit code (0 pass, anything else fail); its output is kept in the step's log.
What it reads keys the cache: its ``inputs`` globs (when declared, matching no file is an
error), every project file its command line names (``scripts/check_docs.py``, or
``--config=lint.toml``), ``pyproject.toml`` and the whole ``uv.lock`` (it may run any installed
tool). A command that declares no ``inputs`` may read anything: it is keyed on every project
file, so any change reruns it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from typing_extensions import override

from qualitykit.results import Counts, Finding, Status
from qualitykit.steps.base import LOCK_ALL, Completed, Outcome, Step, StepContext, named_files

if TYPE_CHECKING:
    from qualitykit.config import CommandStep

_TAIL_LINES = 20


class Command(Step):
    """One configured command."""

    config_files = ("/pyproject.toml",)
    tools = (LOCK_ALL,)

    def __init__(self, name: str, spec: CommandStep) -> None:
        """The step ``name`` running ``spec.command``."""
        self.name = name
        self.description = spec.description or " ".join(spec.command)
        self.spec = spec
        self.default_timeout_s = spec.timeout

    @property
    @override
    def requires_targets(self) -> bool:
        """A command that declares inputs must match at least one file."""
        return bool(self.spec.inputs)

    @override
    def searched(self, ctx: StepContext) -> tuple[str, ...]:
        return self.spec.inputs

    @override
    def targets(self, ctx: StepContext) -> list[str]:
        return ctx.workspace.select(self.spec.inputs)

    @override
    def inputs(self, ctx: StepContext) -> list[str]:
        if not self.spec.inputs:
            return list(ctx.workspace.files)
        return sorted({*super().inputs(ctx), *named_files(self.command(ctx), ctx)})

    @override
    def command(self, ctx: StepContext) -> list[str]:
        return [*self.spec.command, *ctx.settings.args]

    @override
    def parse(self, run: Completed, ctx: StepContext) -> Outcome:
        files = len(self.targets(ctx)) if self.spec.inputs else None
        if run.returncode == 0:
            counts = Counts(files=files)
            return Outcome(status=Status.PASS, summary="exit code 0", counts=counts)
        tail = (run.stdout + run.stderr).strip().splitlines()[-_TAIL_LINES:]
        finding = Finding(message="\n".join(tail) or f"exit code {run.returncode}")
        return Outcome(
            status=Status.FAIL,
            summary=f"exit code {run.returncode}",
            findings=(finding,),
            counts=Counts(files=files, findings=1),
        )
