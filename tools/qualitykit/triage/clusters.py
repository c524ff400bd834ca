"""Failures grouped by signature into clusters, ranked by size."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from qualitykit.triage.models import Cluster, Failure
from qualitykit.triage.signature import cluster_id, normalise_message, root_frame, signature

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

_MAX_TRACEBACK_LINES = 60


def repro_command(test_id: str) -> str:
    """One shell command that reruns ``test_id`` with the project's own pytest config."""
    return f"python -m pytest -p no:cacheprovider {shlex.quote(test_id)}"


def build_clusters(failures: Sequence[Failure], root: Path) -> tuple[Cluster, ...]:
    """Clusters of ``failures``, largest first, ties by id (a stable order)."""
    groups: dict[str, list[Failure]] = {}
    for failure in failures:
        groups.setdefault(signature(failure, root), []).append(failure)
    clusters: list[Cluster] = []
    for text, members in groups.items():
        first = members[0]
        frame = root_frame(first, root)
        tests = tuple(dict.fromkeys(member.test_id for member in members))
        clusters.append(
            Cluster(
                id=cluster_id(text),
                exception_type=first.exception.type or first.kind,
                message=normalise_message(first.exception.message),
                root=frame.file if frame is not None else None,
                root_line=frame.line if frame is not None else None,
                root_function=frame.function if frame is not None else None,
                size=len(members),
                tests=tests,
                representative="\n".join(first.longrepr.splitlines()[-_MAX_TRACEBACK_LINES:]),
                repro=repro_command(tests[0]),
            )
        )
    return tuple(sorted(clusters, key=lambda cluster: (-cluster.size, cluster.id)))
