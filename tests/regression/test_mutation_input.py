"""Bad input to ``qualitykit mutation``: one line, exit 2, or a rerun where it is only a cache."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import pytest

from integration.mutation_fixtures import (
    CALC_TESTS,
    MUTATION_CONFIG,
    SLOW_ENOUGH_TO_KILL,
    make_calc,
    outcomes,
    processes_under,
    result,
    tree_is_pristine,
)
from qualitykit.errors import QualityKitError
from qualitykit.mutation.ratchet import read_baseline

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Repo

STATE = ".qualitykit/mutation"

# Each way a state file can be broken: what is written in its place.
BROKEN = {
    "binary": b"\x00\x01\x02\xff" * 64,
    "non-utf8": '{"score": "caf\xe9"}'.encode("latin-1"),
    "wrong-schema": b'{"counts": [1, 2, 3]}',
    "directory": None,
}


def _break(path: Path, kind: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        path.rmdir()
    elif path.exists():
        path.unlink()
    content = BROKEN[kind]
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)


def _one_line(run: subprocess.CompletedProcess[str]) -> str:
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "Traceback" not in run.stderr
    return lines[0]


def test_negative_workers_is_a_usage_error(repo: Repo) -> None:
    """``--workers -1`` ran with the configured workers and exited 0: a typo went unnoticed."""
    make_calc(repo)

    run = repo.qualitykit("mutation", "run", "--workers", "-1")

    assert run.returncode == 2
    assert "--workers -1" in _one_line(run)


def test_a_python_that_is_not_an_interpreter_names_the_setting(repo: Repo) -> None:
    """``python = "/bin/true"`` printed a JSONDecodeError traceback instead of naming the key."""
    make_calc(repo, config=MUTATION_CONFIG + 'python = "/bin/true"\n')

    run = repo.qualitykit("mutation", "run")

    assert run.returncode == 2
    line = _one_line(run)
    assert "[tool.qualitykit.mutation] python" in line
    assert "/bin/true" in line


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_a_corrupt_result_is_exit_2_naming_it(repo: Repo, kind: str) -> None:
    """``mutation report`` renders result.json: binary or a directory gave a traceback."""
    make_calc(repo)
    _break(repo.root / STATE / "result.json", kind)

    run = repo.qualitykit("mutation", "report")

    assert run.returncode == 2
    assert "result.json" in _one_line(run)


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_a_corrupt_ratchet_baseline_is_exit_2_naming_it(tmp_path: Path, kind: str) -> None:
    """The committed mutation-baseline.json: binary or non-UTF-8 raised UnicodeDecodeError."""
    path = tmp_path / "mutation-baseline.json"
    _break(path, kind)

    with pytest.raises(QualityKitError) as raised:
        read_baseline(path)

    message = str(raised.value)
    assert "mutation-baseline.json" in message
    assert len(message.splitlines()) == 1


def test_a_corrupt_ratchet_baseline_through_the_cli(repo: Repo) -> None:
    """The same through ``mutation run`` with the ratchet on: exit 2, one line, no traceback."""
    make_calc(repo, config=MUTATION_CONFIG + "ratchet = true\n")
    _break(repo.root / "mutation-baseline.json", "binary")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "a broken baseline")

    run = repo.qualitykit("mutation", "run")

    assert run.returncode == 2
    lines = [line for line in run.stderr.strip().splitlines() if line.startswith("qualitykit")]
    assert len(lines) == 1, run.stderr
    assert "mutation-baseline.json" in lines[0]
    assert "Traceback" not in run.stderr


@pytest.mark.slow  # a real mutation run killed or restarted mid-way: 25-70 s
@pytest.mark.serial  # times its signals: alone in make test-slow
def test_a_corrupt_mutation_cache_is_only_a_cache(repo: Repo) -> None:
    """cache.json is a cache: unreadable, the mutants run again (it ended the run with exit 2).

    Its owner cannot have meant anything by it, and deleting it by hand was the only way on.
    """
    make_calc(repo)
    assert repo.qualitykit("mutation", "run").returncode == 0
    expected = outcomes(repo)
    for kind in ("binary", "wrong-schema"):
        _break(repo.root / STATE / "cache.json", kind)
        _break(repo.root / STATE / "baseline.json", kind)

        run = repo.qualitykit("mutation", "run", "--no-cache")
        rerun = repo.qualitykit("mutation", "run")

        assert run.returncode == 0, run.stderr
        assert rerun.returncode == 0, rerun.stderr
        assert outcomes(repo) == expected
    # Corrupt again, then a run that may use the cache: it tests every mutant afresh.
    _break(repo.root / STATE / "cache.json", "binary")
    _break(repo.root / STATE / "session.json", "binary")
    run = repo.qualitykit("mutation", "run")
    assert run.returncode == 0, run.stderr
    ran = [m for m in result(repo)["mutants"] if m["outcome"] in {"killed", "survived"}]
    assert ran
    assert not any(m["cached"] for m in ran)
    assert outcomes(repo) == expected


def _stored_results(repo: Repo) -> int:
    path = repo.root / STATE / "session.sqlite"
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            return int(db.execute("select count(*) from work_results").fetchone()[0])
    # qualitykit: allow[QK-EXC-002] no database yet: nothing stored, keep polling
    except sqlite3.Error:
        return 0


@pytest.mark.slow  # a real mutation run killed or restarted mid-way: 25-70 s
@pytest.mark.serial  # times its signals: alone in make test-slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_run_says_so_in_one_line_and_resumes(repo: Repo, sig: int) -> None:
    """Ctrl-C or SIGTERM mid-run: one "interrupted" line, no process left, a correct resume.

    The feeding threads, reading pipes the interrupted main thread had closed, printed a
    thread traceback (``ValueError: I/O operation on closed file``) over the message.
    """
    # Slow enough that the signal lands mid-run on an idle machine (it ran all 34 first).
    make_calc(repo, tests=CALC_TESTS + SLOW_ENOUGH_TO_KILL)
    reference = repo.qualitykit("mutation", "run", "--workers", "1")
    assert reference.returncode == 0, reference.stderr
    expected = outcomes(repo)
    (repo.root / STATE / "session.sqlite").unlink()
    (repo.root / STATE / "cache.json").unlink()
    scratch = repo.root.parent / "tmp"
    scratch.mkdir()
    env = {**os.environ, "PYTHONPATH": "src", "TMPDIR": str(scratch)}
    env.pop("GITHUB_STEP_SUMMARY", None)
    runner = subprocess.Popen(
        [sys.executable, "-m", "qualitykit", "mutation", "run", "--workers", "1"],
        cwd=repo.root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while _stored_results(repo) < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert runner.poll() is None, "the run ended before it could be interrupted"

    runner.send_signal(sig)
    _, stderr = runner.communicate(timeout=60)

    assert runner.returncode != 0
    assert "Traceback" not in stderr, stderr
    assert "closed file" not in stderr
    # Progress lines ("mutation: 12/34 mutants ...") aside, one line: the interruption.
    said = [line for line in stderr.splitlines() if not line.startswith("mutation: ")]
    assert len(said) == 1, stderr
    assert "interrupted" in said[0]
    time.sleep(0.5)
    assert processes_under(scratch) == []
    assert tree_is_pristine(repo)
    resumed = repo.qualitykit("mutation", "run", "--workers", "1", env={"TMPDIR": str(scratch)})
    assert resumed.returncode == 0, resumed.stderr
    assert outcomes(repo) == expected
