"""``summary.md``: what a person reads first, rendered from the typed results."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualitykit.triage.deep_models import Cwd, DeepChecks, Flaky, Isolation, Polluters, Slow
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


def _status(name: str, check: Isolation | Polluters | Cwd | Flaky | Slow) -> list[str]:
    # A check that did not fully run says so in its heading: never read as clean.
    shown = {"ran": "ran", "incomplete": "INCOMPLETE", "not-run": "NOT RUN"}[check.status]
    reason = f": {check.reason}" if check.reason else ""
    return [f"### {name}: {shown}{reason}", ""]


def _isolation_lines(check: Isolation) -> list[str]:
    lines = _status("Isolation (alone, in its module)", check)
    if check.tests:
        lines.extend(["| test | label | alone | in module | full run |", "|---|---|---|---|---|"])
        lines.extend(
            f"| `{t.test_id}` | {t.label} | {t.alone} | {t.in_module} | {t.full_run or '-'} |"
            for t in check.tests[:_MAX_LISTED]
        )
        lines.append("")
    return lines


def _polluter_lines(check: Polluters) -> list[str]:
    lines = _status("Polluter search", check)
    searched = {result.target for result in check.results}
    for result in check.results[:_MAX_LISTED]:
        role = "fails only after" if result.kind == "polluter" else "passes only after"
        if result.status == "found":
            culprits = ", ".join(f"`{test}`" for test in result.culprits)
            lines.append(f"- `{result.target}` {role} {culprits} ({result.runs} runs)")
            lines.append(f"  - repro: `{result.repro}`")
            lines.extend(
                f"  - leaked {leak.kind} `{leak.name}`: {leak.before} -> {leak.after}"
                for leak in result.leaks[:_MAX_LISTED]
            )
        else:
            lines.append(f"- `{result.target}`: {result.status} ({result.detail or result.kind})")
    lines.extend(
        f"- not searched: `{test}`" for test in check.searched[:_MAX_LISTED] if test not in searched
    )
    return [*lines, ""] if check.searched else lines


def _cwd_lines(check: Cwd) -> list[str]:
    lines = _status("Working directory (root, then a fresh temporary directory)", check)
    differing = [t for t in check.tests if t.label != "same"]
    counts = ", ".join(
        f"{sum(t.label == label for t in differing)} {label}"
        for label in ("cwd-dependent", "unstable", "not-run")
    )
    lines.append(f"{len(check.tests)} tests rerun: {counts}.")
    lines.append("")
    lines.extend(
        f"- {t.label}: `{t.test_id}` (from the root: {t.from_root}, elsewhere: {t.elsewhere})"
        for t in differing[:_MAX_LISTED]
    )
    return [*lines, ""] if differing else lines


def _flaky_lines(check: Flaky) -> list[str]:
    lines = _status(f"Flakiness ({check.runs} shuffled reruns)", check)
    if check.seeds:
        lines.extend([f"Seeds: {', '.join(map(str, check.seeds))}.", ""])
    if check.tests:
        lines.extend(
            ["| test | label | passes | ratio | 95 % interval |", "|---|---|---:|---:|---|"]
        )
        lines.extend(
            f"| `{t.test_id}` | {t.label} | {t.passes}/{t.runs} | {t.ratio:.2f} "
            f"| {t.low:.2f}-{t.high:.2f} |"
            for t in check.tests[:_MAX_LISTED]
        )
        lines.append("")
    for need in check.needs_another_first[:_MAX_LISTED]:
        seeds = ", ".join(map(str, need.failed_seeds))
        lines.append(
            f"- order-dependent (needs another test first): `{need.test_id}` "
            f"passed in the full run, failed with seeds {seeds}"
        )
    return [*lines, ""] if check.needs_another_first else lines


def _slow_lines(check: Slow) -> list[str]:
    lines = _status("Slow tests (setup + call + teardown)", check)
    if check.status == "not-run":
        return lines
    if check.per_test_timeout_s is None:
        lines.append("No per-test timeout set (`--timeout-per-test`, `per-test-timeout`).")
    else:
        lines.append(
            f"{len(check.over_timeout)} over the per-test timeout {check.per_test_timeout_s:g} s:"
        )
        lines.extend(
            f"- `{t.test_id}`: {t.duration_s:.2f} s" for t in check.over_timeout[:_MAX_LISTED]
        )
    budget = "no budget set"
    if check.budget_s is not None and check.budget_margin is not None:
        budget = f"budget {check.budget_s:g} s, {check.budget_margin:.1f} % margin"
    lines.extend(["", f"Suite: {check.suite_s:.1f} s ({budget}). Slowest:", ""])
    lines.extend(f"- `{t.test_id}`: {t.duration_s:.2f} s" for t in check.slowest)
    if check.over_timeout:
        lines.extend(
            [
                "",
                (
                    "Mark them `@pytest.mark.slow` and run the fast suite with `-m 'not slow'`, "
                    "or move them to a suite of their own."
                ),
            ]
        )
    return [*lines, ""]


def _deep_lines(checks: DeepChecks) -> list[str]:
    lines = ["## Deep checks", "", "Only the failing tests and their modules are rerun.", ""]
    if checks.isolation is not None:
        lines.extend(_isolation_lines(checks.isolation))
    if checks.polluters is not None:
        lines.extend(_polluter_lines(checks.polluters))
    if checks.cwd is not None:
        lines.extend(_cwd_lines(checks.cwd))
    if checks.flaky is not None:
        lines.extend(_flaky_lines(checks.flaky))
    if checks.slow is not None:
        lines.extend(_slow_lines(checks.slow))
    return lines


def render_summary(
    capture: Capture,
    clusters: tuple[Cluster, ...],
    delta: Delta,
    checks: DeepChecks | None = None,
    *,
    verdict: str,
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
    if checks is not None:
        lines.extend(_deep_lines(checks))
    lines.extend(["## Clusters, largest first", ""])
    if not clusters:
        lines.extend(["None: no test failed.", ""])
    for rank, cluster in enumerate(clusters, start=1):
        lines.extend(_cluster_lines(rank, cluster))
    return "\n".join(lines).rstrip() + "\n"
