"""Run the enabled rules over a project: allows applied, fingerprints assigned, findings sorted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualitykit.fingerprints import fingerprint, normalise_code_line
from qualitykit.policy.allows import AllowIndex
from qualitykit.policy.findings import PolicyFinding, PolicyReport
from qualitykit.policy.pathglobs import spec
from qualitykit.policy.registry import enabled

if TYPE_CHECKING:
    from qualitykit.policy.config import PolicyConfig
    from qualitykit.policy.project import PolicyProject
    from qualitykit.policy.rule import Hit, Rule


def _code_line(project: PolicyProject, file: str, line: int) -> str:
    lines = project.lines(file)
    return lines[line - 1] if 0 < line <= len(lines) else ""


def run_policy(project: PolicyProject, config: PolicyConfig) -> PolicyReport:
    """Every finding of the rules ``config`` enables, minus those a reasoned allow covers."""
    allows = AllowIndex(project)
    hits: list[tuple[Rule, Hit]] = []
    ran: list[str] = []
    notes: list[tuple[str, int, str]] = []
    for rule, options in enabled(config):
        if (rule.needs_base and project.base is None) or not rule.on_files:
            continue
        ran.append(rule.id)
        if project.scope is not None and not any(
            rule.reports_on(project, name) for name in project.scope
        ):
            continue  # nothing it could report on is staged
        skip = spec(options.exclude) if options.exclude else None
        for hit in rule.check(project, options):
            if not project.in_scope(hit.file) or (skip is not None and skip.match_file(hit.file)):
                continue
            if hit.note:
                notes.append((hit.file, hit.line, f"{rule.id} {hit.message}"))
            elif not allows.allows(rule.id, hit.file, hit.line):
                hits.append((rule, hit))
    hits.sort(key=lambda pair: (pair[1].file, pair[1].line, pair[0].id))
    seen: dict[tuple[str, str, str], int] = {}
    findings: list[PolicyFinding] = []
    for rule, hit in hits:
        code = _code_line(project, hit.file, hit.line)
        key = (rule.id, hit.file, normalise_code_line(code))
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        findings.append(
            PolicyFinding(
                rule=rule.id,
                file=hit.file,
                line=hit.line,
                message=hit.message,
                fix=hit.fix or rule.fix,
                fingerprint=fingerprint(rule.id, hit.file, code, occurrence),
            )
        )
    base = project.base.ref if project.base is not None else None
    return PolicyReport(
        files=len(project.checked),
        rules=tuple(ran),
        base=base,
        findings=tuple(findings),
        notes=tuple(f"{file}:{line}: {text}" for file, line, text in sorted(notes)),
    )
