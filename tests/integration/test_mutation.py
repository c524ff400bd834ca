"""``qualitykit mutation``: real runs on a real project, real cosmic-ray sessions, real kills."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
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

if TYPE_CHECKING:
    from conftest import Repo

STATE = Path(".qualitykit/mutation")


def _clone(repo: Repo, name: str) -> Repo:
    target = repo.root.parent / name
    subprocess.run(["git", "clone", "-q", str(repo.root), str(target)], check=True)
    return type(repo)(target)


def test_a_run_scores_killed_over_killed_plus_survived_and_leaves_the_tree_alone(
    repo: Repo,
) -> None:
    make_calc(repo)

    run = repo.qualitykit("mutation", "run")

    assert run.returncode == 0, run.stderr
    data = result(repo)
    counts = data["counts"]
    # is_positive(0) is never tried: `>` -> `>=` survives; untested() is never called.
    survivors = [m for m in data["mutants"] if m["outcome"] == "survived"]
    assert any("value >= 0" in m["diff"] for m in survivors)
    assert all(m["definition"] != "untested" for m in survivors)
    no_coverage = {m["definition"] for m in data["mutants"] if m["outcome"] == "no-coverage"}
    assert no_coverage == {"untested"}
    assert counts["killed"] > counts["survived"] > 0
    assert data["score"] == 100 * counts["killed"] / (counts["killed"] + counts["survived"])
    assert f"{data['score']:.1f}%" in run.stderr
    assert tree_is_pristine(repo)


def test_the_session_is_a_cosmic_ray_session_and_the_reports_are_written(repo: Repo) -> None:
    make_calc(repo)
    assert repo.qualitykit("mutation", "run").returncode == 0

    session = repo.root / STATE / "session.sqlite"
    cr_report = Path(sys.executable).with_name("cr-report")
    report = subprocess.run(
        [str(cr_report), str(session)], capture_output=True, text=True, check=True
    )
    assert "total jobs:" in report.stdout
    assert "surviving mutants:" in report.stdout
    cr_html = Path(sys.executable).with_name("cr-html")
    page = subprocess.run([str(cr_html), str(session)], capture_output=True, text=True, check=True)
    assert "src/pkg/calc.py" in page.stdout
    config = (repo.root / STATE / "cosmic-ray.toml").read_text(encoding="utf-8")
    assert 'module-path = [ "src/pkg/calc.py",]' in config

    stryker = json.loads((repo.root / STATE / "report.json").read_text(encoding="utf-8"))
    assert stryker["schemaVersion"] == "2"
    mutants = stryker["files"]["src/pkg/calc.py"]["mutants"]
    statuses = {mutant["status"] for mutant in mutants}
    assert {"Killed", "Survived", "NoCoverage"} <= statuses
    assert all(mutant["location"]["start"]["column"] >= 1 for mutant in mutants)
    markdown = (repo.root / STATE / "report.md").read_text(encoding="utf-8")
    assert "### Survivors" in markdown
    assert "src/pkg/calc.py:" in markdown
    page = (repo.root / STATE / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page
    assert "value &gt;= 0" in page or "value >= 0" in page


def test_an_unchanged_rerun_reuses_every_result(repo: Repo) -> None:
    make_calc(repo)
    first = repo.qualitykit("mutation", "run")
    assert first.returncode == 0
    before = outcomes(repo)

    again = repo.qualitykit("mutation", "run")

    assert again.returncode == 0
    data = result(repo)
    assert outcomes(repo) == before
    ran = [m for m in data["mutants"] if m["outcome"] in {"killed", "survived"}]
    assert ran
    assert all(m["cached"] for m in ran)


def test_changing_a_test_file_reruns_its_mutants_from_the_cache_key(repo: Repo) -> None:
    make_calc(repo)
    assert repo.qualitykit("mutation", "run").returncode == 0
    # The new test kills the survivor: is_positive(0) must be False.
    repo.write(
        "tests/unit/test_calc.py",
        CALC_TESTS + "\n\ndef test_zero() -> None:\n    assert not is_positive(0)\n",
    )

    run = repo.qualitykit("mutation", "run")

    assert run.returncode == 0, run.stderr
    data = result(repo)
    ran = [m for m in data["mutants"] if m["outcome"] in {"killed", "survived"}]
    assert not any(m["cached"] for m in ran)
    assert not any("value >= 0" in m["diff"] for m in ran if m["outcome"] == "survived")


def test_changed_mode_runs_only_the_mutants_on_the_changed_line(repo: Repo) -> None:
    make_calc(repo)
    source = (repo.root / "src/pkg/calc.py").read_text(encoding="utf-8")
    (repo.root / "src/pkg/calc.py").write_text(
        source.replace("return left + right", "return right + left"), encoding="utf-8"
    )
    line = 1 + source.splitlines().index("    return left + right")

    run = repo.qualitykit("mutation", "run", "--changed", "--base", "HEAD")

    assert run.returncode == 0, run.stderr
    data = result(repo)
    assert data["mutants"]
    assert {m["line"] for m in data["mutants"]} == {line}
    assert data["changed_base"] == "HEAD"


def test_shards_merge_into_the_result_of_one_run(repo: Repo) -> None:
    make_calc(repo)
    whole = _clone(repo, "whole")
    assert whole.qualitykit("mutation", "run").returncode == 0
    expected = outcomes(whole)
    sessions: list[Path] = []
    for index in (1, 2):
        shard = _clone(repo, f"shard{index}")
        run = shard.qualitykit("mutation", "run", "--shard", f"{index}/2", "--no-threshold")
        assert run.returncode == 0, run.stderr
        part = outcomes(shard)
        assert part
        assert set(part) < set(expected)
        sessions.append(shard.root / STATE / "session.sqlite")

    merged = repo.qualitykit("mutation", "merge", *map(str, sessions))

    assert merged.returncode == 0, merged.stderr
    assert outcomes(repo) == expected


def test_no_test_covering_the_module_is_an_error(repo: Repo) -> None:
    make_calc(repo, tests="def test_nothing() -> None:\n    assert True\n")

    run = repo.qualitykit("mutation", "run")

    assert run.returncode == 1
    assert "no test executes any mutated line" in run.stderr
    assert result(repo)["ok"] is False


def test_a_test_command_that_always_fails_is_an_error_not_a_perfect_score(repo: Repo) -> None:
    make_calc(repo, tests=CALC_TESTS + "\n\ndef test_broken() -> None:\n    raise SystemError\n")

    run = repo.qualitykit("mutation", "run")

    assert run.returncode == 1
    assert "fails without any mutation" in run.stderr
    assert result(repo)["score"] is None


def test_tests_that_cannot_fail_are_caught_by_the_sanity_check(repo: Repo) -> None:
    make_calc(repo)
    # A conftest that turns every failure into a pass: nothing could ever be killed.
    repo.write(
        "tests/unit/conftest.py",
        """\
        import pytest


        @pytest.hookimpl(wrapper=True)
        def pytest_runtest_makereport(item, call):
            report = yield
            report.outcome = "passed"
            return report
        """,
    )

    run = repo.qualitykit("mutation", "run")

    assert run.returncode == 1
    assert "sanity check" in run.stderr
    assert result(repo)["counts"]["killed"] == 0


def test_a_corrupt_session_is_exit_2_with_one_line(repo: Repo) -> None:
    make_calc(repo)
    session = repo.root / STATE / "session.sqlite"
    session.parent.mkdir(parents=True)
    session.write_bytes(b"this is not sqlite at all" * 100)

    run = repo.qualitykit("mutation", "run")

    assert run.returncode == 2
    assert len(run.stderr.strip().splitlines()) == 1
    assert "session.sqlite" in run.stderr
    assert "Traceback" not in run.stderr
    assert session.read_bytes() == b"this is not sqlite at all" * 100


def test_a_bad_shard_and_missing_modules_are_usage_errors(repo: Repo) -> None:
    make_calc(repo)
    assert repo.qualitykit("mutation", "run", "--shard", "3/2").returncode == 2
    repo.write(
        "pyproject.toml",
        (repo.root / "pyproject.toml")
        .read_text()
        .replace('modules = ["src/pkg/calc.py"]', 'modules = ["src/pkg/nothing.py"]'),
    )
    run = repo.qualitykit("mutation", "run")
    assert run.returncode == 2
    assert "match no Python file" in run.stderr


def _stored(repo: Repo) -> dict[str, str]:
    """Job id -> test outcome of every result in the session (run by a worker or not)."""
    path = repo.root / STATE / "session.sqlite"
    if not path.is_file():
        return {}
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute("select job_id, test_outcome from work_results").fetchall()
    return {str(job): str(test) for job, test in rows}


def _decided(repo: Repo) -> set[str]:
    """The mutants in the session that a worker ran to a kill or a survival."""
    return {job for job, test in _stored(repo).items() if test in {"KILLED", "SURVIVED"}}


@pytest.mark.slow  # a real mutation run killed or restarted mid-way: 25-70 s
@pytest.mark.serial  # times its signals: alone in make test-slow
def test_sigkill_at_random_moments_leaves_the_tree_alone_and_resumes_to_the_same_result(
    repo: Repo,
) -> None:
    """SIGKILLed runs leave nothing behind, and the next run resumes rather than restarts.

    At least one kill must land mid-run (the runner alive, some mutants decided by a worker
    and not all), and the final run must reuse every result the killed runs stored: a resume
    that silently restarted from scratch would also reach the same outcomes.
    """
    # Each test of a mutant sleeps a little: results are flushed to the session every 0.5 s,
    # and on an idle machine all 47 mutants of calc.py ran within one flush, so no kill could
    # land between two stored results (the CI at 6894f5e: "no kill landed").
    make_calc(repo, tests=CALC_TESTS + SLOW_ENOUGH_TO_KILL)
    reference = _clone(repo, "reference")
    assert reference.qualitykit("mutation", "run", "--workers", "1").returncode == 0
    expected = outcomes(reference)
    scratch = repo.root.parent / "tmp"
    scratch.mkdir()
    env = {**os.environ, "PYTHONPATH": "src", "TMPDIR": str(scratch)}
    env.pop("GITHUB_STEP_SUMMARY", None)
    chance = random.Random(20261123)  # noqa: S311 - reproducible moments, not security
    mid_run = 0
    decided: set[str] = set()
    for attempt in range(10):
        runner = subprocess.Popen(
            [sys.executable, "-m", "qualitykit", "mutation", "run", "--workers", "1"],
            cwd=repo.root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if attempt % 2 == 0:
            # While mutants run: right after this run has stored a new result (or given up
            # waiting). First, and soon after that result: on an idle machine the whole run
            # of this small module takes under the 0.3-3 s of a random moment, so a random
            # first kill often landed after every mutant was decided, and no later run had
            # any mutant left to be killed among.
            deadline = time.monotonic() + 30
            while _decided(repo) <= decided and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(chance.uniform(0.0, 0.05))
        else:
            time.sleep(chance.uniform(0.3, 3.0))  # anywhere, start-up included
        alive = runner.poll() is None
        runner.send_signal(signal.SIGKILL)
        runner.wait()
        before, decided = decided, _decided(repo)
        mid_run += alive and decided > before and len(_stored(repo)) < len(expected)
        deadline = time.monotonic() + 10
        while processes_under(scratch) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert processes_under(scratch) == []
        assert tree_is_pristine(repo)
    assert mid_run > 0, "no kill landed while mutants were being run"
    finished = _decided(repo)
    assert finished

    final = repo.qualitykit("mutation", "run", "--workers", "1", env={"TMPDIR": str(scratch)})

    assert final.returncode == 0, final.stderr
    assert outcomes(repo) == expected
    reused = {m["id"] for m in result(repo)["mutants"] if m["cached"]}
    assert finished <= reused
    assert tree_is_pristine(repo)
    assert processes_under(scratch) == []
    # The next run removed the copies the killed runs could not.
    assert [path.name for path in scratch.glob("qualitykit-mutation-*/run-*")] == []
    shutil.rmtree(scratch)


def test_merge_refuses_sessions_of_different_mutants(repo: Repo) -> None:
    make_calc(repo)
    assert repo.qualitykit("mutation", "run").returncode == 0
    other = repo.root.parent / "other.sqlite"
    shutil.copyfile(repo.root / STATE / "session.sqlite", other)
    with sqlite3.connect(other) as db:
        db.execute("delete from work_results")
        db.execute(
            "delete from mutation_specs where rowid = (select min(rowid) from mutation_specs)"
        )

    run = repo.qualitykit(
        "mutation", "merge", str(repo.root / STATE / "session.sqlite"), str(other)
    )

    assert run.returncode == 2
    assert "differ" in run.stderr


def test_threshold_ratchet_and_report_formats(repo: Repo) -> None:
    make_calc(repo, config=MUTATION_CONFIG + "ratchet = true\n")

    unset = repo.qualitykit("mutation", "run")
    assert unset.returncode == 1
    assert "no baseline mutation-baseline.json" in unset.stderr

    accepted = repo.qualitykit("mutation", "run", "--update-baseline")
    assert accepted.returncode == 0, accepted.stderr
    score = json.loads((repo.root / "mutation-baseline.json").read_text())["score"]
    assert score == round(result(repo)["score"], 2)

    (repo.root / "mutation-baseline.json").write_text('{"score": 100}\n')
    fallen = repo.qualitykit("mutation", "run")
    assert fallen.returncode == 1
    assert "fell below the baseline 100.00%" in fallen.stderr

    (repo.root / "mutation-baseline.json").write_text("{")
    broken = repo.qualitykit("mutation", "run")
    assert broken.returncode == 2
    assert "mutation-baseline.json: mutation baseline: not JSON" in broken.stderr

    text = repo.qualitykit("mutation", "report")
    assert "mutation score" in text.stdout
    markdown = repo.qualitykit("mutation", "report", "--format", "markdown")
    assert markdown.stdout.startswith("## Mutation testing")
    document = json.loads(repo.qualitykit("mutation", "report", "--format", "json").stdout)
    assert document["schemaVersion"] == "2"
    page = repo.qualitykit("mutation", "report", "--format", "html")
    assert "<html" in page.stdout


def test_a_score_below_the_threshold_fails(repo: Repo) -> None:
    make_calc(repo, config=MUTATION_CONFIG + "threshold = 99\n")

    run = repo.qualitykit("mutation", "run", "--json")

    assert run.returncode == 1
    assert "is below the threshold 99%" in run.stderr
    assert json.loads(run.stdout)["ok"] is False
    assert repo.qualitykit("mutation", "run", "--no-threshold").returncode == 0


def test_report_without_a_run_is_a_usage_error(repo: Repo) -> None:
    make_calc(repo)
    run = repo.qualitykit("mutation", "report")
    assert run.returncode == 2
    assert "no mutation result yet" in run.stderr


@pytest.mark.slow  # a real mutation run killed or restarted mid-way: 25-70 s
@pytest.mark.serial  # times its signals: alone in make test-slow
def test_a_mutant_that_never_ends_is_a_timeout_apart_from_the_score(repo: Repo) -> None:
    repo.write(
        "src/pkg/loop.py",
        '''\
        """A loop a mutant can make endless."""


        def countdown(start: int) -> int:
            """Count down to zero."""
            value = start
            while value > 0:
                value = value - 1
            return value
        ''',
    )
    repo.write(
        "tests/unit/test_loop.py",
        "from pkg.loop import countdown\n\n\ndef test_countdown() -> None:\n"
        "    assert countdown(3) == 0\n",
    )
    make_calc(
        repo,
        config='[tool.qualitykit.mutation]\nmodules = ["src/pkg/loop.py"]\n'
        'tests = ["tests/unit/test_loop.py"]\nworkers = 2\n'
        "timeout-min = 0.3\ntimeout-factor = 1.0\n",
    )

    run = repo.qualitykit("mutation", "run")

    assert run.returncode == 0, run.stderr
    data = result(repo)
    timeouts = [m for m in data["mutants"] if m["outcome"] == "timeout"]
    assert any("value = value + 1" in m["diff"] for m in timeouts)
    counts = data["counts"]
    assert data["score"] == 100 * counts["killed"] / (counts["killed"] + counts["survived"])
    assert processes_under(repo.root.parent) == []
