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
    E2BIG for arguments past the kernel's limit) through the runner (a script without its x
    bit was reported as "not installed"), so the gate ended with a traceback and exit 1,
    named no step and left the previous ``summary.json`` in place.
    """
    if cause == "bad interpreter line":
        script = repo.write("tool.sh", "#!/no/such/interpreter\necho hi\n")
        script.chmod(0o755)
        command = '["./tool.sh"]'
    elif cause == "not executable":
        repo.write("tool.sh", "#!/bin/sh\necho hi\n").chmod(0o644)
        command = '["./tool.sh"]'
    else:
        # Each argument is within the config's limits (4096 characters); together they pass
        # the kernel's limit for this run (a quarter of the 1 MiB stack limit set below).
        command = '["python", "-c", "pass", ' + ", ".join(['"' + "x" * 4000 + '"'] * 100) + "]"
    repo.configure(
        f'gate = ["broken", "ruff-lint"]\n[tool.qualitykit.commands.broken]\ncommand = {command}\n'
    )

    # A lower stack limit lowers the kernel's argument-size limit (ARG_MAX) for the gate's
    # children: E2BIG without an argument the configuration would refuse.
    run = (
        repo.qualitykit("gate", wrapper=("bash", "-c", 'ulimit -s 1024 && exec "$@"', "limit"))
        if cause == "argument list too long"
        else repo.gate()
    )

    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines()[-1] == "gate failed: broken", run.stderr[-2000:]
    summary = repo.summary()
    assert summary["broken"]["status"] == "error"
    assert summary["broken"]["summary"].startswith("cannot start"), summary["broken"]
    assert summary["ruff-lint"]["status"] == "pass"
