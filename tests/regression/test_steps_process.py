"""Regression: a tool the operating system refuses to start is that step's error."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Repo


@pytest.mark.parametrize(
    "cause", ["bad interpreter line", "not executable", "argument list too long"]
)
def test_a_command_that_cannot_start_is_that_steps_error(repo: Repo, cause: str) -> None:
    """A tool the OS refuses to start is the step's ``error``, never a gate traceback.

    It broke: ``Popen`` raised ``OSError`` (ENOENT for a ``#!`` line naming no interpreter,
    E2BIG for a 300 kB argument) through the runner (a script without its x bit was reported
    as "not installed"), so the gate ended with a traceback and
    exit 1, named no step and left the previous ``summary.json`` in place.
    """
    if cause == "bad interpreter line":
        script = repo.write("tool.sh", "#!/no/such/interpreter\necho hi\n")
        script.chmod(0o755)
        command = '["./tool.sh"]'
    elif cause == "not executable":
        repo.write("tool.sh", "#!/bin/sh\necho hi\n").chmod(0o644)
        command = '["./tool.sh"]'
    else:
        command = '["python", "-c", "pass", "' + "x" * 300_000 + '"]'
    repo.configure(
        f'gate = ["broken", "ruff-lint"]\n[tool.qualitykit.commands.broken]\ncommand = {command}\n'
    )

    run = repo.gate()

    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines()[-1] == "gate failed: broken", run.stderr[-2000:]
    summary = repo.summary()
    assert summary["broken"]["status"] == "error"
    assert summary["broken"]["summary"].startswith("cannot start"), summary["broken"]
    assert summary["ruff-lint"]["status"] == "pass"
