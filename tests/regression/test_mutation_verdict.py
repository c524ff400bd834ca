"""A mutation run without a score is not a pass: the threshold had nothing to judge."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from integration.mutation_fixtures import CALC, MUTATION_CONFIG, make_calc, result
from qualitykit.mutation.mutants import ModuleMutants, operator_names
from qualitykit.mutation.results import Outcome
from qualitykit.mutation.verdict import RunOptions, Verdict, finish, mutant_result
from qualitykit.workspace import Workspace

if TYPE_CHECKING:
    from conftest import Repo


def test_every_mutant_a_timeout_or_incompetent_fails_the_threshold(repo: Repo) -> None:
    """0 killed + 0 survived is no score, and no score cannot meet ``threshold = 80``.

    ``finish()`` judged the threshold only when there was a score, so a run whose every mutant
    timed out or did not compile (nothing the tests decided) came back ``ok`` with a threshold
    of 80: a gate that says "pass" about code no test was seen to check.
    """
    make_calc(repo, config=MUTATION_CONFIG + "threshold = 80\n")
    workspace = Workspace.load(repo.root)
    scope = ModuleMutants("src/pkg/calc.py", CALC, operator_names(())).mutants
    results = {
        mutant.job_id: mutant_result(
            mutant, Outcome.TIMEOUT if index % 2 else Outcome.INCOMPETENT, ["t"], ""
        )
        for index, mutant in enumerate(scope)
    }

    verdict = finish(workspace, scope, results, Verdict([], [], RunOptions(), time.monotonic(), 1))

    assert verdict.score is None
    assert not verdict.ok
    assert any("no mutant was killed or survived" in problem for problem in verdict.problems)


def test_changed_lines_without_a_test_say_exactly_that(repo: Repo) -> None:
    """``--changed`` on lines no test executes names the changed lines and the missing test.

    The message used to be the full-run one ("no test executes any mutated line ... check
    [tool.qualitykit.mutation] tests"), which sends the author of a pull request to the
    configuration when the truth is that their new lines have no test.
    """
    make_calc(repo)
    source = (repo.root / "src/pkg/calc.py").read_text(encoding="utf-8")
    repo.write("src/pkg/calc.py", source.replace("return value * 3", "return value * 4"))

    run = repo.qualitykit("mutation", "run", "--changed", "--base", "HEAD")

    assert run.returncode == 1, run.stderr
    assert "no test executes the lines changed since HEAD" in run.stderr
    assert result(repo)["ok"] is False


def test_an_empty_changed_run_still_passes_with_a_note(repo: Repo) -> None:
    """No mutant on the changed lines (a comment changed) is not a failure: nothing to test."""
    make_calc(repo)
    source = (repo.root / "src/pkg/calc.py").read_text(encoding="utf-8")
    repo.write("src/pkg/calc.py", source + "# a comment\n")

    run = repo.qualitykit("mutation", "run", "--changed", "--base", "HEAD")

    assert run.returncode == 0, run.stderr
    assert "no mutant on the lines changed since HEAD" in " ".join(result(repo)["notes"])
