"""The gate's SARIF file is this run's or none: an interrupted run leaves no earlier one behind."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Repo

# A step that interrupts the gate running it (its parent), as Ctrl-C would.
STOP = '["python", "-c", "import os, signal; os.kill(os.getppid(), signal.SIGINT)"]'


def test_an_interrupted_gate_leaves_no_earlier_sarif_behind(repo: Repo) -> None:
    """An interrupted gate must not leave the previous run's ``gate.sarif`` in place.

    The file is uploaded to code scanning with ``if: always()``; a run that was interrupted
    before writing its own would otherwise hand over an earlier run's findings (or an earlier
    clean run) as if they were this run's: a stale pass. It is removed when a run starts.
    """
    repo.configure('gate = ["ruff-format"]')
    assert repo.gate().returncode == 0
    sarif = repo.root / ".qualitykit" / "gate.sarif"
    assert sarif.is_file()
    repo.configure(f'gate = ["stop"]\n[tool.qualitykit.commands.stop]\ncommand = {STOP}\n')

    run = repo.gate()

    assert run.returncode not in {0, 1}, run.stderr  # interrupted, not judged
    assert "Traceback" not in run.stderr
    assert not sarif.exists()
