"""The ``qualitykit`` command line: arguments parsed by ``cli_parser``, run by ``commands/``."""

from __future__ import annotations

import contextlib
import gc
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from qualitykit import interrupts
from qualitykit.cli_parser import parse
from qualitykit.errors import QualityKitError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence

    from qualitykit.triage.launch import Started


def _check_root(root: Path) -> None:
    """``--root`` must be an existing directory: never a state dir made somewhere invented."""
    shown = repr(str(root))  # quoted: a newline in it stays on the one error line
    if not root.exists():
        raise QualityKitError(f"--root {shown}: no such directory")
    if not root.is_dir():
        raise QualityKitError(f"--root {shown}: not a directory")
    from qualitykit.files import find_root  # noqa: PLC0415

    found = find_root(root)
    if found == Path(found.anchor) and not (found / "pyproject.toml").is_file():
        # No pyproject.toml at or above it: the project would be the whole filesystem.
        raise QualityKitError(f"--root {shown}: the filesystem root is not a project")


# Each command is imported only when it runs: start-up time is part of the no-op gate.
def _gate(args: argparse.Namespace) -> int:
    from qualitykit import fastpath  # noqa: PLC0415
    from qualitykit.files import STATE_DIR, find_root  # noqa: PLC0415
    from qualitykit.runlock import hold_run_lock  # noqa: PLC0415

    selection = fastpath.normalise_selection(args.steps)
    # --verify-incremental must run both ways, never replay.
    replayable = not args.no_cache and not args.verify_incremental and fastpath.applies()
    root = find_root(args.root)
    # The replay runs under the lock too: it rewrites summary.json, and a run in progress may
    # be about to replace both the record and summary.json; waiting for it replays (or reruns)
    # what that run leaves. Its reads alone could not see a half-written file (atomic writes).
    with hold_run_lock(root / STATE_DIR):
        if replayable and fastpath.replay(root, selection, as_json=args.json):
            return 0
        from qualitykit.commands import gate  # noqa: PLC0415

        return gate.run(
            args.root,
            use_cache=not args.no_cache,
            jobs=args.jobs,
            only=args.steps,
            as_json=args.json,
            incremental=args.incremental,
            fail_fast=args.fail_fast,
            verify_incremental=args.verify_incremental,
        )


def _check(args: argparse.Namespace) -> int:
    from qualitykit.commands import check  # noqa: PLC0415

    return check.run(args.root, args.step, use_cache=not args.no_cache, as_json=args.json)


def _summary(args: argparse.Namespace) -> int:
    from qualitykit.commands import summary  # noqa: PLC0415

    return summary.run(args.root, as_json=args.json)


def _steps(args: argparse.Namespace) -> int:
    from qualitykit.commands import steps  # noqa: PLC0415

    return steps.run(args.root)


def _coverage(args: argparse.Namespace) -> int:
    from qualitykit.commands import coverage  # noqa: PLC0415

    if args.coverage_command == "ratchet":
        return coverage.ratchet_update(args.root)
    if args.coverage_command == "diff":
        from qualitykit.commands import coverage_diff  # noqa: PLC0415

        return coverage_diff.run(
            args.root,
            base=args.base,
            xml=args.coverage_xml,
            fail_under=args.fail_under,
            as_json=args.json,
        )
    return coverage.write_badge(args.root, hook=args.hook)


def _baseline(args: argparse.Namespace) -> int:
    from qualitykit.commands import baseline  # noqa: PLC0415

    return baseline.update(args.root) if args.update else baseline.record(args.root)


def _mutation(args: argparse.Namespace) -> int:
    from qualitykit.commands import mutation  # noqa: PLC0415

    if args.mutation_command == "merge":
        return mutation.merge(
            args.root, args.sessions, args.output, apply_threshold=not args.no_threshold
        )
    if args.mutation_command == "report":
        return mutation.report(args.root, args.format)
    base = args.base if args.base is not None else ("origin/main" if args.changed else None)
    if base is not None and not args.changed:
        raise QualityKitError("--base needs --changed")
    return mutation.run(
        args.root,
        changed_base=base,
        shard=args.shard,
        workers=args.workers,
        use_cache=not args.no_cache,
        apply_threshold=not args.no_threshold,
        update_baseline=args.update_baseline,
        as_json=args.json,
    )


def _policy(args: argparse.Namespace) -> int:
    # qualitykit: allow[QK-INT-070] each command is imported only when it runs, as above
    from qualitykit.commands import policy  # noqa: PLC0415

    return policy.run(args.root, args.files, base=args.base, as_json=args.json)


def _policy_commits(args: argparse.Namespace) -> int:
    # qualitykit: allow[QK-INT-070] each command is imported only when it runs, as above
    from qualitykit.commands import policy_commits  # noqa: PLC0415

    return policy_commits.commits(args.root, args.spec, branch=args.branch, as_json=args.json)


def _policy_commit_msg(args: argparse.Namespace) -> int:
    # qualitykit: allow[QK-INT-070] each command is imported only when it runs, as above
    from qualitykit.commands import policy_commits  # noqa: PLC0415

    return policy_commits.commit_msg(args.root, args.message_file, as_json=args.json)


def _init(args: argparse.Namespace) -> int:
    from qualitykit.commands import init  # noqa: PLC0415

    return init.run(args.root, dry_run=args.dry_run, strict=args.strict, baseline=args.baseline)


def _triage(args: argparse.Namespace) -> int:
    every = args.deep
    if args.timeout_per_test is not None and not (every or args.slow):
        raise QualityKitError("--timeout-per-test is for --slow (or --deep)")
    with contextlib.ExitStack() as stack:
        started = None
        if args.from_junit is None and args.from_report_log is None:
            # The suite starts first: the rest of triage's start-up overlaps it.
            # qualitykit: allow[QK-INT-070] standard library only, before anything else loads
            from qualitykit.triage.launch import start  # noqa: PLC0415

            started = start(args.root, _pytest_args(args), stack)
        return _triage_started(args, started)


def _pytest_args(args: argparse.Namespace) -> list[str]:
    found: list[str] = getattr(args, "pytest_args", [])
    return found


def _triage_started(args: argparse.Namespace, started: Started | None) -> int:
    # qualitykit: allow[QK-INT-070] each command is imported only when it runs, as above
    from qualitykit.commands import triage  # noqa: PLC0415
    from qualitykit.triage.deep_models import DEEP_FLAKY_RUNS, DeepRequest  # noqa: PLC0415

    every = args.deep
    flaky = args.flaky if args.flaky is not None else (DEEP_FLAKY_RUNS if every else None)
    deep = DeepRequest(
        isolation=every or args.isolation,
        polluters=every or args.polluters,
        cwd=every or args.cwd,
        flaky_runs=flaky,
        slow=every or args.slow,
        per_test_timeout_s=args.timeout_per_test,
    )
    return triage.run(
        args.root,
        baseline=args.baseline,
        from_junit=args.from_junit,
        from_report_log=args.from_report_log,
        pytest_args=_pytest_args(args),
        as_json=args.json,
        deep=deep,
        started=started,
    )


def _report(args: argparse.Namespace) -> int:
    # qualitykit: allow[QK-INT-070] each command is imported only when it runs, as above
    from qualitykit.commands import report  # noqa: PLC0415

    return report.run(args.root, base=args.base)


_HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "gate": _gate,
    "check": _check,
    "summary": _summary,
    "steps": _steps,
    "coverage": _coverage,
    "baseline": _baseline,
    "mutation": _mutation,
    "policy": _policy,
    "policy commits": _policy_commits,
    "policy commit-msg": _policy_commit_msg,
    "init": _init,
    "triage": _triage,
    "report": _report,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``qualitykit`` console script; returns the exit code."""
    interrupts.install()
    try:
        args = parse(argv)
        _check_root(args.root)
        return _HANDLERS[args.command](args)
    except QualityKitError as error:
        print(f"qualitykit: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt as error:
        # By now the runner's cleanup has ended every step (see interrupts, processes.LIVE).
        if isinstance(error, interrupts.Interrupted):
            stop = error
        else:  # raised by code, not by our handler: Ctrl-C all the same
            stop = interrupts.Interrupted(signal.SIGINT)
        # After SIGHUP the terminal may be gone: the exit code still tells.
        with contextlib.suppress(OSError):
            print(f"qualitykit: interrupted ({stop.signal_name})", file=sys.stderr)
        return stop.exit_code
    finally:
        # The process ends next: without this, its final collection walks every object
        # pydantic built (0.2-0.3 s on two cores: 3-4 % of python-dateutil's suite for
        # triage, benchmarks/triage.py part b; as much of an incremental gate). Frozen
        # objects are skipped; atexit handlers and stream flushes still run.
        gc.freeze()
