"""Deep checks fail closed: a rerun that died is ``not-run``, never a clean label.

Bad flags and settings are one line, exit 2, no bundle.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.conftest import Repo

# Fails in the full run; every later run of it kills its pytest process (a crash mid-rerun).
DIES_ON_RERUN = """\
import os
from pathlib import Path

COUNT = Path(__file__).with_name("runs.txt")


def test_dies_when_rerun():
    runs = int(COUNT.read_text()) + 1 if COUNT.exists() else 1
    COUNT.write_text(str(runs))
    if runs > 1:
        os._exit(3)
    assert False
"""

QUICK_PYTEST = """
[tool.pytest.ini_options]
addopts = "-p no:hypothesispytest -p no:xdist -p no:xdist.looponfail -p no:pytest_cov"
"""


def test_a_rerun_that_died_is_not_run_and_exit_1(repo: Repo) -> None:
    """A pytest that died in a rerun proves nothing about the test: the check is not clean.

    Read as 'passed' (the test did not fail) it would have labelled a real failure
    order-dependent, or called a CWD check clean.
    """
    with (repo.root / "pyproject.toml").open("a", encoding="utf-8") as file:
        file.write(QUICK_PYTEST)
    repo.write("tests/test_dies.py", DIES_ON_RERUN)
    done = repo.qualitykit("triage", "--isolation", "--cwd", "--flaky", "2", "--slow", "--json")
    assert done.returncode == 1, done.stderr
    bundle = repo.root / json.loads(done.stdout)["bundle"]
    deep = json.loads((bundle / "deep.json").read_text(encoding="utf-8"))
    (isolation,) = deep["isolation"]["tests"]
    assert isolation["label"] == "not-run"
    assert deep["isolation"]["status"] == "incomplete"
    assert "pytest exited 3" in deep["isolation"]["reason"]
    assert deep["cwd"]["status"] == "not-run"
    assert deep["cwd"]["tests"][0]["label"] == "not-run"
    assert deep["flaky"]["status"] == "not-run"
    assert deep["flaky"]["seeds"] == [1, 2]
    assert deep["flaky"]["tests"][0]["label"] == "not-run"
    assert deep["slow"]["status"] == "ran"
    summary = (bundle / "summary.md").read_text(encoding="utf-8")
    assert "deep checks did not fully run: isolation, cwd, flaky (exit 1)" in summary
    assert "### Isolation (alone, in its module): INCOMPLETE: pytest exited 3" in summary


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--flaky", "1"), "--flaky: 1 reruns: give 2 to 100"),
        (("--flaky", "many"), "--flaky: not a whole number"),
        (("--timeout-per-test", "0", "--slow"), "--timeout-per-test: 0: give seconds above 0"),
        (("--timeout-per-test", "nan", "--slow"), "--timeout-per-test: nan: give seconds"),
        (("--timeout-per-test", "2"), "--timeout-per-test is for --slow (or --deep)"),
        (("--deep", "--from-junit", "junit.xml"), "deep checks rerun tests"),
    ],
)
def test_bad_deep_flags_are_one_line_exit_2(repo: Repo, args: tuple[str, ...], needle: str) -> None:
    """A bad flag never starts a run or writes a bundle."""
    repo.write("junit.xml", "<testsuite/>")
    done = repo.qualitykit("triage", *args)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert needle in done.stderr
    assert not (repo.root / "reports").exists()


def test_a_bad_per_test_timeout_setting_is_one_line_exit_2(repo: Repo) -> None:
    """``per-test-timeout`` is validated like the other triage settings."""
    repo.configure("[tool.qualitykit.triage]\nper-test-timeout = -1\n")
    done = repo.qualitykit("triage", "--slow")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert "triage.per-test-timeout]: Input should be greater than 0" in done.stderr
    assert not (repo.root / "reports").exists()
