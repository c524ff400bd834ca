"""Mutation internals on real sources: mutants equal cosmic-ray's, test selection, reports."""

from __future__ import annotations

from pathlib import Path

import cosmic_ray.plugins
import pytest
from cosmic_ray.mutating import mutate_code

from qualitykit.commands.mutation import parse_shard
from qualitykit.errors import QualityKitError
from qualitykit.mutation.baseline import Baseline
from qualitykit.mutation.mutants import ModuleMutants, operator_names
from qualitykit.mutation.report import markdown, stryker, verdict
from qualitykit.mutation.results import MutantResult, MutationCounts, MutationResult, Outcome, count
from qualitykit.mutation.session import Session, outcome_of

TOOLS = Path(__file__).resolve().parents[2] / "tools" / "qualitykit"

SAMPLE = """\
from __future__ import annotations

import re

LIMIT = 10 + 1


class Box:
    size: int = 2 * 3

    def grow(self, by: int = 1 + 1) -> int:
        def inner() -> int:
            return self.size + by

        return inner() * 2

    @property
    def half(self) -> float:
        return self.size / 2


def check(value: int | None, *, strict: bool = False) -> bool:
    if value is None or value < 0:
        return False
    return value <= LIMIT and not strict


square = lambda x: x ** 2  # noqa: E731
"""


@pytest.mark.parametrize("name", ["results.py", "config.py", "summary.py"])
def test_fast_mutants_are_exactly_cosmic_rays(name: str) -> None:
    source = (TOOLS / name).read_text(encoding="utf-8")
    module = ModuleMutants(name, source, operator_names(()))
    assert len(module.mutants) > 50
    for mutant in module.mutants[::29]:
        operator = cosmic_ray.plugins.get_operator(mutant.operator)()
        assert module.mutated_source(mutant) == mutate_code(source, operator, mutant.occurrence)


def test_sample_mutants_are_exactly_cosmic_rays_and_know_where_they_are() -> None:
    module = ModuleMutants("sample.py", SAMPLE, operator_names(()))
    for mutant in module.mutants:
        operator = cosmic_ray.plugins.get_operator(mutant.operator)()
        assert module.mutated_source(mutant) == mutate_code(SAMPLE, operator, mutant.occurrence)
    by_line = {m.start[0]: m for m in module.mutants}
    assert by_line[5].function is None  # LIMIT = 10 + 1: module level
    assert by_line[9].function is None  # a class attribute
    assert by_line[11].function is None  # a default value in a signature
    assert by_line[11].body == (12, 15)
    assert by_line[13].function == "Box.grow"  # inside a nested def: the outer one swaps
    assert by_line[19].function == "Box.half"
    assert by_line[22].in_annotation is False
    assert by_line[23].function == "check"
    assert by_line[28].function is None  # a lambda at module level
    annotated = [m for m in module.mutants if m.start[0] == 22 and m.in_annotation]
    assert annotated
    assert all(module.never_runs(m) for m in annotated)


def test_job_ids_are_deterministic_and_change_with_the_source() -> None:
    first = ModuleMutants("sample.py", SAMPLE, operator_names(()))
    again = ModuleMutants("sample.py", SAMPLE, operator_names(()))
    edited = ModuleMutants("sample.py", SAMPLE.replace("10 + 1", "10 + 2"), operator_names(()))
    assert [m.job_id for m in first.mutants] == [m.job_id for m in again.mutants]
    assert {m.job_id for m in first.mutants}.isdisjoint({m.job_id for m in edited.mutants})


def test_excluded_operators_are_left_out() -> None:
    names = operator_names(("^core/NumberReplacer$", "BinaryOperator"))
    assert "core/NumberReplacer" not in names
    assert not any("BinaryOperator" in name for name in names)
    assert "core/ReplaceComparisonOperator_Lt_Gt" in names


def _baseline() -> Baseline:
    return Baseline(
        tests=["t.py::slow", "t.py::fast", "u.py::other"],
        durations={"t.py::slow": 2.0, "t.py::fast": 0.1, "u.py::other": 0.5},
        lines={
            "sample.py": {
                5: [""],
                13: ["t.py::slow", "t.py::fast"],
                23: ["collect:u.py", "t.py::slow"],
            }
        },
    )


def test_selection_follows_the_coverage_contexts() -> None:
    module = ModuleMutants("sample.py", SAMPLE, operator_names(()))
    by_line = {m.start[0]: m for m in module.mutants}
    baseline = _baseline()
    # Per-test contexts, fastest first.
    assert baseline.select(by_line[13]) == ["t.py::fast", "t.py::slow"]
    # Module-level code runs at import: every test.
    assert baseline.select(by_line[5]) == ["t.py::fast", "u.py::other", "t.py::slow"]
    # A body run while u.py was imported: u.py's tests, plus the test that ran it.
    assert baseline.select(by_line[23]) == ["u.py::other", "t.py::slow"]
    # No line executed: no-coverage.
    assert baseline.select(by_line[28]) is None


def test_shards_parse_or_refuse() -> None:
    assert parse_shard("2/4") == (2, 4)
    assert parse_shard(None) is None
    for bad in ("0/4", "5/4", "a/b", "3"):
        with pytest.raises(QualityKitError):
            parse_shard(bad)


def _mutant(outcome: Outcome, line: int = 1) -> MutantResult:
    return MutantResult(
        id=f"{outcome.value}{line}",
        module="m.py",
        operator="core/NumberReplacer",
        occurrence=0,
        line=line,
        column=4,
        end_line=line,
        end_column=5,
        outcome=outcome,
        diff="--- a/m.py\n+++ b/m.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n",
    )


def test_the_score_leaves_everything_but_killed_and_survived_apart(tmp_path: Path) -> None:
    mutants = [
        _mutant(Outcome.KILLED, 1),
        _mutant(Outcome.KILLED, 2),
        _mutant(Outcome.KILLED, 3),
        _mutant(Outcome.SURVIVED, 4),
        _mutant(Outcome.TIMEOUT, 5),
        _mutant(Outcome.INCOMPETENT, 6),
        _mutant(Outcome.NO_COVERAGE, 7),
        _mutant(Outcome.ERROR, 8),
    ]
    counts = count(mutants)
    assert counts.score == 75.0
    assert counts.total == 8
    result = MutationResult(
        ok=True, score=counts.score, threshold=80, counts=counts, mutants=tuple(mutants)
    )
    assert "75.0%" in verdict(result)
    assert "timeout 1, incompetent 1, no-coverage 1, error 1" in verdict(result)
    (tmp_path / "m.py").write_text("x = 1\n", encoding="utf-8")
    document = stryker(result, tmp_path)
    statuses = [m["status"] for m in document["files"]["m.py"]["mutants"]]  # type: ignore[index]
    assert statuses == [
        "Killed",
        "Killed",
        "Killed",
        "Survived",
        "Timeout",
        "CompileError",
        "NoCoverage",
        "RuntimeError",
    ]
    assert "**m.py:4**" in markdown(result)
    assert count([]).score is None


def test_outcomes_survive_a_round_trip_through_a_cosmic_ray_session(tmp_path: Path) -> None:
    module = ModuleMutants("sample.py", SAMPLE, operator_names(()))
    chosen = module.mutants[: len(Outcome) - 1]
    session = Session(tmp_path / "session.sqlite")
    try:
        session.reset(module.mutants)
        recorded = [o for o in Outcome if o is not Outcome.PENDING]
        for mutant, outcome in zip(chosen, recorded, strict=True):
            session.record(mutant.job_id, outcome, "detail", "diff")
        stored = session.results()
    finally:
        session.close()
    got = [stored[mutant.job_id][0] for mutant in chosen]
    assert got == [o for o in Outcome if o is not Outcome.PENDING]
    assert outcome_of.__name__ == "outcome_of"


def test_stryker_entries_follow_the_schema_exactly(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("x = 1\n", encoding="utf-8")
    killed = _mutant(Outcome.KILLED, 1).model_copy(update={"seconds": 0.25, "tests": 3})
    error = _mutant(Outcome.ERROR, 2).model_copy(update={"detail": "pytest exit 4", "diff": ""})
    other = _mutant(Outcome.KILLED, 3).model_copy(update={"module": "n.py"})
    counts = count([killed, error, other])
    result = MutationResult(
        ok=False, score=100.0, threshold=70, counts=counts, mutants=(killed, error, other)
    )
    document = stryker(result, tmp_path)
    assert document["schemaVersion"] == "2"
    assert document["thresholds"] == {"high": 80, "low": 70}
    files = document["files"]
    assert isinstance(files, dict)
    assert sorted(files) == ["m.py", "n.py"]
    assert files["m.py"]["source"] == "x = 1\n"
    assert files["n.py"]["source"] == ""
    first, second = files["m.py"]["mutants"]
    assert first == {
        "id": killed.id,
        "mutatorName": "core/NumberReplacer",
        "location": {"start": {"line": 1, "column": 5}, "end": {"line": 1, "column": 6}},
        "status": "Killed",
        "static": False,
        "replacement": "x = 2",
        "duration": 250,
        "testsCompleted": 3,
    }
    assert second["statusReason"] == "pytest exit 4"
    assert "replacement" not in second
    assert "testsCompleted" not in second
    assert "duration" not in second
    low = MutationResult(ok=True, score=None, threshold=95, counts=count([]), mutants=())
    assert stryker(low, tmp_path)["thresholds"] == {"high": 80, "low": 80}


def test_markdown_lists_survivors_up_to_its_limit() -> None:
    survivors = [_mutant(Outcome.SURVIVED, line) for line in range(1, 203)]
    counts = count(survivors)
    result = MutationResult(
        ok=False,
        score=0.0,
        threshold=80,
        counts=counts,
        problems=("score 0.0% is below the threshold 80%",),
        notes=("a note",),
        mutants=tuple(survivors),
    )
    text = markdown(result)
    assert text.startswith("## Mutation testing: failed\n")
    assert "**Score 0.0%** (killed / (killed + survived); threshold 80%)" in text
    assert "| 0 | 202 | 0 | 0 | 0 | 0 | 0 | 202 |" in text
    assert "- problem: score 0.0% is below the threshold 80%" in text
    assert "- note: a note" in text
    assert "### Survivors (202)" in text
    assert text.count("```diff") == 200
    assert "**m.py:200** `core/NumberReplacer` (in `<module>`)" in text
    assert "**m.py:201**" not in text
    assert "... and 2 more (see report.json)" in text
    named = survivors[0].model_copy(update={"definition": "f"})
    one = MutationResult(ok=True, score=0.0, threshold=0, counts=count([named]), mutants=(named,))
    assert "(in `f`)" in markdown(one)
    assert markdown(one).startswith("## Mutation testing: passed\n")
    assert "... and" not in markdown(one)


def test_defaults_are_the_documented_ones() -> None:
    from pydantic import ValidationError  # noqa: PLC0415

    from qualitykit.config import MutationConfig, parse_config  # noqa: PLC0415

    config = MutationConfig()
    assert (config.workers, config.timeout_factor, config.timeout_min) == (0, 5.0, 2.0)
    assert (config.threshold, config.ratchet, config.tolerance) == (0.0, False, 0.5)
    assert (config.allow_errors, config.baseline) == (False, "mutation-baseline.json")
    assert parse_config({"mutation": {"workers": 0, "tolerance": 0}}, "p").mutation.workers == 0
    for bad in ({"workers": -1}, {"timeout-factor": 0.5}, {"tolerance": -0.1}, {"threshold": -1}):
        with pytest.raises(QualityKitError):
            parse_config({"mutation": bad}, "p")
    assert parse_config({"mutation": {"allow-errors": True}}, "p").mutation.allow_errors
    counts = MutationCounts()
    assert counts.total == 0
    assert counts.score is None
    assert count([_mutant(Outcome.PENDING)]).total == 1
    two_of_three = count(
        [_mutant(Outcome.KILLED, 1), _mutant(Outcome.KILLED, 2), _mutant(Outcome.SURVIVED, 3)]
    )
    assert two_of_three.score == pytest.approx(200 / 3)
    mutant = _mutant(Outcome.SURVIVED)
    assert (mutant.tests, mutant.cached, mutant.seconds, mutant.detail) == (0, False, None, "")
    result = MutationResult(ok=True, score=None, threshold=0, counts=counts)
    assert (result.seconds, result.workers, result.mutants, result.shard) == (0.0, 0, (), None)
    with pytest.raises(ValidationError):
        result.ok = False  # type: ignore[misc]
    mixed = MutationResult(
        ok=True,
        score=None,
        threshold=0,
        counts=counts,
        mutants=(
            _mutant(Outcome.SURVIVED, 9),
            _mutant(Outcome.KILLED, 1),
            _mutant(Outcome.SURVIVED, 2),
        ),
    )
    assert [m.line for m in mixed.survivors] == [2, 9]
