"""``qualitykit policy [--base REF] [--json] [FILES…]``: the repository policies, in-process.

With FILES (the pre-commit hook passes the staged files) only those files are checked. Exit 0
when nothing is found, 1 with findings, 2 on bad configuration or input.
"""

from __future__ import annotations

from pathlib import Path

from qualitykit.files import find_root
from qualitykit.policy.check import check, relative_names


def run(root: Path, files: list[str], *, base: str | None, as_json: bool) -> int:
    """Check the project at ``root`` and print the findings (or the report as JSON)."""
    project_root = find_root(root)
    names = relative_names(project_root, Path.cwd(), files)
    report = check(project_root, files=names, base=base)
    if as_json:
        print(report.to_json(indent=2))
    else:
        for finding in report.findings:
            print(f"{finding.file}:{finding.line}: {finding.rule} {finding.message}")
            print(f"    fix: {finding.fix}")
        for note in report.notes:
            print(f"note: {note}")
        against = f" against {report.base}" if report.base else ""
        verdict = f"{len(report.findings)} findings" if report.findings else "no findings"
        print(f"policy: {report.files} files, {len(report.rules)} rules{against}: {verdict}")
    return 1 if report.findings else 0
