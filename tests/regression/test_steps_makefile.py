"""Regression: the makefile step parses the user's Makefiles and never runs what they say."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Repo

BAKE = "[formatter]\nensure_final_newline = true\n"


def makefile_gate(repo: Repo, makefile: str) -> None:
    repo.configure('gate = ["makefile"]')
    repo.write(".bake.toml", BAKE)
    repo.write("Makefile", makefile)


@pytest.mark.parametrize("include", ["-include", "include"])
def test_a_generated_include_is_not_remade(repo: Repo, include: str) -> None:
    """GNU make remakes an included makefile that has a rule, even under ``make -n``.

    It broke: a Makefile with ``-include gen.mk`` and a rule for ``gen.mk`` had that recipe
    executed by the check (a file appeared in the user's tree). A check never runs the user's
    code: make now parses a throwaway copy, with a shell that starts nothing. A generated
    include whose recipe was refused is not a parse error either (the real build makes it).
    """
    makefile_gate(
        repo,
        f"{include} gen.mk\n\n.PHONY: all\n\nall:\n\t@echo all\n\n"
        "gen.mk:\n\ttouch recipe-ran\n\techo 'X = 1' > gen.mk\n",
    )

    run = repo.gate()

    assert run.returncode == 0, run.stderr + str(repo.summary()["makefile"])
    assert not (repo.root / "recipe-ran").exists()
    assert not (repo.root / "gen.mk").exists()


def test_shell_functions_run_nothing_while_make_parses(repo: Repo) -> None:
    """``$(shell …)`` is expanded while make reads the file; with the check it starts nothing.

    Chosen: ``SHELL=/bin/false`` and an empty ``.SHELLFLAGS`` on make's command line, so a
    ``$(shell …)`` expands to nothing (as when its command fails) instead of running it, even
    where the Makefile sets SHELL itself, and PATH names an empty directory.
    """
    makefile_gate(
        repo,
        "SHELL := /bin/sh\nSTAMP := $(shell touch shell-ran)\nNOW := $(shell date > now.txt)\n\n"
        ".PHONY: all\n\nall:\n\t@echo $(STAMP)\n",
    )

    run = repo.gate()

    assert run.returncode == 0, run.stderr
    assert not (repo.root / "shell-ran").exists()
    assert not (repo.root / "now.txt").exists()


def test_a_real_parse_error_still_fails(repo: Repo) -> None:
    """Neutralising the shell must not hide what the check is for: syntax errors."""
    makefile_gate(repo, "-include gen.mk\n\nall:\n    echo spaces, not a tab\n")

    run = repo.gate()

    assert run.returncode == 1
    result = repo.summary()["makefile"]
    assert result["status"] == "fail"
    assert any("missing separator" in finding["message"] for finding in result["findings"])
