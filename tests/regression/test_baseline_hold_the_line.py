"""Baselines: the gate fails only on new findings, on stale entries, never on a stale verdict."""

from __future__ import annotations

import json
import random
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import Repo

BASELINE = "qualitykit-baseline.json"
# Known debt: ruff F401 + F821 (twice), mypy no-untyped-def + name-defined (twice).
LEGACY = '''\
"""Legacy code with known findings."""

import os


def shout(text):
    return text.upper()


def show() -> None:
    print(missing)
    print(missing)
'''
FAST_GATE = 'gate = ["ruff-lint", "mypy"]'
LINT_ONLY = 'gate = ["ruff-lint"]'


def _legacy(repo: Repo, gate: str = FAST_GATE) -> None:
    repo.configure(gate)
    repo.write("src/pkg/legacy.py", LEGACY)


def _entries(repo: Repo, name: str = BASELINE) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((repo.root / name).read_text(encoding="utf-8"))
    return data["steps"]


def _codes(step: dict[str, Any]) -> list[str]:
    return [finding["code"] for finding in step["findings"]]


def test_record_then_hold_the_line_until_a_fix_shrinks_the_baseline(repo: Repo) -> None:
    """Recorded debt passes; a new finding, or a fixed but still listed one, fails its step.

    The whole life of a baseline: without it a legacy project cannot adopt the gate, and a
    baseline that never fails on a fixed entry would let it grow stale (and hide the same
    finding coming back). ``--update`` only removes.
    """
    _legacy(repo, LINT_ONLY)
    assert repo.gate().returncode == 1

    recorded = repo.qualitykit("baseline")
    assert recorded.returncode == 0, recorded.stderr
    assert [entry["rule"] for entry in _entries(repo)["ruff-lint"]] == [
        "ruff-lint:F401",
        "ruff-lint:F821",
        "ruff-lint:F821",
    ]
    gate = repo.gate()
    assert gate.returncode == 0, gate.stderr
    lint = repo.summary()["ruff-lint"]
    assert (lint["status"], lint["counts"]["baseline"], lint["counts"]["baselined"]) == (
        "pass",
        3,
        3,
    )
    assert "3 of 3 baselined" in gate.stderr
    assert repo.qualitykit("check", "ruff-lint").returncode == 0
    # The stored results are the tool's own (a failure); the summary judges them the same way.
    assert repo.qualitykit("summary").returncode == 0

    # A new lint finding: red, naming ruff-lint and only the new finding.
    repo.write("src/pkg/legacy.py", LEGACY + "\n\ndef extra() -> None:\n    import json\n")
    gate = repo.gate()
    assert gate.returncode == 1
    assert "gate failed: ruff-lint" in gate.stderr
    assert _codes(repo.summary()["ruff-lint"]) == ["F401"]
    assert "json" in repo.summary()["ruff-lint"]["findings"][0]["message"]
    # --update never adds: the new finding stays new.
    before = (repo.root / BASELINE).read_bytes()
    assert repo.qualitykit("baseline", "--update").returncode == 0
    assert (repo.root / BASELINE).read_bytes() == before
    assert repo.gate().returncode == 1

    # A baselined finding fixed: red as stale until --update removes it, then green.
    repo.write("src/pkg/legacy.py", LEGACY.replace("import os\n", ""))
    gate = repo.gate()
    assert gate.returncode == 1
    assert "gate failed: ruff-lint" in gate.stderr
    (stale,) = repo.summary()["ruff-lint"]["findings"]
    assert stale["code"] == "baseline-stale"
    assert "import os" in stale["message"]
    assert "qualitykit baseline --update" in stale["message"]
    assert repo.qualitykit("check", "ruff-lint").returncode == 1

    update = repo.qualitykit("baseline", "--update")
    assert update.returncode == 0, update.stderr
    assert "baseline ruff-lint: 1 removed" in update.stderr
    assert len(_entries(repo)["ruff-lint"]) == 2
    assert repo.gate().returncode == 0


def test_an_existing_baseline_is_never_recorded_over(repo: Repo) -> None:
    """``qualitykit baseline`` twice: exit 2, one line, the file unchanged.

    Recording again would take in every finding added since: the baseline would grow
    silently, and the gate would never have failed on them.
    """
    _legacy(repo, LINT_ONLY)
    assert repo.qualitykit("baseline").returncode == 0
    before = (repo.root / BASELINE).read_bytes()
    repo.write("src/pkg/legacy.py", LEGACY + "\nimport sys\n")

    again = repo.qualitykit("baseline")

    assert again.returncode == 2
    assert again.stderr.count("\n") == 1, again.stderr
    assert BASELINE in again.stderr
    assert "--update" in again.stderr
    assert (repo.root / BASELINE).read_bytes() == before


def test_the_verdict_of_a_cached_result_follows_an_edited_baseline(repo: Repo) -> None:
    """A cached PASS meets a baseline edited since: the stale entry fails it, cached or not.

    The baseline is applied after the cache: were it part of the stored result, editing the
    baseline (by hand, or a merge) would reuse a verdict given under the old one.
    """
    _legacy(repo, 'gate = ["ruff-format", "ruff-lint"]')
    assert repo.qualitykit("baseline").returncode == 0
    assert repo.gate().returncode == 0
    data = json.loads((repo.root / BASELINE).read_text(encoding="utf-8"))
    known = data["steps"]["ruff-lint"][0]
    data["steps"]["ruff-format"] = [{**known, "rule": "ruff-format", "fingerprint": "0" * 32}]
    (repo.root / BASELINE).write_text(json.dumps(data), encoding="utf-8")

    gate = repo.gate()

    assert gate.returncode == 1
    formatted = repo.summary()["ruff-format"]
    assert formatted["cached"] is True
    assert formatted["status"] == "fail"
    assert _codes(formatted) == ["baseline-stale"]
    # And the other way: an entry removed from the baseline makes its finding new again.
    del data["steps"]["ruff-format"]
    data["steps"]["ruff-lint"] = data["steps"]["ruff-lint"][1:]
    (repo.root / BASELINE).write_text(json.dumps(data), encoding="utf-8")
    assert repo.gate().returncode == 1
    assert repo.summary()["ruff-lint"]["status"] == "fail"
    assert repo.summary()["ruff-format"]["status"] == "pass"


def test_an_edited_baseline_git_ignores_never_replays_a_pass(repo: Repo) -> None:
    """The no-op replay must see the baseline even when git does not list it.

    The replay fingerprints git's file list; a baseline kept where .gitignore hides it
    (``ci/`` here) could change without the replay noticing, and the last passing run would
    be replayed under a baseline that no longer holds its findings.
    """
    _legacy(repo, LINT_ONLY + '\nbaseline-file = "ci/known.json"')
    repo.write(".gitignore", ".qualitykit/\n__pycache__/\nci/\n")
    assert repo.qualitykit("baseline").returncode == 0
    assert repo.gate().returncode == 0
    data = json.loads((repo.root / "ci/known.json").read_text(encoding="utf-8"))
    data["steps"]["ruff-lint"] = data["steps"]["ruff-lint"][1:]
    (repo.root / "ci/known.json").write_text(json.dumps(data), encoding="utf-8")

    gate = repo.gate()

    assert gate.returncode == 1, gate.stderr
    assert "no input changed" not in gate.stderr


def test_failing_tests_are_never_baselined(repo: Repo) -> None:
    """A red test suite stays red: ``baseline`` records nothing for it and says so (exit 1)."""
    _legacy(repo, 'gate = ["ruff-lint", "regression"]')
    repo.write("tests/regression/test_red.py", "def test_red() -> None:\n    assert False\n")

    recorded = repo.qualitykit("baseline")

    assert recorded.returncode == 1
    assert "still red regression" in recorded.stderr
    assert set(_entries(repo)) == {"ruff-lint"}
    gate = repo.gate()
    assert gate.returncode == 1
    assert "gate failed: regression" in gate.stderr


def _comment_somewhere(text: str, rng: random.Random) -> str:
    """``text`` with one comment line before a random statement line, indented like it.

    A formatter-neutral place: blank lines, or a comment at the end of an import block, are
    findings of their own for a formatter or import sorter (not what is tested here).
    """
    lines = text.splitlines()
    at = rng.choice([n for n, line in enumerate(lines) if line.strip()])
    below = lines[at]
    lines.insert(at, f"{below[: len(below) - len(below.lstrip())]}# moved by an edit")
    return "\n".join(lines) + "\n"


def test_lines_inserted_in_five_files_add_no_finding(repo: Repo) -> None:
    """20 comment lines at random places in 5 baselined files: 0 new findings.

    Fingerprints hold no line number: a baseline that broke on every edit above a finding
    would be thrown away by the first team that adopted it.
    """
    _legacy(repo)
    names = [f"src/pkg/legacy{n}.py" for n in range(5)]
    for name in names:
        repo.write(name, LEGACY)
    assert repo.qualitykit("baseline").returncode == 0
    rng = random.Random(12)  # noqa: S311 - insertion points, not secrets
    for _ in range(20):
        name = rng.choice(names)
        path = repo.root / name
        path.write_text(_comment_somewhere(path.read_text(encoding="utf-8"), rng))

    gate = repo.gate()

    assert gate.returncode == 0, gate.stderr
    assert repo.summary()["ruff-lint"]["counts"]["baselined"] == 18


def test_a_duplicate_of_a_baselined_line_is_exactly_one_new_finding(repo: Repo) -> None:
    """The same code line once more in the same file: one new finding per step, not zero.

    The occurrence of a (rule, file, line text) is part of the fingerprint; without it a
    copied line would hide behind the baselined one.
    """
    _legacy(repo)
    assert repo.qualitykit("baseline").returncode == 0
    repo.write("src/pkg/legacy.py", LEGACY + "    print(missing)\n")

    assert repo.gate().returncode == 1
    summary = repo.summary()
    assert _codes(summary["ruff-lint"]) == ["F821"]
    assert _codes(summary["mypy"]) == ["name-defined"]
    assert summary["ruff-lint"]["counts"]["baselined"] == 3


def test_a_file_the_formatter_would_change_stays_known_while_partly_formatted(
    repo: Repo,
) -> None:
    """ruff-format's one finding per file is known by the file, not by its line.

    ruff puts it at the first line the formatter would change: formatting that line by hand
    (or any edit there) moved it, and the baselined file came back as new and stale at once.
    """
    repo.configure('gate = ["ruff-format"]')
    repo.write("src/pkg/messy.py", '"""Messy."""\n\na=1\n\n\ndef f() -> int:\n    return  2\n')
    assert repo.qualitykit("baseline").returncode == 0
    repo.write("src/pkg/messy.py", '"""Messy."""\n\na = 1\n\n\ndef f() -> int:\n    return  2\n')

    gate = repo.gate()

    assert gate.returncode == 0, gate.stderr
    assert repo.summary()["ruff-format"]["counts"]["baselined"] == 1


def test_a_failure_the_baseline_passes_is_reused_while_its_inputs_are_unchanged(
    repo: Repo,
) -> None:
    """A step failing only by known findings is cached like a pass, judged afresh each run.

    Rerunning it whenever any project file changed made every step with debt (pyright: 10-20 s
    on a real target) run on every gate of an adopted project. Its inputs are unchanged, and
    the baseline is applied to the reused result, so an edited baseline still counts.
    """
    _legacy(repo, LINT_ONLY)
    assert repo.qualitykit("baseline").returncode == 0
    repo.write("notes.txt", "not an input of ruff-lint\n")  # the no-op replay cannot apply

    gate = repo.gate()

    assert gate.returncode == 0, gate.stderr
    lint = repo.summary()["ruff-lint"]
    assert (lint["status"], lint["cached"], lint["counts"]["baselined"]) == ("pass", True, 3)
    # The same stored failure, a baseline that no longer knows one finding: red, rerun.
    data = json.loads((repo.root / BASELINE).read_text(encoding="utf-8"))
    data["steps"]["ruff-lint"] = data["steps"]["ruff-lint"][1:]
    (repo.root / BASELINE).write_text(json.dumps(data), encoding="utf-8")
    assert repo.gate().returncode == 1
    assert repo.summary()["ruff-lint"]["cached"] is False


def test_update_keeps_the_entries_of_a_step_that_gave_no_verdict(repo: Repo) -> None:
    """A step that errored during ``--update`` keeps its entries, and the command says so.

    Its findings are unknown, not gone: removing its entries would turn every one of them
    into a new finding once the tool works again.
    """
    _legacy(repo, LINT_ONLY)
    assert repo.qualitykit("baseline").returncode == 0
    before = (repo.root / BASELINE).read_bytes()
    repo.configure(
        LINT_ONLY + '\n[tool.qualitykit.steps.ruff-lint]\nargs = ["--select", "NOPE999"]'
    )

    update = repo.qualitykit("baseline", "--update")

    assert update.returncode == 0, update.stderr
    assert "ruff-lint: did not run to a verdict; entries kept" in update.stderr
    assert (repo.root / BASELINE).read_bytes() == before
