"""The end of one run never kills processes started after it, outside any run.

Broke (while adding interrupt handling): ending a run marked the process table closed for
good, so in a program that used the API once, every later process the runner started was
SIGKILLed at birth and its step reported "killed by SIGKILL": an error for a clean project.
Only the ended run's own threads may have their late processes killed.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import qualitykit
from qualitykit.processes import run_process

if TYPE_CHECKING:
    from conftest import Repo


def test_a_process_started_after_a_finished_run_runs(repo: Repo) -> None:
    repo.configure('[tool.qualitykit.commands.quick]\ncommand = ["python", "-c", "pass"]\n')
    assert qualitykit.run_step("quick", repo.root).status == "pass"

    later = run_process([sys.executable, "-c", "print('ran')"], repo.root, 60)

    assert later.returncode == 0, later
    assert later.stdout == "ran\n"
