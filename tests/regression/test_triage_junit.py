"""``qualitykit triage`` and JUnit: the project's own report stays its own; ours is whole."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from tests.integration.triage_fixtures import make_red

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import Repo

_MORE_TESTS = """\
import pytest


@pytest.mark.skip(reason="not on this machine")
def test_skipped():
    pass


@pytest.mark.xfail(reason="known")
def test_expected_to_fail():
    assert False
"""


def _bundle(repo: Repo) -> Path:
    reports = repo.root / "reports"
    return next(path for path in reports.iterdir() if not path.name.startswith("."))


def test_the_projects_junitxml_and_junit_settings_are_kept(repo: Repo) -> None:
    """The project's own ``--junitxml`` (its addopts) is written; the bundle's follows its settings.

    Triage passed its own ``--junitxml`` after the project's addopts, so pytest wrote only
    ours: a project that publishes ``theirs.xml`` lost it whenever it triaged (the project's
    settings must win). Triage now writes the bundle's ``junit.xml`` itself, from the report
    log, with pytest's writer and the project's ``junit_*`` settings: it must still be the
    JUnit pytest would write (suite name, xunit1's file attribute, skips, xfails, failures)
    and read back by ``--from-junit`` as the same failures.
    """
    make_red(repo)
    repo.write("tests/test_more.py", _MORE_TESTS)
    repo.configure(
        """
        [tool.pytest.ini_options]
        addopts = "--junitxml=theirs.xml"
        junit_family = "xunit1"
        junit_suite_name = "mine"
        """
    )
    done = repo.qualitykit("triage", timeout=120)
    assert done.returncode == 1, done.stderr
    theirs = ET.parse(repo.root / "theirs.xml").getroot()  # noqa: S314 - pytest's own file
    ran = len(list(theirs.iter("testcase")))
    assert ran > 9

    bundle = _bundle(repo)
    suite = ET.parse(bundle / "junit.xml").getroot().find("testsuite")  # noqa: S314 - ours
    assert suite is not None
    assert suite.get("name") == "mine"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == (str(ran), "7", "2")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert cases["test_skipped"].find("skipped") is not None
    assert cases["test_expected_to_fail"].find("skipped") is not None
    assert cases["test_parse_one"].get("file") == "tests/test_red.py"  # xunit1 only
    assert cases["test_parse_one"].find("failure") is not None

    failures = json.loads((bundle / "failures.json").read_text(encoding="utf-8"))["failures"]
    read = repo.qualitykit("triage", "--from-junit", str(bundle / "junit.xml"), timeout=120)
    assert read.returncode == 0, read.stderr  # the same failures as the run before
    again = max((repo.root / "reports").iterdir())
    reread = json.loads((again / "failures.json").read_text(encoding="utf-8"))["failures"]
    assert sorted(f["test_id"] for f in reread) == sorted(f["test_id"] for f in failures)
