"""``qualitykit triage`` on real pytest runs of a red suite built in tmp_path."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING, Any

from tests.conftest import Repo
from tests.integration.triage_fixtures import make_red

if TYPE_CHECKING:
    from pathlib import Path


def _bundles(repo: Repo) -> list[Path]:
    reports = repo.root / "reports"
    return sorted(path for path in reports.iterdir() if not path.name.startswith("."))


def _json(bundle: Path, name: str) -> Any:
    return json.loads((bundle / name).read_text(encoding="utf-8"))


def _triage(repo: Repo, *args: str) -> subprocess.CompletedProcess[str]:
    return repo.qualitykit("triage", *args, timeout=120)


def test_seven_failures_from_three_causes_make_three_clusters_with_path_free_ids(
    repo: Repo, tmp_path: Path
) -> None:
    """Cluster ids depend on the cause, never on the checkout path or the values in messages."""
    make_red(repo)
    other = Repo(tmp_path / "elsewhere" / "deeper" / "checkout")
    shutil.copytree(repo.root, other.root)

    first, second = _triage(repo), _triage(other)

    assert first.returncode == 1, first.stderr
    assert second.returncode == 1, second.stderr
    clusters = _json(_bundles(repo)[0], "clusters.json")["clusters"]
    assert [cluster["size"] for cluster in clusters] == [3, 2, 2]
    assert {cluster["root"] for cluster in clusters} == {"src/pkg/buggy.py"}
    assert {cluster["root_function"] for cluster in clusters} == {"parse", "size", "load"}
    assert {cluster["exception_type"] for cluster in clusters} == {
        "ValueError",
        "TypeError",
        "FileNotFoundError",
    }
    elsewhere = _json(_bundles(other)[0], "clusters.json")["clusters"]
    assert [cluster["id"] for cluster in clusters] == [cluster["id"] for cluster in elsewhere]
    failures = _json(_bundles(repo)[0], "failures.json")["failures"]
    assert len(failures) == 7
    summary = (_bundles(repo)[0] / "summary.md").read_text(encoding="utf-8")
    assert "7 failures from 3 root causes" in summary
    _assert_whole(repo)
    # The top cluster's repro command reproduces that cluster's failure.
    command = shlex.split(clusters[0]["repro"])
    assert command[0] == "python"
    rerun = subprocess.run(
        [sys.executable, *command[1:]],
        cwd=repo.root,
        env={**os.environ, "PYTHONPATH": "src"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert rerun.returncode == 1
    assert "ValueError: cannot parse" in rerun.stdout


def _assert_whole(repo: Repo) -> None:
    """Every file of the bundle is there, and nothing of the temp dir is left beside it."""
    (bundle,) = _bundles(repo)
    names = {path.name for path in bundle.iterdir()}
    assert names == {
        "summary.md", "failures.json", "clusters.json", "delta.json", "junit.xml",
        "report-log.jsonl", "pytest.log", "exit_code.txt", "env.json", "resources.json",
        "repro.sh",
    }  # fmt: skip
    assert [path.name for path in (repo.root / "reports").iterdir()] == [bundle.name]
    assert (bundle / "exit_code.txt").read_text() == "1\n"
    assert _json(bundle, "resources.json")["wall_s"] > 0
    env = _json(bundle, "env.json")
    assert env["cwd"] == str(repo.root)
    assert env["packages"]
    repro = (bundle / "repro.sh").read_text(encoding="utf-8")
    assert repro.count("python -m pytest") == 3
    # A reproduction's failure is its point: nothing in the script swallows an exit code.
    assert "|| true" not in repro


def test_delta_against_the_baseline_names_fixed_and_new_and_exits_1(repo: Repo) -> None:
    """One failure fixed and one new: the delta says which, and the new one fails the run."""
    make_red(repo)
    assert _triage(repo).returncode == 1
    baseline = _bundles(repo)[0]

    unchanged = _triage(repo, "--baseline", str(baseline))
    assert unchanged.returncode == 0, unchanged.stdout  # only known failures: hold the line

    red = (repo.root / "tests" / "test_red.py").read_text(encoding="utf-8")
    red = red.replace('assert parse("x") == 0', "assert True")
    red += "\n\ndef test_new_bug():\n    assert [1] == [2]\n"
    repo.write("tests/test_red.py", red)
    changed = _triage(repo, "--baseline", str(baseline))

    assert changed.returncode == 1, changed.stdout
    delta = _json(_bundles(repo)[-1], "delta.json")
    assert delta["new_tests"] == ["tests/test_red.py::test_new_bug"]
    assert delta["fixed_tests"] == ["tests/test_red.py::test_parse_three"]
    assert len(delta["still_failing_tests"]) == 6
    assert len(delta["new_clusters"]) == 1


def test_a_deselected_baseline_failure_is_not_fixed(repo: Repo) -> None:
    """A failure that did not run this time is "not run", never "fixed": no pass without proof."""
    make_red(repo)
    assert _triage(repo).returncode == 1
    narrowed = _triage(repo, "--", "-k", "not load_second")
    assert narrowed.returncode == 0, narrowed.stdout
    delta = _json(_bundles(repo)[-1], "delta.json")
    assert delta["fixed_tests"] == []
    assert delta["not_run_tests"] == ["tests/test_red.py::test_load_second"]
    assert delta["fixed_clusters"] == []


def test_floor_and_budget_from_the_project_settings(repo: Repo) -> None:
    """A pass rate under ``pass-rate-floor`` fails the run even with no new failure."""
    make_red(repo)
    assert _triage(repo).returncode == 1
    repo.configure("[tool.qualitykit.triage]\npass-rate-floor = 90\nbudget = 3600\n")
    again = _triage(repo)
    assert again.returncode == 1
    delta = _json(_bundles(repo)[-1], "delta.json")
    assert delta["new_tests"] == []
    assert delta["pass_rate_floor"] == 90
    assert delta["budget_s"] == 3600
    assert "pass-rate floor 90.0 %: BROKEN" in (_bundles(repo)[-1] / "summary.md").read_text()


def test_from_report_log_and_from_junit_ingest_a_ci_artifact(repo: Repo) -> None:
    """A CI artifact is read, not rerun: same clusters from the report log; JUnit says less."""
    make_red(repo)
    assert _triage(repo).returncode == 1
    run = _bundles(repo)[0]
    artifacts = repo.root.parent / "artifacts"
    artifacts.mkdir()
    shutil.copy(run / "report-log.jsonl", artifacts / "log.jsonl")
    shutil.copy(run / "junit.xml", artifacts / "junit.xml")
    expected = [cluster["id"] for cluster in _json(run, "clusters.json")["clusters"]]
    shutil.rmtree(repo.root / "reports")

    from_log = _triage(repo, "--from-report-log", str(artifacts / "log.jsonl"))
    assert from_log.returncode == 1, from_log.stderr
    ids = [cluster["id"] for cluster in _json(_bundles(repo)[0], "clusters.json")["clusters"]]
    assert ids == expected

    from_junit = _triage(repo, "--from-junit", str(artifacts / "junit.xml"))
    assert from_junit.returncode == 0, from_junit.stderr  # the same failures as the baseline
    bundle = _bundles(repo)[-1]
    assert len(_json(bundle, "failures.json")["failures"]) == 7
    assert "Read from JUnit XML" in (bundle / "summary.md").read_text(encoding="utf-8")
