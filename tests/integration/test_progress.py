"""Live progress: the real CLI in a pseudo-terminal (pexpect), in pipes and under CI."""

from __future__ import annotations

import os
import re
import sys
from typing import TYPE_CHECKING

import pexpect

from integration.mutation_fixtures import make_calc, result

if TYPE_CHECKING:
    from tests.conftest import Repo

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# Slow enough for several frames (four a second), fast enough for a test.
SLOW_TEST = """\
import time

from pkg import double


def test_double_slowly() -> None:
    time.sleep(1.5)
    assert double(2) == 4
"""
# Five tests, one failing: triage's view counts them as they end.
SUITE = """\
import time

import pytest


@pytest.mark.parametrize("number", range(5))
def test_number(number: int) -> None:
    time.sleep(0.4)
    assert number != 2
"""


def _terminal_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"CI", "NO_COLOR"}}
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "QUALITYKIT_PROGRESS"):
        env.pop(name, None)
    return {**env, "PYTHONPATH": "src", "TERM": "xterm-256color", **extra}


def in_terminal(repo: Repo, *args: str, env: dict[str, str], columns: int = 100) -> tuple[int, str]:
    """Run qualitykit in a pseudo-terminal: its exit code and everything the terminal got."""
    child = pexpect.spawn(
        sys.executable,
        ["-m", "qualitykit", *args],
        cwd=str(repo.root),
        env=env,
        dimensions=(40, columns),
        encoding="utf-8",
        codec_errors="replace",
        timeout=180,
    )
    child.expect(pexpect.EOF)
    child.close()
    output = str(child.before)
    assert child.exitstatus is not None, output
    return child.exitstatus, output


def frames(output: str) -> list[str]:
    """The terminal's output without escape sequences, cut at each redraw."""
    return [part for part in re.split(r"[\r\n]+", _ANSI.sub("", output)) if part.strip()]


def test_gate_live_view_shows_a_running_step_then_the_table(repo: Repo) -> None:
    repo.write("tests/regression/test_core.py", SLOW_TEST)

    code, output = in_terminal(repo, "gate", "--steps", "regression", env=_terminal_env())

    assert code == 0, output
    lines = frames(output)
    elapsed = {
        match[1] for line in lines if (match := re.search(r"running regression\s+(\d+\.\d)s", line))
    }
    assert len(elapsed) >= 2, lines  # the view was redrawn while the step ran
    assert "\x1b[" in output  # a live view, not plain lines
    table = lines.index(next(line for line in lines if line.startswith("qualitykit gate")))
    assert any(re.search(r"│ regression │ pass", line) for line in lines[table:]), lines
    assert lines[-1].startswith("gate passed: 1 steps"), lines
    # Once the table is printed, the live view is gone (nothing of it follows the verdict).
    assert not any("running regression" in line for line in lines[table:]), lines


def test_triage_live_view_counts_tests_and_failures(repo: Repo) -> None:
    repo.write("tests/regression/test_numbers.py", SUITE)

    code, output = in_terminal(repo, "triage", env=_terminal_env())

    assert code == 1, output  # a new failure (no earlier bundle)
    lines = frames(output)
    counted = {match[1] for line in lines if (match := re.search(r"\b(\d)/6\b", line))}
    assert len(counted) >= 2, lines  # done / total moved while pytest ran (5 + test_core)
    assert any(re.search(r"ETA \d+s", line) for line in lines), lines
    assert any("failed 1" in line for line in lines), lines
    assert lines[-1].startswith("triage: 1 failures in 1 clusters"), lines


def test_under_ci_only_plain_lines_in_pipes(repo: Repo) -> None:
    """CI=true with stdout and stderr pipes: whole lines only, no carriage return, no escape."""
    repo.write("tests/regression/test_numbers.py", SUITE)
    env = {"CI": "true", "TERM": "xterm-256color"}

    gate = repo.gate("--steps", "regression", env=env)
    triage = repo.qualitykit("triage", env=env)

    assert gate.returncode == 1, gate.stderr
    assert triage.returncode == 1, triage.stderr
    for done in (gate, triage):
        text = done.stdout + done.stderr
        assert "\r" not in text
        assert "\x1b[" not in text
    # A step shorter than the 10 s heartbeat has its status line only.
    assert next(line for line in gate.stderr.splitlines() if "regression" in line).startswith(
        "FAIL    regression "
    ), gate.stderr
    figures = [line for line in triage.stderr.splitlines() if line.startswith("tests: ")]
    assert any(line.startswith("tests: 6/6 (100%)") for line in figures), figures
    assert "failed so far 1" in figures[-2], figures
    assert figures[-1].startswith("tests: pytest exited 1 ("), figures


def test_under_ci_a_terminal_gets_plain_lines_too(repo: Repo) -> None:
    code, output = in_terminal(repo, "triage", env=_terminal_env(CI="true"))

    assert code == 0, output
    assert "\x1b[" not in output
    # The terminal itself turns each newline into CR LF; no other carriage return is sent.
    assert "\r" not in output.replace("\r\n", "\n")
    assert output.splitlines()[0].startswith("tests: 1/1 (100%)"), output


def test_a_view_that_cannot_draw_leaves_the_verdict_alone(repo: Repo) -> None:
    """A forced live view on a dumb, 20-column terminal: the failing gate still fails, whole."""
    repo.write("tests/regression/test_core.py", SLOW_TEST.replace("== 4", "== 5"))
    env = _terminal_env(TERM="dumb", QUALITYKIT_PROGRESS="live")

    code, output = in_terminal(repo, "gate", "--steps", "regression", env=env, columns=20)

    assert code == 1, output
    assert repo.summary()["regression"]["status"] == "fail"
    assert "Traceback" not in output
    assert "gate failed:" in " ".join(frames(output)), output


def test_progress_off_prints_no_progress(repo: Repo) -> None:
    done = repo.qualitykit("triage", env={"QUALITYKIT_PROGRESS": "off"})

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.startswith("triage: 0 failures in 0 clusters"), done.stdout


def test_an_unknown_progress_mode_is_bad_input(repo: Repo) -> None:
    done = repo.gate("--steps", "ruff-lint", env={"QUALITYKIT_PROGRESS": "fancy"})

    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        "qualitykit: error: QUALITYKIT_PROGRESS='fancy': expected one of live, plain, off"
    ]
    assert not (repo.root / ".qualitykit" / "summary.json").exists()


def test_mutation_progress_counts_mutants_and_survivors(repo: Repo) -> None:
    """Plain lines under CI: done / total, ETA, survivors so far, ending on the real figures."""
    make_calc(repo)

    run = repo.qualitykit("mutation", "run", env={"CI": "true"})

    assert run.returncode == 0, run.stderr
    assert "\r" not in run.stderr
    assert "\x1b[" not in run.stderr
    counts = result(repo)["counts"]
    figures = [line for line in run.stderr.splitlines() if re.match(r"mutation: \d+/", line)]
    assert len(figures) >= 2, run.stderr
    # Every mutant that ran (those no test covers are not run), and the survivors stored.
    last = re.match(r"mutation: (\d+)/(\d+) \(100%\), .*, survived so far (\d+)$", figures[-1])
    assert last is not None, figures
    assert last[1] == last[2], figures
    assert counts["killed"] + counts["survived"] <= int(last[1]) < sum(counts.values())
    assert int(last[3]) == counts["survived"] > 0, figures


def test_mutation_live_view_in_a_terminal(repo: Repo) -> None:
    make_calc(repo)

    code, output = in_terminal(repo, "mutation", "run", env=_terminal_env())

    assert code == 0, output
    lines = frames(output)
    shown = [line for line in lines if re.search(r"^mutation .*\d+/\d+ .*survived \d+", line)]
    assert shown, lines
    assert any("mutation passed: reports in" in line for line in lines[-3:]), lines
