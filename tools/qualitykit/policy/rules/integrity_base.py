"""Gate integrity against ``--base``: gate steps, CI jobs, hooks removed; a baseline grown.

Each finding says what changed, from what to what. ``BaseRule`` and the base/current
pyproject pair are shared with ``integrity_settings``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, cast

from typing_extensions import override

from qualitykit.config_table import BUILTIN_STEPS, PYPROJECT
from qualitykit.policy import yamlnodes as y
from qualitykit.policy.commands import command_word, is_check, simple_commands
from qualitykit.policy.project import (
    PRE_COMMIT,
    BaseProject,
    as_strings,
    compose_yaml,
    dig,
    parse_toml,
)
from qualitykit.policy.rule import Hit, Rule
from qualitykit.policy.shell import all_shell_lines
from qualitykit.policy.tomllines import toml_line

if TYPE_CHECKING:
    from collections.abc import Iterator

    from qualitykit.policy.project import PolicyProject
    from qualitykit.policy.rule import RuleOptions


def pyprojects(project: PolicyProject) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(base, current) parsed pyproject.toml, when the project has a base view."""
    if project.base is None:
        return None
    return parse_toml(project.base.text(PYPROJECT)), project.pyproject


def number(value: object) -> float | None:
    """A TOML number as a float (None for anything else, booleans included)."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


class BaseRule(Rule):
    """A rule comparing the work tree with the base version."""

    family = "integrity"
    needs_base = True


def _gate_steps(document: dict[str, Any]) -> list[str] | None:
    table = dig(document, "tool", "qualitykit")
    if not table and "qualitykit" not in dig(document, "tool"):
        return None
    if "gate" in table:
        return as_strings(table["gate"])
    return [*BUILTIN_STEPS, *dig(table, "commands")]


class GateStepRemoved(BaseRule):
    """A step the gate ran on the base no longer runs (or a policy rule was disabled)."""

    id = "QK-INT-060"
    title = "gate step removed or policy rule disabled"
    fix = "keep the step in the gate (or explain the removal in an allow on the gate setting)"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        pair = pyprojects(project)
        if pair is None:
            return
        base, now = pair
        lines = project.lines(PYPROJECT)
        before, after = _gate_steps(base), _gate_steps(now)
        if before is not None:
            for step in before:
                if after is None or step not in after:
                    line = toml_line(lines, "tool.qualitykit", "gate")
                    yield Hit(
                        PYPROJECT,
                        line,
                        f"gate step {step!r} removed: gate was {before}, is {after or []}",
                    )
        policy_before = dig(base, "tool", "qualitykit", "policy").get("disable", [])
        policy_after = dig(now, "tool", "qualitykit", "policy").get("disable", [])
        for name in policy_after:
            if name not in policy_before:
                line = toml_line(lines, "tool.qualitykit.policy", "disable")
                yield Hit(
                    PYPROJECT,
                    line,
                    f"policy {name!r} disabled: disable was {policy_before}, is {policy_after}",
                )


def _hooks(text: str | None) -> dict[str, tuple[set[str], int]]:
    hooks: dict[str, tuple[set[str], int]] = {}
    root = compose_yaml(text)
    default = set(y.strings(y.get(root, "default_stages"))) or {"pre-commit"}
    for repo in y.elements(y.get(root, "repos")):
        for hook in y.elements(y.get(repo, "hooks")):
            node = y.get(hook, "id")
            hook_id = y.scalar(node)
            if hook_id is not None and node is not None:
                stages = set(y.strings(y.get(hook, "stages"))) or default
                hooks[hook_id] = (stages, y.line_of(node))
    return hooks


class HookRemoved(BaseRule):
    """A pre-commit hook of the base is gone, or runs in fewer stages."""

    id = "QK-INT-062"
    title = "pre-commit hook removed or moved out of a stage"
    fix = "keep the hook (and its stages)"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        if project.base is None:
            return
        before = _hooks(project.base.text(PRE_COMMIT))
        after = _hooks(project.text(PRE_COMMIT) if PRE_COMMIT in project.files else None)
        for hook_id, (stages, _) in before.items():
            if hook_id not in after:
                yield Hit(
                    PRE_COMMIT,
                    1,
                    f"pre-commit hook {hook_id!r} removed (was in stages {sorted(stages)})",
                )
                continue
            now, line = after[hook_id]
            lost = stages - now
            if lost:
                yield Hit(
                    PRE_COMMIT, line, f"hook {hook_id!r} stages {sorted(stages)} → {sorted(now)}"
                )


def _workflow_jobs(text: str | None) -> set[str]:
    return {job for job, _, _ in y.items(y.get(compose_yaml(text), "jobs"))}


class JobRemoved(BaseRule):
    """A workflow job (or a whole workflow) of the base is gone."""

    id = "QK-INT-061"
    title = "CI workflow job removed"
    fix = "keep the job (required checks disappear silently otherwise)"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        base = project.base
        if base is None:
            return
        names = sorted(
            set(project.workflows) | {n for n in base.changed if n.startswith(".github/workflows/")}
        )
        deleted = [n for n in base.deleted if n.startswith(".github/workflows/")]
        for name in [*names, *deleted]:
            before = _workflow_jobs(base.text(name))
            after = _workflow_jobs(project.text(name) if name in project.files else None)
            for job in sorted(before - after):
                where = name if name in project.files else (project.workflows or [name])[0]
                yield Hit(
                    where,
                    1,
                    f"{name}: job {job!r} removed (jobs {sorted(before)} → {sorted(after)})",
                )


# Tools whose first argument says which check runs: `make lint`, `ruff format`, `qualitykit gate`.
_SUBCOMMANDS = frozenset({"make", "$MAKE", "ruff", "qualitykit", "pre-commit", "coverage", "nox"})


def _check_key(command: str) -> str:
    word = command_word(command)
    if word not in _SUBCOMMANDS:
        return word
    after = command.split(word, 1)[-1].split()
    positional = [arg for arg in after if not arg.startswith("-")]
    return f"{word} {positional[0]}" if positional else word


def checks_run(project: PolicyProject) -> dict[str, tuple[str, int, str]]:
    """Each check the gate or CI runs (tool and subcommand) → where it is first written."""
    found: dict[str, tuple[str, int, str]] = {}
    for line in all_shell_lines(project):
        for command in simple_commands(line.text):
            if is_check(command):
                found.setdefault(_check_key(command), (line.file, line.line, command))
    return found


class CheckNoLongerRun(BaseRule):
    """A check that a Makefile, workflow, gate script or hook ran on the base runs nowhere now.

    Checks are compared by tool (and subcommand, for make, ruff, qualitykit, pre-commit,
    coverage, nox), wherever they are written: moving `pytest` from a workflow into the
    Makefile it calls is no removal; dropping the workflow step that ran it is.
    """

    id = "QK-INT-068"
    title = "a check the gate or CI ran is no longer run"
    fix = "keep running the check (or say where it runs now in an allow)"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        base = BaseProject.of(project)
        if base is None:
            return
        now = checks_run(project)
        for key, (file, line, command) in sorted(checks_run(base).items()):
            if key in now:
                continue
            where = file if file in project.files else PYPROJECT
            message = f"`{key}` no longer runs anywhere (it ran as `{command}` in {file}:{line})"
            yield Hit(where, 1, message)


# qualitykit.baseline.model's default; not imported: that module needs pydantic, and the
# commit-stage check must start without it.
DEFAULT_BASELINE = "qualitykit-baseline.json"


def baseline_file(document: dict[str, Any]) -> str:
    """The baseline file a parsed pyproject.toml names (the default when it names none)."""
    named = dig(document, "tool", "qualitykit").get("baseline-file")
    return named if isinstance(named, str) and named else DEFAULT_BASELINE


def baseline_sizes(text: str | None) -> dict[str, int]:
    """Entries per step of a baseline file's text (empty when absent or not a baseline).

    Read with the standard library: the gate itself refuses a malformed baseline (exit 2).
    """
    try:
        data: object = json.loads(text) if text is not None else None
    # qualitykit: allow[QK-EXC-002] a malformed baseline is the gate's to refuse, not this rule's
    except (ValueError, RecursionError):
        return {}
    steps = cast("dict[str, object]", data).get("steps") if isinstance(data, dict) else None
    if not isinstance(steps, dict):
        return {}
    return {
        str(step): len(cast("list[object]", entries))
        for step, entries in cast("dict[object, object]", steps).items()
        if isinstance(entries, list)
    }


class BaselineGrew(BaseRule):
    """The baseline of known findings holds more entries for a step than on the base.

    ``qualitykit baseline --update`` only removes entries; a baseline that grew was recorded
    again (or edited) to let new findings in. A baseline created on the branch (none on the
    base) is an adoption, not growth.
    """

    id = "QK-INT-069"
    title = "the baseline of known findings grew"
    fix = "fix the new findings (the baseline only shrinks: `qualitykit baseline --update`)"

    @override
    def reports_on(self, project: PolicyProject, name: str) -> bool:
        return name == baseline_file(project.pyproject)

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        pair = pyprojects(project)
        if pair is None or project.base is None:
            return
        base_doc, now_doc = pair
        name = baseline_file(now_doc)
        before = baseline_sizes(project.base.text(baseline_file(base_doc)))
        if not before or name not in project.files:
            return
        after = baseline_sizes(project.text(name))
        lines = project.lines(name)
        for step, count in sorted(after.items()):
            was = before.get(step, 0)
            if count > was:
                key = f'"{step}"'
                line = next((n for n, text in enumerate(lines, 1) if key in text), 1)
                yield Hit(name, line, f"baseline {step}: {was} → {count} entries")


RULES: tuple[Rule, ...] = (
    GateStepRemoved(),
    JobRemoved(),
    HookRemoved(),
    CheckNoLongerRun(),
    BaselineGrew(),
)
