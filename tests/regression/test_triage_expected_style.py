"""Fixed: triage made pytest format every expected failure's traceback in the long style.

Broke: triage runs pytest with ``--tb=long`` (each frame's function, for clusters), and pytest
formats a failed call's traceback before the ``xfail`` marker makes it "xfailed". On
python-dateutil the long style of its 17 expected failures, which nothing reads, was about a
fifth of the suite's time (profiled for ``benchmarks/triage.py`` part b). An xfail-marked
test's call is now formatted in pytest's cheap ``native`` style; a real failure keeps the long
one, and an xfail test that fails after all is still read: type, message and frames.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.conftest import Repo

SUITE = """\
import pytest


def helper():
    raise ValueError("a known bug")


@pytest.mark.xfail(reason="known")
def test_known():
    helper()


@pytest.mark.xfail(raises=KeyError, reason="only a KeyError is expected")
def test_wrong_exception():
    helper()


def test_chained():
    try:
        helper()
    except ValueError as error:
        raise RuntimeError("wrapped") from error
"""


def _records(bundle_log: str) -> dict[str, dict[str, Any]]:
    """The call reports of the report log, by test name."""
    found: dict[str, dict[str, Any]] = {}
    for line in bundle_log.splitlines():
        record = json.loads(line)
        if record.get("$report_type") == "TestReport" and record.get("when") == "call":
            found[record["nodeid"].rpartition("::")[2]] = record
    return found


def test_expected_failures_are_formatted_natively_and_still_read(repo: Repo) -> None:
    """xfailed: native; a wrong exception: still a failure with its frames; a chain: long."""
    repo.write("tests/regression/test_expected.py", SUITE)
    done = repo.qualitykit("triage", timeout=120)
    assert done.returncode == 1, done.stderr
    bundle = next(p for p in (repo.root / "reports").iterdir() if not p.name.startswith("."))
    calls = _records((bundle / "report-log.jsonl").read_text(encoding="utf-8"))
    assert calls["test_known"]["outcome"] == "skipped"
    assert calls["test_known"]["longrepr"]["reprtraceback"]["style"] == "native"
    assert calls["test_chained"]["longrepr"]["reprtraceback"]["style"] == "long"
    failures = {
        failure["test_id"].rpartition("::")[2]: failure
        for failure in json.loads((bundle / "failures.json").read_text(encoding="utf-8"))[
            "failures"
        ]
    }
    assert set(failures) == {"test_wrong_exception", "test_chained"}
    wrong = failures["test_wrong_exception"]
    assert wrong["exception"] == {"type": "ValueError", "message": "a known bug"}
    assert [frame["function"] for frame in wrong["frames"]][-2:] == [
        "test_wrong_exception",
        "helper",
    ]
    chained = failures["test_chained"]
    assert chained["exception"]["type"] == "RuntimeError"
    assert [cause["type"] for cause in chained["chain"]] == ["ValueError"]


def test_a_suite_run_with_native_tracebacks_is_read(repo: Repo) -> None:
    """Fixed: the user's ``--tb=native`` made every failure's record "not a report-log record".

    pytest serialises a native-style failure without a chain (``"chain": null``); triage's
    reading of the log took that for a corrupt line and stopped with exit 2.
    """
    repo.write("tests/regression/test_expected.py", SUITE)
    done = repo.qualitykit("triage", "--", "--tb=native", timeout=120)
    assert done.returncode == 1, done.stderr
    bundle = next(p for p in (repo.root / "reports").iterdir() if not p.name.startswith("."))
    failures = json.loads((bundle / "failures.json").read_text(encoding="utf-8"))["failures"]
    assert {failure["exception"]["type"] for failure in failures} == {"ValueError", "RuntimeError"}
    innermost = {f["test_id"].rpartition("::")[2]: f["frames"][-1]["function"] for f in failures}
    assert innermost == {"test_wrong_exception": "helper", "test_chained": "test_chained"}
