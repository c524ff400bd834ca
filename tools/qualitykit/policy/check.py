"""One policy run from a project root: configuration, file scope, base ref, report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualitykit.errors import QualityKitError
from qualitykit.files import find_root
from qualitykit.policy.config import load_policy_config
from qualitykit.policy.engine import run_policy
from qualitykit.policy.project import PolicyProject

if TYPE_CHECKING:
    from pathlib import Path

    from qualitykit.policy.findings import PolicyReport


def relative_names(root: Path, cwd: Path, files: list[str]) -> tuple[str, ...]:
    """``files`` (as given on the command line, relative to ``cwd``) relative to ``root``."""
    names: list[str] = []
    for given in files:
        path = (cwd / given).resolve()
        try:
            names.append(path.relative_to(root).as_posix())
        except ValueError:
            raise QualityKitError(f"{given}: not inside the project {root}") from None
    return tuple(names)


def check(start: Path, *, files: tuple[str, ...] = (), base: str | None = None) -> PolicyReport:
    """Run the configured policy on the project at or above ``start``.

    ``files`` (relative to the root) limits the check to those files; ``base`` (else the
    configured one) adds the comparisons with that ref. 0 files checked is an error.
    """
    root = find_root(start)
    config = load_policy_config(root)
    project = PolicyProject.load(root, only=files, base=base or config.base)
    report = run_policy(project, config)
    if report.files == 0:
        what = "none of the given files is a project file" if files else "no project file found"
        raise QualityKitError(f"policy checked 0 files: {what}")
    return report
