"""The Makefile side of ``init``: ``qualitykit.mk`` and one ``include`` line, or a new Makefile.

An existing Makefile gets a comment and ``include qualitykit.mk`` appended, nothing else: its
lines stay as they were. A target ``qualitykit.mk`` would define that the Makefile already has
is a conflict: ``init`` stops before writing anything (make would otherwise warn and take one
recipe silently). A Makefile make cannot parse is an error naming the file and line, found by
make itself in a throwaway copy (qualitykit.adapters.makefile_json: no recipe ever runs).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from qualitykit.errors import QualityKitError

if TYPE_CHECKING:
    from pathlib import Path

INCLUDED = "qualitykit.mk"
TARGETS = ("quality", "quality-baseline", "quality-mutation")
QUALITYKIT_MK = f"""\
# qualitykit's targets, included by the Makefile (written by `qualitykit init`; docs/adoption.md).
# The qualitykit of the project's .venv when there is one, else the one on PATH.
QUALITYKIT ?= $(if $(wildcard .venv/bin/qualitykit),.venv/bin/qualitykit,qualitykit)

.PHONY: {" ".join(TARGETS)}

quality: ## Run the whole quality gate in parallel and print one summary
\t$(QUALITYKIT) gate

quality-baseline: ## Shrink the findings baseline after fixing some (it never grows)
\t$(QUALITYKIT) baseline --update

quality-mutation: ## Mutation testing of [tool.qualitykit.mutation] modules (slow)
\t$(QUALITYKIT) mutation run
"""
NEW_MAKEFILE = f"""\
# `make quality` runs qualitykit's gate (written by `qualitykit init`; docs/adoption.md).
# Fail closed: bash with -e, -u and pipefail in every recipe.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c

include {INCLUDED}
"""
_INCLUDE_LINE = f"include {INCLUDED}"
_APPENDED = (
    f"\n# qualitykit's gate: `make quality` (written by `qualitykit init`).\n{_INCLUDE_LINE}\n"
)
# A rule's targets: "a b: deps" or "a::"; not an assignment ("a := b", "a ?= b", "a = b: c").
_RULE = re.compile(r"^(?P<targets>[^\t#=:][^=:]*?)\s*::?(?!=)")
_INCLUDES = re.compile(rf"^\s*-?s?include\s+(?:.*\s)?{re.escape(INCLUDED)}(?:\s|$)")


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Lines joined across backslash continuations, each with its first line's number."""
    joined: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        start, head = pending if pending is not None else (number, "")
        if line.endswith("\\"):
            pending = (start, head + line[:-1] + " ")
            continue
        pending = None
        joined.append((start, head + line))
    if pending is not None:
        joined.append(pending)
    return joined


def defined_targets(text: str) -> dict[str, int]:
    """The explicit targets of a makefile's rules and the line defining each first."""
    found: dict[str, int] = {}
    for number, line in _logical_lines(text):
        if line.startswith("\t"):
            continue  # a recipe line
        match = _RULE.match(line)
        if match is None or "$" in match["targets"]:
            continue
        for target in match["targets"].split():
            found.setdefault(target, number)
    return found


def includes_ours(text: str) -> bool:
    """Whether the makefile already includes ``qualitykit.mk``."""
    return any(_INCLUDES.match(line) for line in text.splitlines())


def check_parses(root: Path, makefile: str) -> None:
    """Exit 2 naming file and line when make cannot parse the project's makefile."""
    from qualitykit.adapters.makefile_json import parse_findings  # noqa: PLC0415 - mbake: lazy

    names = sorted({str(root / makefile), *(str(path) for path in root.glob("*.mk"))})
    for finding in parse_findings(names):
        if finding["file"] == str(root / makefile):
            line = finding["line"]
            where = f"{makefile}:{line}" if line is not None else makefile
            raise QualityKitError(f"{where}: make cannot parse it: {finding['message']}")


def merge(makefile: str | None, before: str | None) -> tuple[str, str]:
    """The Makefile's name and content after ``init`` (``before``: its content now)."""
    if makefile is None or before is None:
        return "Makefile", NEW_MAKEFILE
    if includes_ours(before):
        return makefile, before
    defined = defined_targets(before)
    clashes = [name for name in TARGETS if name in defined]
    if clashes:
        first = clashes[0]
        message = (
            f"{makefile}:{defined[first]}: target {first!r} already exists, and {INCLUDED} "
            f"would define it too ({', '.join(TARGETS)}): rename yours, then run init again; "
            "nothing was written"
        )
        raise QualityKitError(message)
    ending = "" if before.endswith("\n") or not before else "\n"
    return makefile, before + ending + _APPENDED
