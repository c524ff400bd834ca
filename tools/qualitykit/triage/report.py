"""``summary.md``: what a person reads first, rendered from the typed results."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualitykit.triage.delta import Delta
    from qualitykit.triage.models import Capture, Cluster


# A person reads the summary: past this many, the rest of a list is in delta.json.
_MAX_LISTED = 30


def _pct(value: float) -> str:
    return f"{value:.1f} %"


def _delta_lines(delta: Delta) -> list[str]:
    against = f"`{delta.baseline}`" if delta.baseline else "none (every failure is new)"
    lines = [
        "## Against the baseline",
        "",
        f"Baseline: {against}",
        "",
        "| | tests | clusters |",
        "|---|---:|---:|",
        f"| new | {len(delta.new_tests)} | {len(delta.new_clusters)} |",
        f"| fixed | {len(delta.fixed_tests)} | {len(delta.fixed_clusters)} |",
        (
            f"| still failing | {len(delta.still_failing_tests)} "
            f"| {len(delta.still_failing_clusters)} |"
        ),
        "",
    ]
    for label, tests in (
        ("new", delta.new_tests),
        ("fixed", delta.fixed_tests),
        ("not run this time", delta.not_run_tests),
    ):
        lines.extend(f"- {label}: `{test}`" for test in tests[:_MAX_LISTED])
        if len(tests) > _MAX_LISTED:
            lines.append(f"- … and {len(tests) - _MAX_LISTED} more {label} (delta.json)")
    if delta.pass_rate_floor is not None:
        verdict = "BROKEN" if delta.floor_broken else "held"
        lines.append(f"- pass-rate floor {_pct(delta.pass_rate_floor)}: {verdict}")
    if delta.budget_s is not None and delta.budget_margin is not None:
        verdict = "EXCEEDED" if delta.budget_exceeded else "within"
        lines.append(
            f"- runtime budget {delta.budget_s:g} s: {verdict} ({delta.budget_margin:.1f} % margin)"
        )
    return [*lines, ""]


def _cluster_lines(rank: int, cluster: Cluster) -> list[str]:
    root = f"`{cluster.root}:{cluster.root_line}`" if cluster.root else "outside the project"
    if cluster.root and cluster.root_function:
        root += f" in `{cluster.root_function}`"
    lines = [
        f"### {rank}. `{cluster.id}`: {cluster.exception_type} ({cluster.size} failures)",
        "",
        f"- message: `{cluster.message}`",
        f"- root: {root}",
        f"- repro: `{cluster.repro}`",
        "- tests:",
        *(f"  - `{test}`" for test in cluster.tests),
        "",
    ]
    if cluster.representative:
        lines.extend(["```", cluster.representative, "```", ""])
    return lines


def render_summary(
    capture: Capture, clusters: tuple[Cluster, ...], delta: Delta, *, verdict: str
) -> str:
    """The whole ``summary.md``."""
    counts = capture.counts
    failing = len(capture.failures)
    lines = [
        f"# Test triage: {verdict}",
        "",
        (
            f"{failing} failures from {len(clusters)} root causes. "
            f"{counts.tests} tests / {counts.passed} passed ({_pct(counts.pass_rate)}) / "
            f"{counts.failed} failed / {counts.errors} errors / {counts.skipped} skipped / "
            f"{counts.xfailed} xfailed / {counts.xpassed} xpassed; "
            f"runtime {delta.runtime_s:.1f} s."
        ),
        "",
    ]
    if not capture.detailed:
        lines.extend(
            [
                (
                    "Read from JUnit XML: no phases, chains or function names; "
                    "clusters group by file rather than function."
                ),
                "",
            ]
        )
    lines.extend(_delta_lines(delta))
    lines.extend(["## Clusters, largest first", ""])
    if not clusters:
        lines.extend(["None: no test failed.", ""])
    for rank, cluster in enumerate(clusters, start=1):
        lines.extend(_cluster_lines(rank, cluster))
    return "\n".join(lines).rstrip() + "\n"
