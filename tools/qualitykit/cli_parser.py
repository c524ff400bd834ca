"""The ``qualitykit`` command line's arguments: argparse parsers, their types and checks.

``parse(argv)`` gives the namespace ``cli.main`` dispatches on (``args.command``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from collections.abc import Sequence


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error as the one line every other bad input gets (exit 2)."""

    def error(self, message: str) -> NoReturn:
        """Print ``qualitykit: error: <command>: <message>`` (``--help`` shows the usage)."""
        line = message.replace("\n", "\\n")  # a value typed with a newline stays one line
        self.exit(2, f"qualitykit: error: {self.prog}: {line} (see {self.prog} --help)\n")


class _Version(argparse.Action):
    """``--version``: read from the installed distribution only when asked (start-up time)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> NoReturn:
        del namespace, values, option_string
        from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

        try:
            text = version("qualitykit")
        except PackageNotFoundError:
            text = "(not installed)"
        print(f"qualitykit {text}")
        parser.exit(0)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root", type=Path, default=Path(), help="project directory (default: the current one)"
    )


def _add_gate_modes(gate: argparse.ArgumentParser) -> None:
    """The gate's ways of running: incremental, fail-fast."""
    gate.add_argument(
        "--incremental",
        action="store_true",
        help="coverage reruns only the tests a change can reach (docs/incremental.md)",
    )
    gate.add_argument(
        "--fail-fast",
        action="store_true",
        help="end the running steps at the first failure (ignored under CI=true unless "
        "fail-fast-in-ci = true)",
    )
    gate.add_argument(
        "--verify-incremental",
        action="store_true",
        help="run incrementally and in full; fail on any difference in verdict, findings or "
        "coverage figures",
    )


def _add_gate(gate: argparse.ArgumentParser) -> None:
    _add_common(gate)
    gate.add_argument("--no-cache", action="store_true", help="rerun every step")
    gate.add_argument("--jobs", type=int, default=None, help="parallel steps (default: cores)")
    gate.add_argument("--steps", default=None, help="comma-separated subset of the gate's steps")
    gate.add_argument("--json", action="store_true", help="print the GateResult JSON on stdout")
    _add_gate_modes(gate)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (also used to document the CLI)."""
    parser = _Parser(
        prog="qualitykit", description="Repository-quality automation: a gate that never lies."
    )
    parser.add_argument(
        "--version", action=_Version, nargs=0, help="print qualitykit's version and exit"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    _add_gate(
        commands.add_parser("gate", help="run every configured step in parallel; one summary")
    )
    check = commands.add_parser("check", help="run one step (built-in or configured command)")
    _add_common(check)
    check.add_argument("step", help="step name (see: qualitykit steps)")
    check.add_argument("--no-cache", action="store_true", help="rerun even if inputs are unchanged")
    check.add_argument("--json", action="store_true", help="print the StepResult JSON on stdout")

    summary = commands.add_parser("summary", help="show the last results of the gate's steps")
    _add_common(summary)
    summary.add_argument("--json", action="store_true", help="print the GateResult JSON on stdout")

    steps = commands.add_parser("steps", help="list the steps and whether the gate runs them")
    _add_common(steps)

    coverage = commands.add_parser("coverage", help="coverage baseline, badge and diff coverage")
    actions = coverage.add_subparsers(dest="coverage_command", required=True, metavar="ACTION")
    ratchet = actions.add_parser("ratchet", help="the two-way ratchet's committed baseline")
    _add_common(ratchet)
    ratchet.add_argument(
        "--update", action="store_true", required=True, help="accept the measured figures"
    )
    diff = actions.add_parser("diff", help="coverage of the lines changed since a base ref")
    _add_common(diff)
    diff.add_argument("--base", required=True, help="git ref to compare with (merge-base)")
    # Validated by the command (one line, exit 2): argparse would accept nan and 150.
    diff.add_argument("--fail-under", default=None, metavar="PCT", help="minimum percent (0-100)")
    diff.add_argument("--coverage-xml", type=Path, default=None, help="Cobertura XML to read")
    diff.add_argument("--json", action="store_true", help="print the result JSON on stdout")
    badge = actions.add_parser("badge", help="write the coverage badge and its figures")
    _add_common(badge)
    badge.add_argument(
        "--hook", action="store_true", help="exit 1 when the badge had to change (pre-push)"
    )
    baseline = commands.add_parser(
        "baseline", help="record today's findings so the gate fails only on new ones"
    )
    _add_common(baseline)
    baseline.add_argument(
        "--update", action="store_true", help="remove entries that match no finding (never adds)"
    )
    _add_mutation(commands.add_parser("mutation", help="mutation testing (cosmic-ray operators)"))
    policy = commands.add_parser(
        "policy",
        help="repository policies (gate integrity, …); also `policy commits`, `policy commit-msg`",
        usage="%(prog)s [-h] [--root ROOT] [--base BASE] [--json] [--] [FILE ...]\n"
        "       %(prog)s commits --range BASE..HEAD [--branch NAME] [--root ROOT] [--json]\n"
        "       %(prog)s commit-msg [--root ROOT] [--json] MESSAGE_FILE",
        epilog="`commits` judges every commit of a range and the branch name (CI); "
        "`commit-msg` judges one message file (the commit-msg hook). A file named `commits` "
        "or `commit-msg` is checked with `qualitykit policy -- commits`.",
    )
    _add_common(policy)
    policy.add_argument("--base", default=None, help="also compare with this git ref")
    policy.add_argument("--json", action="store_true", help="print the PolicyReport JSON")
    policy.add_argument("files", nargs="*", help="check only these files (e.g. staged ones)")
    _add_triage(commands.add_parser("triage", help="run the suite: clustered, diffed failures"))
    _add_report(
        commands.add_parser("report", help="write .qualitykit/report/index.html (no step runs)")
    )
    init = commands.add_parser("init", help="adopt this repository: config, Makefile, hooks, CI")
    _add_common(init)
    init.add_argument("--dry-run", action="store_true", help="print the changes as a diff")
    init.add_argument("--strict", action="store_true", help="mypy --strict (default: as it is)")
    init.add_argument(
        "--baseline", action="store_true", help="then record today's figures and findings"
    )
    return parser


_MAX_RERUNS = 100

# `qualitykit policy ACTION …`: `policy` itself takes file names, so an action is recognised
# only as the word right after `policy` (a file of that name goes after `--`).
_POLICY_ACTIONS = ("commits", "commit-msg")


def _policy_action_parser(action: str) -> argparse.ArgumentParser:
    """The parser of ``qualitykit policy commits`` or ``qualitykit policy commit-msg``."""
    parser = _Parser(prog=f"qualitykit policy {action}")
    _add_common(parser)
    parser.add_argument("--json", action="store_true", help="print the CommitsReport JSON")
    if action == "commits":
        parser.description = "Judge every commit of BASE..HEAD and the branch name."
        parser.add_argument(
            "--range", dest="spec", required=True, metavar="BASE..HEAD", help="commits to judge"
        )
        parser.add_argument(
            "--branch", default=None, help="branch name to judge (default: the checked-out one)"
        )
    else:
        parser.description = "Judge one commit message file (the commit-msg hook)."
        parser.add_argument("message_file", type=Path, help="the file git passes the hook")
    return parser


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The namespace of ``argv`` (default ``sys.argv[1:]``); ``args.command`` names the handler."""
    words = list(sys.argv[1:] if argv is None else argv)
    if len(words) > 1 and words[0] == "policy" and words[1] in _POLICY_ACTIONS:
        args = _policy_action_parser(words[1]).parse_args(words[2:])
        args.command = f"policy {words[1]}"
        return args
    if words[:1] == ["triage"] and "--" in words:
        # Everything after ``--`` goes to pytest untouched (argparse would read its options).
        cut = words.index("--")
        args = build_parser().parse_args(words[:cut])
        args.pytest_args = words[cut + 1 :]
        return args
    return build_parser().parse_args(words)


def _add_triage(triage: argparse.ArgumentParser) -> None:
    triage.epilog = "Arguments after -- go to pytest as they are: triage -- -m 'not slow'"
    _add_common(triage)
    triage.add_argument("--baseline", type=Path, metavar="DIR", help="bundle to compare with")
    source = triage.add_mutually_exclusive_group()
    source.add_argument("--from-junit", type=Path, metavar="FILE", help="read a JUnit XML report")
    source.add_argument("--from-report-log", type=Path, metavar="FILE", help="read a report log")
    triage.add_argument("--json", action="store_true", help="print the bundle path as JSON")
    deep = triage.add_argument_group("deep checks (they rerun the failing tests and their modules)")
    deep.add_argument("--deep", action="store_true", help="every deep check below")
    deep.add_argument("--isolation", action="store_true", help="rerun failures alone, in module")
    deep.add_argument("--polluters", action="store_true", help="search what makes them fail")
    deep.add_argument("--cwd", action="store_true", help="rerun them from another directory")
    deep.add_argument(
        "--flaky", type=_reruns, metavar="N", help="N shuffled reruns (--deep: 6): pass ratios"
    )
    deep.add_argument("--slow", action="store_true", help="durations, tests over the timeout")
    deep.add_argument(
        "--timeout-per-test",
        type=_seconds,
        metavar="S",
        help="--slow lists tests over S seconds (default: per-test-timeout)",
    )


def _reruns(text: str) -> int:
    """``--flaky N``: 2 to 100 reruns (one run tells nothing about a ratio)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 2 <= value <= _MAX_RERUNS:
        raise argparse.ArgumentTypeError(f"{value} reruns: give 2 to {_MAX_RERUNS}")
    return value


def _seconds(text: str) -> float:
    """``--timeout-per-test S``: a finite number of seconds above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text}: give seconds above 0")
    return value


def _add_report(report: argparse.ArgumentParser) -> None:
    _add_common(report)
    report.add_argument(
        "--base", default=None, help="mark findings on lines changed since this git ref"
    )


def _add_mutation(mutation: argparse.ArgumentParser) -> None:
    actions = mutation.add_subparsers(dest="mutation_command", required=True, metavar="ACTION")
    run = actions.add_parser("run", help="run or resume the configured mutation testing")
    _add_common(run)
    run.add_argument("--changed", action="store_true", help="only mutants on changed lines")
    run.add_argument("--base", default=None, help="git ref for --changed (default: origin/main)")
    run.add_argument("--shard", default=None, help="run shard I of N (I/N), for a CI matrix")
    run.add_argument("--workers", type=int, default=None, help="worker processes (default: cores)")
    run.add_argument("--no-cache", action="store_true", help="rerun every mutant and the baseline")
    run.add_argument(
        "--no-threshold", action="store_true", help="do not fail below the threshold (shards)"
    )
    run.add_argument(
        "--update-baseline", action="store_true", help="accept the score as the ratchet baseline"
    )
    run.add_argument("--json", action="store_true", help="print the MutationResult JSON on stdout")
    merge = actions.add_parser("merge", help="merge shard sessions into one session and report")
    _add_common(merge)
    merge.add_argument("sessions", nargs="+", type=Path, help="session.sqlite files of the shards")
    merge.add_argument("--output", type=Path, default=None, help="merged session path")
    merge.add_argument("--no-threshold", action="store_true", help="do not fail below threshold")
    report = actions.add_parser("report", help="print the last mutation result")
    _add_common(report)
    report.add_argument(
        "--format", choices=("text", "markdown", "json", "html"), default="text", help="format"
    )
