"""The coverage step, the ratchet and the badge on real repositories, through the real CLI."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Repo

SHAPES = '''\
"""Shapes."""


def area(width: int, height: int) -> int:
    """Area of a rectangle."""
    if width < 0 or height < 0:
        raise ValueError("negative size")
    return width * height


def perimeter(width: int, height: int) -> int:
    """Perimeter of a rectangle."""
    return 2 * (width + height)
'''
TEST_AREA = """\
from pkg.shapes import area


def test_area() -> None:
    assert area(2, 3) == 6
"""
TEST_PERIMETER = """\
from pkg.shapes import perimeter


def test_perimeter() -> None:
    assert perimeter(2, 3) == 10
"""
CLI = '''\
"""Run as a module."""

import sys

if __name__ == "__main__":
    sys.stdout.write("cli ran\\n")
'''
TEST_CLI = """\
import subprocess
import sys


def test_cli_in_a_subprocess() -> None:
    done = subprocess.run([sys.executable, "-m", "pkg.cli"], capture_output=True, text=True)
    assert done.stdout == "cli ran\\n"
"""
BADGE = "docs/assets/coverage.svg"


def setup(repo: Repo, coverage: str = "", gate: str = '["coverage"]') -> Repo:
    repo.configure(
        f"gate = {gate}\n"
        "[tool.qualitykit.coverage]\n"
        'tests = ["tests"]\n'
        f"{coverage}\n"
        "[tool.coverage.run]\n"
        'source = ["src/pkg"]\n'
    )
    repo.write("src/pkg/shapes.py", SHAPES)
    repo.write("tests/test_area.py", TEST_AREA)
    repo.write("tests/test_perimeter.py", TEST_PERIMETER)
    return repo


def check(repo: Repo, step: str = "coverage") -> tuple[int, dict[str, object]]:
    run = repo.qualitykit("check", step, "--json")
    assert "Traceback" not in run.stderr, run.stderr
    return run.returncode, json.loads(run.stdout) if run.stdout.strip() else {}


def codes(result: dict[str, object]) -> list[str]:
    findings = result["findings"]
    assert isinstance(findings, list)
    return [str(finding["code"]) for finding in findings]


def test_a_passing_suite_reports_typed_figures(repo: Repo) -> None:
    setup(repo, "ratchet = false")
    code, result = check(repo)
    assert code == 0, result
    coverage = result["coverage"]
    assert isinstance(coverage, dict)
    assert 80 < coverage["total"]["percent"] < 100  # the ValueError branch is not taken
    assert coverage["total"]["branches"] > 0  # branch coverage is on
    assert "src/pkg/shapes.py" in coverage["files"]
    assert (repo.root / ".qualitykit/coverage/coverage.xml").is_file()


def test_global_floor_breach_fails(repo: Repo) -> None:
    setup(repo, "ratchet = false\nfloor = 99")
    code, result = check(repo)
    assert code == 1
    assert "coverage-floor" in codes(result)


def test_a_group_below_its_floor_fails_while_the_total_passes(repo: Repo) -> None:
    setup(
        repo,
        "ratchet = false\nfloor = 50\n"
        '[tool.qualitykit.coverage.groups.shapes]\ninclude = ["src/pkg/shapes.py"]\nfloor = 99\n'
        "milestones = [95, 99, 100]",
    )
    code, result = check(repo)
    assert code == 1
    assert codes(result) == ["group-floor"]
    coverage = result["coverage"]
    assert isinstance(coverage, dict)
    (group,) = coverage["groups"]
    assert group["name"] == "shapes"
    assert group["next_milestone"] == 100


def test_ratchet_drop_fails_naming_the_files_and_points(repo: Repo) -> None:
    setup(repo)
    update = repo.qualitykit("coverage", "ratchet", "--update")
    assert update.returncode == 0, update.stderr
    baseline = json.loads((repo.root / "coverage-baseline.json").read_text())
    assert baseline["files"]["src/pkg/shapes.py"] > 70
    (repo.root / "tests/test_perimeter.py").unlink()

    code, result = check(repo)

    assert code == 1
    assert "ratchet-drop" in codes(result)
    findings = result["findings"]
    assert isinstance(findings, list)
    lost = [finding for finding in findings if finding["code"] == "ratchet-file"]
    assert [finding["file"] for finding in lost] == ["src/pkg/shapes.py"]
    assert "lost" in lost[0]["message"]
    assert "points" in lost[0]["message"]


def test_a_drop_within_tolerance_passes(repo: Repo) -> None:
    setup(repo, "tolerance = 50")
    assert repo.qualitykit("coverage", "ratchet", "--update").returncode == 0
    (repo.root / "tests/test_perimeter.py").unlink()
    code, _ = check(repo)
    assert code == 0


def test_a_rise_suggests_update_which_writes_the_new_baseline(repo: Repo) -> None:
    setup(repo)
    (repo.root / "tests/test_perimeter.py").unlink()
    assert repo.qualitykit("coverage", "ratchet", "--update").returncode == 0
    low = json.loads((repo.root / "coverage-baseline.json").read_text())["total"]
    repo.write("tests/test_perimeter.py", TEST_PERIMETER)

    code, result = check(repo)

    assert code == 0
    notes = result["notes"]
    assert isinstance(notes, list)
    assert any("qualitykit coverage ratchet --update" in note for note in notes)
    assert repo.qualitykit("coverage", "ratchet", "--update").returncode == 0
    high = json.loads((repo.root / "coverage-baseline.json").read_text())["total"]
    assert high > low
    assert not list(repo.root.glob(".coverage-baseline.json.*.tmp"))


def test_no_baseline_fails_with_the_command_that_creates_it(repo: Repo) -> None:
    setup(repo)
    code, result = check(repo)
    assert code == 1
    assert codes(result) == ["ratchet-missing"]


def test_coverage_of_a_red_suite_is_never_a_pass(repo: Repo) -> None:
    setup(repo, "ratchet = false")
    repo.write("tests/test_red.py", "def test_red() -> None:\n    assert False\n")
    code, result = check(repo)
    assert code == 1
    assert result["status"] == "fail"
    assert "coverage not judged" in str(result["summary"])
    assert result["coverage"] is None


def test_an_empty_suite_is_an_error(repo: Repo) -> None:
    setup(repo, "ratchet = false")
    for name in ("tests/test_area.py", "tests/test_perimeter.py", "tests/regression/test_core.py"):
        (repo.root / name).write_text("VALUE = 1\n")
    code, result = check(repo)
    assert code == 1
    assert result["status"] == "error"


def test_python_subprocesses_are_measured(repo: Repo) -> None:
    setup(repo, "ratchet = false")
    repo.write("src/pkg/cli.py", CLI)
    repo.write("tests/test_cli.py", TEST_CLI)
    code, result = check(repo)
    assert code == 0, result
    coverage = result["coverage"]
    assert isinstance(coverage, dict)
    assert coverage["files"]["src/pkg/cli.py"]["missing_lines"] == 0


def test_malformed_baseline_exits_2_and_is_left_as_it_was(repo: Repo) -> None:
    setup(repo)
    repo.write("coverage-baseline.json", '{"total": "lots"')
    run = repo.qualitykit("check", "coverage")
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "coverage-baseline.json" in lines[0]
    assert (repo.root / "coverage-baseline.json").read_text() == '{"total": "lots"'


def test_malformed_coverage_data_exits_2_and_overwrites_nothing(repo: Repo) -> None:
    setup(repo)
    assert repo.qualitykit("coverage", "ratchet", "--update").returncode == 0
    assert check(repo)[0] == 0  # a PASS, kept in the cache with its reports
    before = (repo.root / "coverage-baseline.json").read_bytes()
    (repo.root / ".qualitykit/coverage/coverage.json").write_text('{"files": 7}')

    run = repo.qualitykit("coverage", "ratchet", "--update")

    assert run.returncode == 2, run.stderr
    assert run.stderr.strip().splitlines()[-1].startswith("qualitykit: error: ")
    assert "coverage.json" in run.stderr
    assert "Traceback" not in run.stderr
    assert (repo.root / "coverage-baseline.json").read_bytes() == before


def badge_setup(repo: Repo, coverage: str = "ratchet = false") -> Repo:
    return setup(repo, coverage, gate='["coverage", "badge"]')


def test_a_fresh_badge_passes_and_is_byte_identical_across_runs(repo: Repo) -> None:
    badge_setup(repo)
    assert repo.qualitykit("coverage", "badge").returncode == 0
    first = (repo.root / BADGE).read_bytes()
    assert repo.qualitykit("coverage", "badge").returncode == 0
    assert (repo.root / BADGE).read_bytes() == first
    assert (repo.root / "docs/assets/coverage.json").is_file()
    code, result = check(repo, "badge")
    assert code == 0, result


def test_a_stale_badge_fails_naming_both_figures_and_the_moved_files(repo: Repo) -> None:
    badge_setup(repo)
    assert repo.qualitykit("coverage", "badge").returncode == 0
    (repo.root / "tests/test_perimeter.py").unlink()

    code, result = check(repo, "badge")

    assert code == 1
    findings = result["findings"]
    assert isinstance(findings, list)
    stale = findings[0]
    assert stale["code"] == "badge-stale"
    assert stale["file"] == BADGE
    assert "shows" in stale["message"]
    assert "measures" in stale["message"]
    assert "make badge" in stale["message"]
    moved = [finding["file"] for finding in findings if finding["code"] == "coverage-moved"]
    assert moved == ["src/pkg/shapes.py"]


def test_badge_tolerance_is_shown_when_used(repo: Repo) -> None:
    badge_setup(repo, "ratchet = false\nbadge-tolerance = 50")
    assert repo.qualitykit("coverage", "badge").returncode == 0
    (repo.root / "tests/test_perimeter.py").unlink()
    code, result = check(repo, "badge")
    assert code == 0, result
    notes = result["notes"]
    assert isinstance(notes, list)
    assert any("badge-tolerance of 50" in note for note in notes)


def test_a_missing_badge_fails_with_the_fix(repo: Repo) -> None:
    badge_setup(repo)
    code, result = check(repo, "badge")
    assert code == 1
    assert codes(result) == ["badge-missing"]
    assert "make badge" in str(result["summary"])


def test_the_hook_regenerates_a_stale_badge_without_staging_it(repo: Repo) -> None:
    badge_setup(repo)
    assert repo.qualitykit("coverage", "badge").returncode == 0
    repo.git("add", "-A")
    repo.git("commit", "-qm", "badge")
    (repo.root / "tests/test_perimeter.py").unlink()
    repo.git("commit", "-qam", "drop a test")

    stale = repo.qualitykit("coverage", "badge", "--hook")
    fresh = repo.qualitykit("coverage", "badge", "--hook")

    assert stale.returncode == 1
    assert "Commit it" in stale.stderr
    assert fresh.returncode == 0
    status = repo.git("status", "--porcelain")
    assert f" M {BADGE}" in status.splitlines()  # modified in the work tree, not staged


def test_the_badge_needs_coverage(repo: Repo) -> None:
    badge_setup(repo)
    repo.write("tests/test_red.py", "def test_red() -> None:\n    assert False\n")
    run = repo.gate()
    assert run.returncode == 1
    summary = repo.summary()
    assert summary["coverage"]["status"] == "fail"
    assert summary["badge"]["status"] == "error"
    assert "needs coverage" in summary["badge"]["summary"]


def test_coverage_and_badge_are_reused_when_nothing_changed(repo: Repo) -> None:
    badge_setup(repo)
    assert repo.qualitykit("coverage", "badge").returncode == 0
    assert repo.gate().returncode == 0
    (repo.root / ".qualitykit/gate-fastpath.json").unlink()
    assert repo.gate().returncode == 0
    assert {step["cached"] for step in repo.summary().values()} == {True}
    repo.write("tests/test_area.py", TEST_AREA + "\n")
    assert repo.gate().returncode == 0
    assert {step["cached"] for step in repo.summary().values()} == {False}
