"""``qualitykit triage`` on bad input: one line, exit 2, and no bundle (never half of one)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from tests.integration.triage_fixtures import make_red

if TYPE_CHECKING:
    from tests.conftest import Repo


def _no_bundle(repo: Repo) -> None:
    reports = repo.root / "reports"
    assert not reports.exists() or list(reports.iterdir()) == []


# The plain progress of a run that did start (stderr is a pipe here): not part of the verdict.
_PROGRESS = re.compile(r"^tests: (\d+/(\d+|\?)[ ,(]|pytest exited -?\d+ \()")


def _one_line(stderr: str, *needles: str) -> None:
    said = [line for line in stderr.splitlines() if not _PROGRESS.match(line)]
    assert len(said) == 1, stderr
    assert stderr.endswith("\n"), stderr
    assert "Traceback" not in stderr
    for needle in needles:
        assert needle in stderr, stderr


@pytest.mark.parametrize(
    ("option", "name", "text", "where"),
    [
        ("--from-report-log", "log.jsonl", '{"$report_type": "SessionStart"}\n{oops\n', ":2:"),
        ("--from-junit", "junit.xml", "<testsuite>\n<testcase>\n", ":3:"),
        ("--from-junit", "junit.xml", "<html></html>", ":1:"),
        ("--from-junit", "junit.xml", '<testsuite><testcase name="t" time="abc"/></testsuite>', ""),
    ],
)
def test_corrupt_artifact_is_exit_2_naming_file_and_line(
    repo: Repo, option: str, name: str, text: str, where: str
) -> None:
    """A corrupt CI artifact must not become an empty (passing) triage: exit 2, file:line."""
    artifact = repo.write(name, text)
    done = repo.qualitykit("triage", option, str(artifact))
    assert done.returncode == 2
    _one_line(done.stderr, f"{artifact}{where}")
    _no_bundle(repo)


def test_missing_artifact_and_missing_baseline(repo: Repo) -> None:
    """A report or baseline that is not there is named, before anything runs."""
    missing = repo.qualitykit("triage", "--from-junit", "nowhere.xml")
    assert missing.returncode == 2
    _one_line(missing.stderr, "nowhere.xml", "no such file")
    baseline = repo.qualitykit("triage", "--baseline", "reports/19990101T000000Z")
    assert baseline.returncode == 2
    _one_line(baseline.stderr, "19990101T000000Z", "no such bundle")
    _no_bundle(repo)


def test_a_bundle_without_its_failures_is_not_a_baseline(repo: Repo) -> None:
    """A directory that is not a triage bundle never stands in as 'no known failures'."""
    (repo.root / "old").mkdir()
    done = repo.qualitykit("triage", "--baseline", "old")
    assert done.returncode == 2
    _one_line(done.stderr, "not a triage bundle")
    _no_bundle(repo)


def test_an_empty_suite_is_exit_2(repo: Repo) -> None:
    """0 tests is not a clean suite: nothing was shown to pass."""
    done = repo.qualitykit("triage", "--", "-k", "no_test_has_this_name")
    assert done.returncode == 2
    _one_line(done.stderr, "no test")
    _no_bundle(repo)


def test_a_pytest_that_cannot_start_is_exit_2(repo: Repo) -> None:
    """A usage error (exit 4) is not a red suite with 0 failures."""
    done = repo.qualitykit("triage", "--", "--no-such-pytest-option")
    assert done.returncode == 2
    _one_line(done.stderr, "pytest could not run the suite: exit 4")
    _no_bundle(repo)


def test_collection_errors_are_a_red_run_not_bad_input(repo: Repo) -> None:
    """pytest exits 2 on a collection error: that is a failure to triage, with a bundle."""
    make_red(repo)
    repo.write("tests/test_broken.py", "import no_such_module_anywhere\n")
    done = repo.qualitykit("triage")
    assert done.returncode == 1, done.stderr
    (bundle,) = (repo.root / "reports").iterdir()
    assert "ModuleNotFoundError" in (bundle / "clusters.json").read_text(encoding="utf-8")


def test_pytest_arguments_with_an_artifact_are_refused(repo: Repo) -> None:
    """Arguments after -- would be silently ignored when reading an artifact: refuse them."""
    artifact = repo.write("junit.xml", "<testsuite/>")
    done = repo.qualitykit("triage", "--from-junit", str(artifact), "--", "-x")
    assert done.returncode == 2
    _one_line(done.stderr, "need a run")


def test_a_corrupt_latest_bundle_is_exit_2_not_an_empty_baseline(repo: Repo) -> None:
    """The default baseline is read as a record: corrupt, it is named, never taken as empty."""
    bundle = repo.root / "reports" / "20260101T000000Z"
    bundle.mkdir(parents=True)
    (bundle / "failures.json").write_text('{"failures": [', encoding="utf-8")
    (bundle / "clusters.json").write_text('{"clusters": []}', encoding="utf-8")
    done = repo.qualitykit("triage")
    assert done.returncode == 2
    _one_line(done.stderr, str(bundle / "failures.json"), "malformed")
    assert [path.name for path in (repo.root / "reports").iterdir()] == [bundle.name]


def test_a_suite_that_dies_mid_run_with_exit_0_is_not_a_pass(repo: Repo) -> None:
    """A test calling ``os._exit(0)`` ends pytest with 0 and a cut report log: exit 2."""
    repo.write("tests/test_quits.py", "import os\n\n\ndef test_quits():\n    os._exit(0)\n")
    done = repo.qualitykit("triage", "--", "tests/regression", "tests/test_quits.py")
    assert done.returncode == 2
    _one_line(done.stderr, "ends before the session finished")
    _no_bundle(repo)


def test_a_cut_report_log_artifact_is_exit_2(repo: Repo) -> None:
    """An artifact without pytest's SessionFinish line was cut short: never read as whole."""
    artifact = repo.write(
        "log.jsonl",
        '{"pytest_version": "9.2.0", "$report_type": "SessionStart"}\n'
        '{"nodeid": "t.py::t", "outcome": "passed", "when": "call", '
        '"$report_type": "TestReport"}\n',
    )
    done = repo.qualitykit("triage", "--from-report-log", str(artifact))
    assert done.returncode == 2
    _one_line(done.stderr, f"{artifact}: the report log ends before the session finished")
    _no_bundle(repo)
