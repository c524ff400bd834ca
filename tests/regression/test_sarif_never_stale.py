"""The gate's SARIF file is this run's or none, and a path blocking it stops the gate first."""

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


def test_a_directory_at_gate_sarif_stops_the_gate_before_any_step(repo: Repo) -> None:
    """A directory where ``gate.sarif`` goes is exit 2, one line, before any step runs.

    Found only when the file is written, it would come after every step ran: a "gate passed"
    table followed by an error, and the steps' results stored for a run that ended in exit 2.
    """
    repo.configure('gate = ["quick"]\n[tool.qualitykit.commands.quick]\ncommand = ["true"]\n')
    (repo.root / ".qualitykit" / "gate.sarif").mkdir(parents=True)

    run = repo.gate("--no-cache")

    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "gate.sarif" in lines[0]
    assert "is a directory" in lines[0]
    assert not (repo.root / ".qualitykit" / "results").exists()
