"""The mutation runner neither hangs nor lies when a worker dies, hangs or cannot restart.

Each test's project has a test that, on one chosen mutant (``add`` turned into ``left * right``,
so ``add(2, 3) == 6``), does something to the worker process running it, once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from integration.mutation_fixtures import (
    MUTATION_CONFIG,
    make_calc,
    outcomes,
    processes_under,
)

if TYPE_CHECKING:
    from conftest import Repo

# The worker is the topmost ancestor running worker.py (the zygote and the children are forks).
_WORKER_TESTS = """\
import os
import pathlib
import signal

from pkg.calc import add, clamp, is_positive

MARKER = pathlib.Path(os.environ["QK_REGRESSION_MARKER"])


def _worker_pid() -> int:
    pid, found = os.getpid(), 0
    while pid > 1:
        if b"worker.py" in pathlib.Path(f"/proc/{pid}/cmdline").read_bytes():
            found = pid
        elif found:
            break
        pid = int(pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    return found


def test_add() -> None:
    value = add(2, 3)
    if value == 6 and not MARKER.exists():
        MARKER.write_text("done")
        os.kill(_worker_pid(), signal.%s)
    assert value == 5


def test_is_positive() -> None:
    # Passes under the chosen mutant (6 and -9), so that test_add gets to run on it.
    assert is_positive(add(2, 3))
    assert not is_positive(add(-3, 3))


def test_clamp() -> None:
    assert clamp(5, 0, 10) == 5
    assert clamp(-1, 0, 10) == 0
    assert clamp(11, 0, 10) == 10
"""


def _project(repo: Repo, signal_name: str, config: str = MUTATION_CONFIG) -> None:
    make_calc(repo, config=config, tests=_WORKER_TESTS % signal_name)


@pytest.mark.slow  # a real mutation run killed or restarted mid-way: 25-70 s
@pytest.mark.serial  # times its signals: alone in make test-slow
def test_a_worker_killed_mid_mutant_leaves_no_mutant_for_its_replacement(repo: Repo) -> None:
    """A worker SIGKILLed with a mutant written in its copy: the copy is restored first.

    The worker writes the mutated module into its private copy and restores it after the
    tests. Killed in between, it left the mutant there, and its replacement read that file as
    the original: every later mutant of the module ran on top of ``add`` returning
    ``left * right``, which changed the outcomes of ``is_positive``'s mutants (its test uses
    ``add``: ``is_positive(add(-3, 3))`` became ``is_positive(-9)``, and ``>=`` survived).
    The outcomes must equal those of a run in which nothing was killed.
    """
    _project(repo, "SIGKILL")
    done = repo.root.parent / "done"
    done.write_text("done")
    reference = repo.qualitykit(
        "mutation", "run", "--workers", "1", "--no-cache", env={"QK_REGRESSION_MARKER": str(done)}
    )
    assert reference.returncode == 0, reference.stderr
    expected = outcomes(repo)
    marker = repo.root.parent / "marker"

    run = repo.qualitykit(
        "mutation", "run", "--workers", "1", "--no-cache", env={"QK_REGRESSION_MARKER": str(marker)}
    )

    assert marker.exists()  # the worker was killed mid-mutant
    assert run.returncode == 0, run.stderr
    assert outcomes(repo) == expected


def test_a_worker_that_cannot_restart_ends_the_run_instead_of_hanging_it(repo: Repo) -> None:
    """A replacement worker that dies while starting: exit 2 naming it, no hang, no process.

    The feeding thread raised (the worker failed to start) without telling the main thread,
    which waited for its end-of-work sentinel forever: ``mutation run`` hung until CI killed it.
    """
    _project(repo, "SIGKILL")
    marker = repo.root.parent / "marker"
    # Once the marker exists, a worker starting in the copy dies while loading the conftest.
    repo.write(
        "tests/unit/conftest.py",
        f"import os, pathlib\n\nif pathlib.Path({str(marker)!r}).exists():\n    os._exit(3)\n",
    )
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "conftest")

    run = repo.qualitykit(
        "mutation", "run", "--workers", "1", env={"QK_REGRESSION_MARKER": str(marker)}, timeout=120
    )

    assert marker.exists()
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert "a worker failed to start" in run.stderr.strip().splitlines()[-1]
    assert processes_under(repo.root.parent) == []


def test_a_hung_worker_is_replaced_after_a_bounded_wait(repo: Repo) -> None:
    """A worker that stops answering (SIGSTOP) is killed after a bounded wait and replaced.

    The runner read the worker's answer with no timeout: a worker stuck outside the child's
    own timeout (stopped, deadlocked) hung the whole run. Its mutant is retried on a fresh
    worker and gets a real outcome.
    """
    _project(repo, "SIGSTOP", MUTATION_CONFIG + "timeout-min = 0.5\n")
    marker = repo.root.parent / "marker"

    run = repo.qualitykit(
        "mutation", "run", "--workers", "1", env={"QK_REGRESSION_MARKER": str(marker)}, timeout=120
    )

    assert marker.exists()
    assert run.returncode == 0, run.stderr
    product = [m for m in outcomes_with_diffs(repo) if "left * right" in m[1]]
    assert [outcome for outcome, _ in product] == ["killed"]
    assert processes_under(repo.root.parent) == []


def test_a_baseline_that_never_ends_is_stopped(repo: Repo) -> None:
    """The baseline subprocess had no timeout: a suite that hangs hung ``mutation run``."""
    make_calc(
        repo,
        tests="import time\n\n\ndef test_forever() -> None:\n    time.sleep(600)\n",
    )

    run = repo.qualitykit(
        "mutation", "run", env={"QUALITYKIT_MUTATION_BASELINE_TIMEOUT": "3"}, timeout=120
    )

    assert run.returncode == 1, run.stderr
    assert "baseline: the suite did not end within 3 s" in run.stderr
    assert processes_under(repo.root.parent) == []


def outcomes_with_diffs(repo: Repo) -> list[tuple[str, str]]:
    """(outcome, diff) of every mutant of the last run."""
    from integration.mutation_fixtures import result  # noqa: PLC0415

    return [(m["outcome"], m["diff"]) for m in result(repo)["mutants"]]
