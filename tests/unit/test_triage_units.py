"""Triage's capture and signatures, on report logs written by real pytest runs."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from qualitykit.errors import QualityKitError
from qualitykit.progress import Tracker
from qualitykit.triage.capture import parse_report_log
from qualitykit.triage.delta import latest_bundle
from qualitykit.triage.follow import KEY, ReportLogFollower
from qualitykit.triage.junit import parse_junit_file
from qualitykit.triage.models import Failure, Frame, RaisedException
from qualitykit.triage.signature import cluster_id, normalise_message, project_path, signature

SUITE = """\
import pytest


def helper(value):
    try:
        raise KeyError(value)
    except KeyError as error:
        raise ValueError(f"bad value {value} at 0xdeadbeef") from error


def test_ok():
    pass


def test_fail():
    print("said before failing")
    helper(3)


@pytest.fixture
def broken():
    raise RuntimeError("setup broke")


def test_setup_error(broken):
    pass


@pytest.mark.xfail(strict=True)
def test_strict_xpass():
    pass


@pytest.mark.skip(reason="not here")
def test_skipped():
    pass
"""


def _run(tmp_path: Path, *files: tuple[str, str]) -> tuple[str, Path]:
    for name, text in files:
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    log, junit = tmp_path / "log.jsonl", tmp_path / "junit.xml"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "pytest_reportlog", f"--report-log={log}",
         f"--junitxml={junit}", "-p", "no:cacheprovider", "-q", "--rootdir", str(tmp_path)],
        cwd=tmp_path, capture_output=True, check=False, timeout=120,
    )  # fmt: skip
    return log.read_text(encoding="utf-8"), junit


def test_report_log_capture_is_typed(tmp_path: Path) -> None:
    """Phase, kind, exception, chain, frames with functions, output and counts come through."""
    text, _ = _run(tmp_path, ("test_suite.py", SUITE))
    capture = parse_report_log(text, tmp_path / "log.jsonl")
    by_test = {failure.test_id.split("::")[-1]: failure for failure in capture.failures}
    assert set(by_test) == {"test_fail", "test_setup_error", "test_strict_xpass"}
    fail = by_test["test_fail"]
    assert (fail.phase, fail.kind) == ("call", "failed")
    assert fail.exception == RaisedException(type="ValueError", message="bad value 3 at 0xdeadbeef")
    assert fail.chain == (RaisedException(type="KeyError", message="3"),)
    assert [frame.function for frame in fail.frames] == ["test_fail", "helper"]
    assert fail.frames[-1] == Frame(file="test_suite.py", line=8, function="helper")
    assert "said before failing" in fail.output
    error = by_test["test_setup_error"]
    assert (error.phase, error.kind, error.exception.type) == ("setup", "error", "RuntimeError")
    assert by_test["test_strict_xpass"].kind == "xpass-strict"
    counts = capture.counts
    assert (counts.tests, counts.passed, counts.failed, counts.errors, counts.skipped) == (
        5, 1, 2, 1, 1,
    )  # fmt: skip
    assert capture.exit_status == 1


def test_collection_error_is_a_failure_of_its_own_kind(tmp_path: Path) -> None:
    """A module that cannot be imported is a ``collection`` failure with its exception."""
    text, _ = _run(tmp_path, ("test_broken.py", "import no_such_module_here\n"))
    (failure,) = parse_report_log(text, tmp_path / "log.jsonl").failures
    assert (failure.kind, failure.phase) == ("collection", "collect")
    assert failure.exception.type == "ModuleNotFoundError"


def test_junit_ingest_says_it_has_less_detail(tmp_path: Path) -> None:
    """JUnit gives the failures and frames without functions, and the capture says so."""
    _, junit = _run(tmp_path, ("test_suite.py", SUITE))
    capture = parse_junit_file(junit.read_text(encoding="utf-8"), junit)
    assert not capture.detailed
    assert len(capture.failures) == 3
    fail = next(f for f in capture.failures if f.test_id == "test_suite.py::test_fail")
    assert fail.exception.type == "ValueError"
    assert fail.frames[-1] == Frame(file="test_suite.py", line=8)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('{"$report_type": "SessionStart"}\nnot json\n', 2),
        ('{"$report_type": "SessionStart"}\n\n{"nodeid": "x"}\n', 3),
        ('{"$report_type": "TestReport", "duration": "slow"}\n', 1),
    ],
)
def test_corrupt_report_log_names_file_and_line(tmp_path: Path, text: str, line: int) -> None:
    """A line that is not a report-log record is an exit-2 error naming file:line."""
    path = tmp_path / "log.jsonl"
    with pytest.raises(QualityKitError, match=rf"^{path}:{line}: not a pytest report-log record"):
        parse_report_log(text, path)


def test_corrupt_junit_names_file_and_line(tmp_path: Path) -> None:
    """XML that does not parse is an exit-2 error naming file:line."""
    path = tmp_path / "junit.xml"
    with pytest.raises(QualityKitError, match=rf"^{path}:2: not JUnit XML"):
        parse_junit_file("<testsuite>\n<testcase></testsuite>", path)


def _failure(root: PurePosixPath, message: str) -> Failure:
    return Failure(
        test_id="tests/test_x.py::test_x",
        phase="call",
        kind="failed",
        exception=RaisedException(type="ValueError", message=message),
        frames=(
            Frame(file=str(root / "tests/test_x.py"), line=3, function="test_x"),
            Frame(file=str(root / "src/pkg/mod.py"), line=9, function="parse"),
            Frame(file="/usr/lib/python3.11/json/decoder.py", line=355, function="raw_decode"),
        ),
    )


_SEGMENT = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=12)


@given(
    first=st.lists(_SEGMENT, min_size=1, max_size=5),
    second=st.lists(_SEGMENT, min_size=1, max_size=5),
    numbers=st.lists(st.integers(min_value=0, max_value=10**12), min_size=2, max_size=2),
)
# Found by hypothesis: a checkout under a directory named like pytest's package (or python3)
# made every frame "not the project's", so its failures clustered apart from the same cause.
@example(first=["0"], second=["_pytest"], numbers=[0, 0])
@example(first=["srv", "python3"], second=["home"], numbers=[1, 1])
def test_cluster_id_never_depends_on_root_or_numbers(
    first: list[str], second: list[str], numbers: list[int]
) -> None:
    """Two checkouts, two runs with other values: the same cause gets the same id."""
    roots = [PurePosixPath("/", *first), PurePosixPath("/", *second)]
    ids = {
        cluster_id(signature(_failure(root, f"item {number} at 0x{number:x} in /tmp/x{number}"),
                             Path(root)))
        for root, number in zip(roots, numbers, strict=True)
    }  # fmt: skip
    assert len(ids) == 1


def test_signature_root_is_the_innermost_project_frame() -> None:
    """The stdlib frame below the project's is skipped; the path is relative to the root."""
    text = signature(_failure(PurePosixPath("/home/u/proj"), "x"), Path("/home/u/proj"))
    assert text.splitlines()[-1] == "src/pkg/mod.py::parse"


@pytest.mark.parametrize(
    ("message", "normal"),
    [
        ("Box object at 0x7f3a2c", "Box object at <hex>"),
        ("got <Box object at 0x7f3a2c> and 'abc'", "got <obj> and <str>"),
        (
            "run 123e4567-e89b-12d3-a456-426614174000 at 2026-11-30T06:30:00Z",
            "run <uuid> at <time>",
        ),
        ("missing /tmp/pytest-of-root/pytest-9/x.txt here", "missing <path> here"),
        ("expected 3 got 4.5", "expected <n> got <n>"),
        ("test_3 failed", "test_3 failed"),
    ],
)
def test_normalise_message(message: str, normal: str) -> None:
    """Run-specific parts become placeholders; names that contain digits stay."""
    assert normalise_message(message) == normal


@pytest.mark.parametrize("family", ["xunit1", "xunit2"])
def test_junit_test_ids_keep_classes_in_either_family(tmp_path: Path, family: str) -> None:
    """A test in a class gets pytest's node id back, with or without JUnit's ``file``."""
    sub = tmp_path / "tests"
    sub.mkdir()
    (sub / "__init__.py").write_text("", encoding="utf-8")
    (sub / "test_cls.py").write_text(
        "class TestThing:\n    def test_it(self):\n        assert False\n", encoding="utf-8"
    )
    junit = tmp_path / "junit.xml"
    subprocess.run(
        [sys.executable, "-m", "pytest", f"--junitxml={junit}", "-o", f"junit_family={family}",
         "-p", "no:cacheprovider", "-q", "--rootdir", str(tmp_path)],
        cwd=tmp_path, capture_output=True, check=False, timeout=120,
    )  # fmt: skip
    (failure,) = parse_junit_file(junit.read_text(encoding="utf-8"), junit).failures
    assert failure.test_id == "tests/test_cls.py::TestThing::test_it"


def test_a_crashed_xdist_worker_is_its_own_kind(tmp_path: Path) -> None:
    """A test that killed its worker is ``crashed``, not passed and not lost."""
    (tmp_path / "test_die.py").write_text(
        "import os\n\n\ndef test_die():\n    os._exit(3)\n", encoding="utf-8"
    )
    log = tmp_path / "log.jsonl"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "1", "-p", "pytest_reportlog",
         f"--report-log={log}", "-p", "no:cacheprovider", "-q", "--rootdir", str(tmp_path)],
        cwd=tmp_path, capture_output=True, check=False, timeout=120,
    )  # fmt: skip
    (failure,) = parse_report_log(log.read_text(encoding="utf-8"), log).failures
    assert (failure.test_id, failure.kind) == ("test_die.py::test_die", "crashed")


def test_latest_bundle_orders_same_second_bundles(tmp_path: Path) -> None:
    """``STAMP-10`` is newer than ``STAMP-9``; other directories are not bundles."""
    for name in ("20260101T000000Z", "20260101T000000Z-9", "20260101T000000Z-10", "notes"):
        (tmp_path / name).mkdir()
    assert latest_bundle(tmp_path) == tmp_path / "20260101T000000Z-10"
    assert latest_bundle(tmp_path / "missing") is None


def test_project_path_knows_ours_from_theirs(tmp_path: Path) -> None:
    """Relative and other-checkout paths are ours; stdlib, site-packages and pytest are not."""
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "mod.py").write_text("", encoding="utf-8")
    assert project_path("python3_compat/mod.py", tmp_path) == "python3_compat/mod.py"
    assert project_path(str(tmp_path / "src/pkg/mod.py"), tmp_path) == "src/pkg/mod.py"
    assert project_path("/ci/build/checkout/src/pkg/mod.py", tmp_path) == "src/pkg/mod.py"
    assert project_path("/usr/lib/python3.11/json/decoder.py", tmp_path) is None
    assert project_path(".venv/lib/site-packages/x/y.py", tmp_path) is None
    assert project_path("/opt/venv/lib/_pytest/python.py", tmp_path) is None
    assert project_path("../elsewhere/mod.py", tmp_path) is None


def test_the_log_read_while_it_grows_is_the_log_read_whole(tmp_path: Path) -> None:
    """The follower parses each line once as pytest writes it; its capture is the file's.

    Triage used to parse the whole report log again after pytest ended (most of its time
    after the suite); the follower's capture replaces that parse only when it read the file
    to its last byte and every line parsed.
    """
    text, _ = _run(tmp_path, ("test_suite.py", SUITE))
    whole = parse_report_log(text, tmp_path / "log.jsonl")
    growing, total = tmp_path / "growing.jsonl", tmp_path / "total.json"
    tracker = Tracker(None)
    tracker.start(KEY)
    follower = ReportLogFollower(growing, total, tracker)
    data = text.encode()
    with growing.open("wb") as handle:
        for start in range(0, len(data), 97):  # cuts fall mid-line
            handle.write(data[start : start + 97])
            handle.flush()
            follower.poll()
    assert follower.capture() == whole
    assert follower.done == whole.counts.tests

    with growing.open("ab") as handle:  # a line pytest has not finished writing
        handle.write(b'{"$report_type": "TestRep')
    follower.poll()
    assert follower.capture() is None
    growing.write_bytes(data + b"not json\n")
    late = ReportLogFollower(growing, total, tracker)
    late.poll()
    assert late.capture() is None  # the bad line is judged by the reading of the whole file


SUBTESTS = """\
def test_each(subtests):
    for value in range(3):
        with subtests.test(msg="value", value=value):
            assert value != 1, f"value {value} is wrong"
"""


def test_a_failed_subtest_is_a_failure_with_its_own_exception(tmp_path: Path) -> None:
    """pytest 9's subtests: the subtest's assertion, not the test's "contains 1 failed subtest"."""
    text, _ = _run(tmp_path, ("test_sub.py", SUBTESTS))
    capture = parse_report_log(text, tmp_path / "log.jsonl")
    (failure,) = capture.failures
    assert (failure.test_id, failure.subtest) == ("test_sub.py::test_each", "[value] (value=1)")
    assert failure.exception == RaisedException(
        type="AssertionError", message="value 1 is wrong\nassert 1 != 1"
    )
    assert failure.frames[-1].function == "test_each"
    assert (capture.counts.tests, capture.counts.failed) == (1, 1)
