"""The progress tracker, its plain lines and live view, and triage's report-log follower."""

from __future__ import annotations

import io
import json
import re
import time
from typing import TYPE_CHECKING

from rich.console import Console

from qualitykit.progress import Tracker
from qualitykit.progress.live import LiveRenderer
from qualitykit.progress.plain import PlainRenderer
from qualitykit.triage.follow import KEY, ReportLogFollower

if TYPE_CHECKING:
    from pathlib import Path


def test_plain_lines_for_a_long_loop_are_one_per_tenth() -> None:
    stream = io.StringIO()
    tracker = Tracker(PlainRenderer(stream))
    tracker.start("mutation", total=1000, failure_word="survived")
    for done in range(1, 1001):
        tracker.update("mutation", done=done, failures=done // 100)
    tracker.finish("mutation", "passed")
    tracker.close()

    lines = stream.getvalue().splitlines()
    figures = lines[:-1]
    assert len(figures) == 10, lines  # 10 %, 20 %, ... 100 %: the last not repeated at the end
    assert figures[0].startswith("mutation: 100/1000 (10%), ")
    assert figures[-1].startswith("mutation: 1000/1000 (100%), ")
    assert figures[-1].endswith("survived so far 10")
    assert re.fullmatch(r"mutation: passed \(\d+\.\d s\)", lines[-1]), lines
    assert "\r" not in stream.getvalue()
    assert "\x1b" not in stream.getvalue()


def test_plain_lines_without_a_total_or_an_outcome() -> None:
    """A quick gate step: no line at all (its status line, printed by the gate, is enough)."""
    stream = io.StringIO()
    tracker = Tracker(PlainRenderer(stream))
    tracker.start("mypy")
    tracker.finish("mypy", failed=True)
    tracker.finish("pyright")  # reused from the cache: never started
    tracker.close()

    assert stream.getvalue() == ""
    assert [task.failed for task in tracker.tasks.values()] == [True, False]


def test_plain_heartbeat_while_a_task_runs_and_none_after() -> None:
    """A long step gets a line per interval (10 s in real runs), so a CI log never looks hung."""
    stream = io.StringIO()
    tracker = Tracker(PlainRenderer(stream, every_s=0.2))
    tracker.start("pyright")
    time.sleep(0.75)
    tracker.finish("pyright")
    shown = stream.getvalue()
    time.sleep(0.4)
    tracker.close()

    beats = shown.splitlines()
    assert len(beats) >= 2, beats
    assert all(re.fullmatch(r"pyright: running, \d+ s", beat) for beat in beats), beats
    assert stream.getvalue() == shown  # nothing once it ended


def test_a_label_or_outcome_never_breaks_a_line() -> None:
    stream = io.StringIO()
    tracker = Tracker(PlainRenderer(stream))
    tracker.start("odd", label="two\nlines")
    tracker.finish("odd", "ended\rthere")

    lines = stream.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("two lines: ended there (")


def test_eta_from_the_rate_so_far() -> None:
    tracker = Tracker(None)
    tracker.start("tests", total=10)
    task = tracker.tasks["tests"]
    assert task.eta(time.monotonic()) is None  # nothing done yet: no rate
    tracker.update("tests", done=5)
    now = task.started + 4.0

    assert task.eta(now) == 4.0
    tracker.update("tests", done=12)  # more than announced: never a negative ETA
    assert task.eta(now) == 0.0


def _frames(text: str) -> list[str]:
    return re.split(r"[\r\n]+", re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text))


def _elapsed(text: str) -> set[str]:
    """The running mypy task's times, as the live view's frames showed them."""
    return {
        match[1]
        for part in _frames(text)
        if (match := re.search(r"running mypy +(\d+\.\d)s", part))
    }


def test_live_view_redraws_running_tasks_and_removes_itself() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100, color_system=None)
    tracker = Tracker(LiveRenderer(console))
    tracker.start("mutation", total=10, failure_word="survived")
    tracker.start("mypy")
    tracker.update("mutation", done=4, failures=1)
    # Two redraws of the running task (its time moving on); a loaded machine may take longer
    # than the refresh period between them.
    deadline = time.monotonic() + 10
    while len(_elapsed(buffer.getvalue())) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    tracker.finish("mypy", failed=True)
    console.print("FAIL    mypy")
    time.sleep(0.3)
    tracker.close()

    text = buffer.getvalue()
    frames = _frames(text)
    assert len(_elapsed(text)) >= 2, frames
    assert any(re.search(r"mutation .*4/10 +ETA \d+s +survived 1", part) for part in frames), frames
    assert any("1 done, 1 failed" in part for part in frames), frames
    assert "FAIL    mypy" in frames
    assert tracker.renderer is None
    assert text.endswith("\x1b[1A\x1b[2K")  # the view's lines erased (transient)


def _line(**fields: object) -> bytes:
    return json.dumps(fields).encode() + b"\n"


def test_follower_reads_a_growing_report_log(tmp_path: Path) -> None:
    log, total = tmp_path / "report-log.jsonl", tmp_path / "collected.json"
    tracker = Tracker(None)
    tracker.start(KEY)
    follower = ReportLogFollower(log, total, tracker)
    follower.poll()  # neither file yet: pytest has not started
    assert (tracker.tasks[KEY].done, tracker.tasks[KEY].total) == (0, None)

    total.write_text('{"total": 3}')
    first = _line(**{"$report_type": "TestReport", "nodeid": "t::a", "when": "setup"})
    call = _line(
        **{"$report_type": "TestReport", "nodeid": "t::a", "when": "call", "outcome": "failed"}
    )
    teardown = _line(**{"$report_type": "TestReport", "nodeid": "t::a", "when": "teardown"})
    log.write_bytes(b'{"$report_type": "SessionStart"}\n' + first + call + teardown[:10])
    follower.poll()
    task = tracker.tasks[KEY]
    assert (task.done, task.total, task.failures) == (0, 3, 1)  # the teardown line is not whole

    with log.open("ab") as handle:
        handle.write(teardown[10:] + b"not json\n")
        handle.write(_line(**{"$report_type": "TestReport", "nodeid": "t::b", "when": "teardown"}))
    follower.poll()
    assert (task.done, task.total, task.failures) == (2, 3, 1)
