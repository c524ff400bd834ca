"""Pinned: a coverage group that matches no file is a configuration error, never 100 %.

Broke: a group whose ``include`` matched nothing (a typo, a moved package) summed zero files
into 0/0 statements, which coverage.py reports as 100 %: the group passed its floor forever
while guarding nothing. Now an include that matches no project file ends the command with
exit 2 naming the key, before any test runs; an include that matches project files of which
coverage measured none makes the step an error naming the group.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Repo


def _configure(repo: Repo, include: str) -> None:
    repo.configure(
        'gate = ["coverage"]\n'
        "[tool.qualitykit.coverage]\n"
        'tests = ["tests"]\n'
        "ratchet = false\n"
        "[tool.qualitykit.coverage.groups.parsers]\n"
        f"include = {include}\n"
        "floor = 95\n"
        "[tool.coverage.run]\n"
        'source = ["src/pkg"]\n'
    )


def test_an_include_that_matches_no_file_exits_2_before_running_tests(repo: Repo) -> None:
    """A typo in the include: exit 2, one line naming the key; the suite never started."""
    _configure(repo, '["src/pkg/parsres/*.py"]')
    for command in (("check", "coverage"), ("gate",)):
        run = repo.qualitykit(*command)
        assert run.returncode == 2, run.stdout + run.stderr
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1, run.stderr
        assert "[tool.qualitykit.coverage.groups.parsers] include" in lines[0]
        assert "src/pkg/parsres/*.py" in lines[0]
    assert not (repo.root / ".qualitykit/junit/coverage.xml").exists()


def test_an_include_whose_files_were_not_measured_is_an_error(repo: Repo) -> None:
    """The include matches a project file outside coverage's ``source``: 0 measured files."""
    repo.write("scripts/release.py", '"""Release helper."""\n')
    _configure(repo, '["scripts/*.py"]')
    run = repo.qualitykit("check", "coverage", "--json")
    assert run.returncode == 1, run.stdout + run.stderr
    result = json.loads(run.stdout)
    assert result["status"] == "error"
    assert "'parsers'" in result["summary"]
    assert "no measured file" in result["summary"]
