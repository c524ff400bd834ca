"""The coverage step's incremental side in the gate's process: plan the run, describe it."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from qualitykit.atomic import write_text_atomic
from qualitykit.incremental.plan import Inputs, make_plan
from qualitykit.incremental.store import Plan, plan_path, store_dir
from qualitykit.state import read_model

if TYPE_CHECKING:
    from qualitykit.steps.base import StepContext
    from qualitykit.steps.pytest import PytestSuite


def enabled(ctx: StepContext) -> bool:
    """Whether the coverage step selects tests (``[tool.qualitykit.incremental] enabled``)."""
    return ctx.workspace.config.incremental.enabled


def plan_file(ctx: StepContext) -> Path:
    """Where the plan of the step's run is written."""
    return plan_path(store_dir(ctx.workspace.state_dir))


def _own_code() -> str:
    # The selection rules are ours: a change to them must not reuse data they judged.
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def environment(step: PytestSuite, ctx: StepContext, rcfile: str) -> dict[str, str]:
    """Everything besides files that every test may depend on (a change: a full run).

    ``step``, ``ctx``: the coverage step's; ``rcfile``: the text of its coverage settings.
    """
    found = {
        "the interpreter": f"{sys.executable} {sys.version}",
        "coverage.py": version("coverage"),
        "pytest's arguments": json.dumps(step.pytest_args(ctx)),
        "the coverage settings": rcfile,
        "qualitykit's selection code": _own_code(),
    }
    for name in step.env_vars:
        found[f"${name}"] = os.environ.get(name, "<unset>")
    return found


def plan_now(step: PytestSuite, ctx: StepContext, inputs: list[str], rcfile: str) -> Plan:
    """What the coverage step's run would rerun now (``rcfile``: its settings' text).

    The regression step plans with it too: the same store, inputs and environment.
    """
    return make_plan(
        Inputs(
            root=ctx.root,
            store=store_dir(ctx.workspace.state_dir),
            files={name: ctx.workspace.digest(name) for name in inputs},
            tests=set(step.targets(ctx)),
            environment=environment(step, ctx, rcfile),
            irrelevant=ctx.workspace.config.incremental.irrelevant,
        )
    )


def write_plan(step: PytestSuite, ctx: StepContext, inputs: list[str], rcfile: Path) -> Plan:
    """Decide what this run reruns and write it for the coverage runner."""
    plan = plan_now(step, ctx, inputs, rcfile.read_text(encoding="utf-8"))
    write_text_atomic(plan_file(ctx), plan.model_dump_json())
    return plan


def read_plan(ctx: StepContext) -> Plan | None:
    """The plan of the run just made (None: not an incremental run)."""
    return read_model(plan_file(ctx), Plan, "incremental plan", cache=True)
