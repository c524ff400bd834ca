"""Gate integrity in GitHub workflows and the pre-commit configuration."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from typing_extensions import override

from qualitykit.policy import yamlnodes as y
from qualitykit.policy.commands import blank_quotes, is_check, last_command
from qualitykit.policy.rule import Hit, PreCommitRule, Rule, WorkflowRule
from qualitykit.policy.shell import all_shell_lines, workflow_runs

if TYPE_CHECKING:
    from collections.abc import Iterator

    import yaml

    from qualitykit.policy.project import PolicyProject
    from qualitykit.policy.rule import RuleOptions

_TRUE = {"true", "True", "TRUE", "${{ true }}"}
_FALSE_IF = re.compile(r"^\s*(?:\$\{\{\s*)?(?:false|0)(?:\s*\}\})?\s*$")
_PIPE = re.compile(r"(?<![|>&])\|(?![|&])")


def pipes_a_check(text: str) -> bool:
    """Whether a check tool's output is piped (``pytest | tee log``)."""
    unquoted = blank_quotes(text)
    return any(
        is_check(last_command(unquoted[: pipe.start()])) for pipe in _PIPE.finditer(unquoted)
    )


def _jobs_and_steps(root: yaml.Node | None) -> Iterator[tuple[str, yaml.Node]]:
    for job_id, _, job in y.items(y.get(root, "jobs")):
        yield f"job {job_id!r}", job
        for index, step in enumerate(y.elements(y.get(job, "steps")), start=1):
            name = y.scalar(y.get(step, "name")) or y.scalar(y.get(step, "id")) or f"#{index}"
            yield f"step {name!r} of job {job_id!r}", step


class ContinueOnError(WorkflowRule):
    """``continue-on-error: true``: the job or step is green whatever happens."""

    id = "QK-INT-030"
    family = "integrity"
    title = "workflow continue-on-error: true"
    fix = "remove continue-on-error (a check that may not fail is not a check)"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        for name in project.workflows:
            for where, node in _jobs_and_steps(project.yaml_node(name)):
                value = y.get(node, "continue-on-error")
                if value is not None and y.scalar(value) in _TRUE:
                    yield Hit(name, y.line_of(value), f"{where} has continue-on-error: true")


class DisabledByIf(WorkflowRule):
    """``if: false``: the job or step never runs."""

    id = "QK-INT-031"
    family = "integrity"
    title = "workflow job or step disabled with if: false"
    fix = "remove the job or step, or the `if: false`"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        for name in project.workflows:
            for where, node in _jobs_and_steps(project.yaml_node(name)):
                value = y.get(node, "if")
                text = y.scalar(value)
                if value is not None and text is not None and _FALSE_IF.match(text):
                    yield Hit(name, y.line_of(value), f"{where} never runs (if: {text})")


class ShellWithoutErrexit(WorkflowRule):
    """A custom ``shell:`` template without ``-e``: a failing line mid-script is ignored."""

    id = "QK-INT-032"
    family = "integrity"
    title = "workflow shell without -e"
    fix = "use `shell: bash` (GitHub runs it as `bash -eo pipefail {0}`)"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        for name in project.workflows:
            root = project.yaml_node(name)
            nodes = [y.get(y.get(y.get(root, "defaults"), "run"), "shell")]
            for _, job in _jobs_and_steps(root):
                nodes.extend(
                    (y.get(job, "shell"), y.get(y.get(y.get(job, "defaults"), "run"), "shell"))
                )
            for node in nodes:
                text = y.scalar(node)
                if node is None or text is None or "{0}" not in text:
                    continue
                if re.match(r"^\s*(?:ba|z|k|da)?sh\b", text) and not re.search(
                    r"\s-\w*e|errexit", text
                ):
                    yield Hit(name, y.line_of(node), f"shell `{text}` runs without -e")


class PipeWithoutPipefail(WorkflowRule):
    """A check piped (``pytest | tee``) in a run block whose shell has no pipefail.

    GitHub runs an unspecified shell as ``bash -e {0}`` (no pipefail); only ``shell: bash``
    adds ``-o pipefail``.
    """

    id = "QK-INT-033"
    family = "integrity"
    title = "workflow pipes a check without pipefail"
    fix = "set `shell: bash` on the step (or `defaults.run.shell: bash`), or `set -o pipefail`"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        for name in project.workflows:
            for block in workflow_runs(project, name):
                if block.shell is not None and (
                    block.shell.strip() == "bash" or "pipefail" in block.shell
                ):
                    continue
                if any("pipefail" in line.text for line in block.lines):
                    continue
                for line in block.lines:
                    if pipes_a_check(line.text):
                        shell = block.shell or "the default `bash -e {0}`"
                        yield Hit(
                            name,
                            line.line,
                            f"`{line.text}` pipes a check in {shell}: its failure is lost",
                        )


_SAMPLES = ("a.py", "src/pkg/module.py", "tests/test_x.py", "Makefile", "README.md", "x.yaml")


def _hooks(project: PolicyProject) -> Iterator[tuple[str, yaml.Node]]:
    if project.pre_commit is None:
        return
    for repo in y.elements(y.get(project.yaml_node(project.pre_commit), "repos")):
        for hook in y.elements(y.get(repo, "hooks")):
            yield y.scalar(y.get(hook, "id")) or "?", hook


def _matches_everything(pattern: str) -> bool:
    try:
        compiled = re.compile(pattern)
    except re.error:  # qualitykit: allow[QK-EXC-002] an invalid pattern matches nothing
        return False
    return all(compiled.search(sample) for sample in _SAMPLES)


class HookExcludesEverything(PreCommitRule):
    """A pre-commit ``exclude`` that matches every file: the hook (or config) checks nothing."""

    id = "QK-INT-040"
    family = "integrity"
    title = "pre-commit exclude matching every file"
    fix = "narrow the exclude pattern to the files that really must be skipped"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        if project.pre_commit is None:
            return
        top = y.get(project.yaml_node(project.pre_commit), "exclude")
        candidates = [("the whole config", top)] + [
            (f"hook {hid!r}", y.get(hook, "exclude")) for hid, hook in _hooks(project)
        ]
        for where, node in candidates:
            text = y.scalar(node)
            if node is not None and text is not None and _matches_everything(text):
                yield Hit(
                    project.pre_commit,
                    y.line_of(node),
                    f"{where}: exclude {text!r} matches every file",
                )


_MANUAL_RUN = re.compile(r"--hook-stage[= ]+manual\b")


class HookManualOnly(PreCommitRule):
    """A hook only in the ``manual`` stage, which nothing runs: the gate never asks for it.

    A gate that runs ``pre-commit run --hook-stage manual`` somewhere (a workflow, the
    Makefile, a gate script) does run such hooks, and then they are not reported.
    """

    id = "QK-INT-041"
    family = "integrity"
    title = "pre-commit hook only in the manual stage"
    fix = "give the hook a real stage (pre-commit, pre-push) or remove it"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        if any(_MANUAL_RUN.search(line.text) for line in all_shell_lines(project)):
            return
        for hook_id, hook in _hooks(project):
            stages = y.get(hook, "stages")
            if stages is not None and set(y.strings(stages)) == {"manual"}:
                yield Hit(
                    project.pre_commit or "",
                    y.line_of(stages),
                    f"hook {hook_id!r} runs only when asked for (stages: [manual]), and no "
                    "`pre-commit run --hook-stage manual` asks",
                )


class PreCommitCiSkip(PreCommitRule):
    """``ci: skip:`` in the pre-commit config: pre-commit.ci skips those hooks."""

    id = "QK-INT-042"
    family = "integrity"
    title = "pre-commit.ci skips hooks"
    fix = "remove the hooks from ci.skip (or run them in another CI job and say so in an allow)"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        if project.pre_commit is None:
            return
        skip = y.get(y.get(project.yaml_node(project.pre_commit), "ci"), "skip")
        skipped = y.strings(skip)
        if skip is not None and skipped:
            yield Hit(
                project.pre_commit, y.line_of(skip), f"pre-commit.ci skips {', '.join(skipped)}"
            )


RULES: tuple[Rule, ...] = (
    ContinueOnError(),
    DisabledByIf(),
    ShellWithoutErrexit(),
    PipeWithoutPipefail(),
    HookExcludesEverything(),
    HookManualOnly(),
    PreCommitCiSkip(),
)
