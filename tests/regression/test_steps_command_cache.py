"""Regression: a command step reuses a cached PASS only while all it reads is unchanged."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Repo

DOCS_STEP = """\
gate = ["docs"]
[tool.qualitykit.commands.docs]
command = ["python", "scripts/check_docs.py"]
inputs = ["docs/**/*.md"]
"""


def test_editing_the_script_a_command_runs_reruns_it(repo: Repo) -> None:
    """The README's own example: the script named on the command line is one of its inputs.

    It broke: only the ``inputs`` globs (docs/**/*.md) keyed the cache, so after the script
    was changed to ``sys.exit(1)`` the gate still printed ``PASS docs … (cached)``: a stale
    pass of a check that now fails.
    """
    repo.configure(DOCS_STEP)
    repo.write("docs/index.md", "# Docs\n")
    repo.write("scripts/check_docs.py", "import sys\n\nsys.exit(0)\n")
    assert repo.gate().returncode == 0
    assert repo.summary()["docs"]["status"] == "pass"

    repo.write("scripts/check_docs.py", "import sys\n\nsys.exit(1)\n")
    run = repo.gate()

    assert run.returncode == 1, run.stderr
    docs = repo.summary()["docs"]
    assert (docs["status"], docs["cached"]) == ("fail", False)


def test_a_command_without_inputs_is_keyed_on_every_project_file(repo: Repo) -> None:
    """A command that does not say what it reads may read anything: any edit reruns it.

    Unchanged, its PASS is reused (it used to rerun every time, and kept the whole gate off
    the no-op fast path); a change to a file it reads but nobody declared makes it run again.
    """
    repo.configure(
        'gate = ["data"]\n[tool.qualitykit.commands.data]\n'
        'command = ["python", "-c", "import sys; sys.exit(open(\'data.txt\').read() != \'ok\')"]\n'
    )
    repo.write("data.txt", "ok")
    assert repo.gate().returncode == 0
    again = repo.qualitykit("check", "data", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["cached"] is True

    repo.write("data.txt", "broken")
    run = repo.qualitykit("check", "data", "--json")

    assert run.returncode == 1, run.stderr
    assert json.loads(run.stdout)["status"] == "fail"
