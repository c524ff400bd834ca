"""Adoption figures per real target: init, init --baseline, the full gate, a no-op rerun.

Run: ``.venv/bin/python -m benchmarks.adoption [--targets DIR] [NAME ...]``. For each target of
``../shared/targets`` (fetched into DIR first, or reused there), on a throwaway copy with a venv
of its own outside the tree (the built wheel, the target itself, its pinned test_deps):

- ``init``: ``qualitykit init`` alone (the plan and the writes; target <= 5 s);
- ``baseline``: ``qualitykit init --baseline`` after it (measures coverage, records findings);
- ``full gate``: ``qualitykit gate --no-cache`` (every step run afresh);
- ``no-op rerun``: ``make quality`` right after (nothing changed: replayed);
- the baseline's size per step.

Prints one table; the ratio column is the no-op rerun against the full gate. Exit 1 when a
command failed or the gate was not green.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.targets import base_env, build_wheel, fetched, run, set_up

TARGETS = ("python-slugify", "parse", "toolz", "python-dateutil")
INIT_TARGET_S = 5.0


@dataclass(frozen=True)
class Figures:
    """One target's adoption: seconds per command and the baseline's size per step."""

    target: str
    init: float
    baseline: float
    full: float
    noop: float
    sizes: dict[str, int]


def adopt(name: str, source: Path, wheel: Path, work: Path) -> Figures:
    """Copy, set up and adopt one target; its figures."""
    root, env = set_up(name, source, wheel, work)
    init = run(["qualitykit", "init"], root, env, what="adoption")
    baseline = run(["qualitykit", "init", "--baseline"], root, env, what="adoption")
    full = run(["qualitykit", "gate", "--no-cache"], root, env, what="adoption")
    noop = run(["make", "quality"], root, env, what="adoption")
    recorded = json.loads((root / "qualitykit-baseline.json").read_text(encoding="utf-8"))
    sizes = {step: len(entries) for step, entries in recorded["steps"].items()}
    return Figures(name, init, baseline, full, noop, sizes)


def main() -> int:
    """Adopt every named target and print the figures."""
    parser = argparse.ArgumentParser(prog="benchmarks.adoption")
    parser.add_argument(
        "--targets", type=Path, default=Path(tempfile.gettempdir()) / "qualitykit-targets"
    )
    parser.add_argument("names", nargs="*", default=list(TARGETS))
    args = parser.parse_args()
    env = base_env()
    rows: list[Figures] = []
    with tempfile.TemporaryDirectory(prefix="qk-adoption-") as scratch:
        work = Path(scratch)
        wheel = build_wheel(work, env)
        rows.extend(
            adopt(name, fetched(name, args.targets, env), wheel, work) for name in args.names
        )
    print(
        f"{'target':<16} {'init':>6} {'--baseline':>10} {'full gate':>10} {'no-op':>7} "
        f"{'no-op/full':>10}  baseline per step"
    )
    slow = False
    for row in rows:
        sizes = ", ".join(f"{step} {count}" for step, count in row.sizes.items()) or "empty"
        slow = slow or row.init > INIT_TARGET_S
        print(
            f"{row.target:<16} {row.init:6.2f} {row.baseline:10.1f} {row.full:10.1f} "
            f"{row.noop:7.2f} {row.noop / row.full:10.3f}  {sizes}"
        )
    print(f"init target: <= {INIT_TARGET_S:g} s ({'not met' if slow else 'met'})")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
