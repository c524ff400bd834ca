"""Pinned: the cache reuses a PASS with an unchanged key, never a failure."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from qualitykit.config import parse_config
from qualitykit.results import Status
from qualitykit.runner import run_steps
from qualitykit.steps import resolve
from qualitykit.workspace import Workspace

if TYPE_CHECKING:
    from pathlib import Path

# Counts its runs in runs.log (not an input) and exits with the number in flag.txt (its input).
PROBE = """\
import pathlib, sys
log = pathlib.Path("runs.log")
log.write_text((log.read_text() if log.exists() else "") + "run\\n")
sys.exit(int(pathlib.Path("flag.txt").read_text()))
"""


def test_a_failed_result_is_never_reused_from_the_cache(tmp_path: Path) -> None:
    """A failing step reruns even when none of its inputs changed; a pass is reused.

    Pinned because reusing a failure would hide a fix made outside the declared inputs (a tool
    upgrade, a flaky dependency), and reusing it as anything but a failure would let the gate
    pass unseen. Each run gets a fresh Workspace, as each gate invocation does.
    """
    config = parse_config(
        {"commands": {"probe": {"command": [sys.executable, "-c", PROBE], "inputs": ["flag.txt"]}}},
        "test",
    )
    (tmp_path / "flag.txt").write_text("1", encoding="utf-8")
    steps = resolve(config, ("probe",))

    def gate_run() -> tuple[Status, bool, str | None]:
        (result,) = run_steps(Workspace(root=tmp_path, config=config), steps).steps
        return result.status, result.cached, result.cache_key

    def runs() -> int:
        return len((tmp_path / "runs.log").read_text(encoding="utf-8").splitlines())

    first = gate_run()
    second = gate_run()
    assert first[:2] == (Status.FAIL, False)
    assert second[:2] == (Status.FAIL, False)
    assert first[2] is not None
    assert first[2] == second[2]  # same key: only the status forced the rerun
    assert runs() == 2

    (tmp_path / "flag.txt").write_text("0", encoding="utf-8")
    assert gate_run()[:2] == (Status.PASS, False)
    assert gate_run()[:2] == (Status.PASS, True)
    assert runs() == 3  # the pass was reused without running the command
