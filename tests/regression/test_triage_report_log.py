"""``qualitykit triage`` and report logs: the project's own stays its own; ours is reportlog's.

Broke: triage passed pytest-reportlog's ``--report-log`` after the project's addopts, so a
project that writes its own report log (``--report-log=theirs.jsonl``) lost it whenever it
triaged. Triage now writes its log with a plugin of its own (``triage/reportlog.py``), under
an option of its own, in the records pytest-reportlog writes.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import TYPE_CHECKING

from tests.integration.triage_fixtures import make_red
from tests.unit.test_triage_units import SUBTESTS, SUITE

from qualitykit.triage import reportlog

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import Repo

# Times differ between two runs; the rest of each record must not (but addresses).
_TIMES = {"start", "stop", "duration"}


def test_the_projects_report_log_is_kept(repo: Repo) -> None:
    """The project's ``--report-log`` file is written, and the bundle has its own log."""
    make_red(repo)
    repo.configure(
        """
        [tool.pytest.ini_options]
        addopts = "--report-log=theirs.jsonl"
        """
    )
    done = repo.qualitykit("triage", timeout=120)
    assert done.returncode == 1, done.stderr
    theirs = (repo.root / "theirs.jsonl").read_text(encoding="utf-8").splitlines()
    reports = repo.root / "reports"
    bundle = next(path for path in reports.iterdir() if not path.name.startswith("."))
    ours = (bundle / "report-log.jsonl").read_text(encoding="utf-8").splitlines()
    assert [_comparable(line) for line in ours] == [_comparable(line) for line in theirs]
    assert json.loads(ours[-1]) == {"exitstatus": 1, "$report_type": "SessionFinish"}


def _comparable(line: str) -> dict[str, object]:
    # An object's repr in a traceback's arguments carries its address, new in every run.
    record = json.loads(re.sub(r"0x[0-9a-f]+", "0x", line))
    assert isinstance(record, dict)
    return {key: value for key, value in record.items() if key not in _TIMES}


def test_our_records_are_pytest_reportlogs(tmp_path: Path) -> None:
    """Failures, chains, skips, xfails, subtests and a warning: the same records, line by line."""
    (tmp_path / "test_suite.py").write_text(SUITE, encoding="utf-8")
    (tmp_path / "test_sub.py").write_text(SUBTESTS, encoding="utf-8")
    (tmp_path / "test_warns.py").write_text(
        "import warnings\n\n\ndef test_warns():\n    warnings.warn('careful', UserWarning)\n",
        encoding="utf-8",
    )
    theirs, ours = tmp_path / "theirs.jsonl", tmp_path / "ours.jsonl"
    for options in (
        ["-p", "pytest_reportlog", f"--report-log={theirs}"],
        ["-p", reportlog.__name__, f"{reportlog.OPTION}={ours}"],
    ):
        subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *options,
             "--rootdir", str(tmp_path)],
            cwd=tmp_path, capture_output=True, check=False, timeout=120,
        )  # fmt: skip
    read = [
        [_comparable(line) for line in path.read_text(encoding="utf-8").splitlines()]
        for path in (theirs, ours)
    ]
    assert read[1] == read[0]
    kinds = {record["$report_type"] for record in read[1]}
    assert {"SubTestReport", "WarningMessage", "CollectReport", "TestReport"} <= kinds
