"""``[tool.qualitykit]`` added to pyproject.toml without changing a line the user wrote.

The table is rendered with tomlkit (values quoted and escaped as TOML wants) and appended after
the user's last line: appending is the only edit that provably leaves every existing line,
comment and table order as it was. The result must parse, and parse to the user's data plus
ours; otherwise ``init`` stops and writes nothing. A project that already has a
``[tool.qualitykit]`` table keeps it as it is: its settings are the user's now.
"""

from __future__ import annotations

import tomllib
from typing import TYPE_CHECKING, Any, cast

import tomlkit
from tomlkit.items import Table

from qualitykit.errors import QualityKitError

if TYPE_CHECKING:
    from qualitykit.init.detect import ProjectFacts

_HEADER = (
    "# qualitykit: the gate `make quality` runs (written by `qualitykit init`; docs/adoption.md).\n"
    "# Your tools' own settings above stay yours: these only say which steps run, on what.\n"
)


def gate_steps(facts: ProjectFacts) -> list[str]:
    """The built-in steps the gate runs for this project, in the summary's order."""
    steps = ["ruff-format"] if facts.formats_code else []
    steps += ["ruff-lint", "mypy", "pyright", "vulture", "actionlint", "zizmor", "makefile"]
    steps += ["policy"]
    if facts.tests:
        steps += ["coverage", "badge"]
    return steps


def _mutation(facts: ProjectFacts) -> Table:
    mutation = tomlkit.table()
    mutation.add(
        tomlkit.comment("The nightly workflow's mutants: the project's code, not its tests.")
    )
    modules = [
        source if source.endswith(".py") else f"{source.rstrip('/')}/**/*.py"
        for source in facts.source
    ]
    mutation.add("modules", [module.removeprefix("./") for module in modules])
    mutation.add("exclude-modules", ["**/tests/**", "**/test_*.py", "**/conftest.py"])
    mutation.add(
        tomlkit.comment("Raise it to the first nightly run's score: it only goes up from there.")
    )
    mutation.add("threshold", 0)
    return mutation


def render_table(facts: ProjectFacts, *, strict: bool) -> str:
    """The ``[tool.qualitykit]`` tables ``init`` writes, as TOML text."""
    qualitykit = tomlkit.table()
    qualitykit.add("source", list(facts.source))
    qualitykit.add("gate", list(gate_steps(facts)))
    qualitykit.add(
        tomlkit.comment(
            'Add "regression" to the gate once tests/regression holds tests (its README says why).'
        )
    )
    steps = tomlkit.table(is_super_table=True)
    if "mypy" not in facts.tool_configs:
        mypy = tomlkit.table()
        mypy.add(
            tomlkit.comment(
                "The project has no mypy config: mypy's defaults"
                + (
                    " made strict (init --strict)."
                    if strict
                    else "; `strict = true` tightens them."
                )
            )
        )
        mypy.add("strict", strict)
        steps.add("mypy", mypy)
    elif strict:
        steps.add("mypy", tomlkit.table().add("strict", value=True))
    if steps:
        qualitykit.add("steps", steps)
    qualitykit.add("mutation", _mutation(facts))
    tool = tomlkit.table(is_super_table=True)
    tool.add("qualitykit", qualitykit)
    document = tomlkit.document()
    document.add("tool", tool)
    return _HEADER + tomlkit.dumps(document)


def _parse(text: str, name: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise QualityKitError(f"{name}: invalid TOML: {error}") from None


def merge(before: str | None, facts: ProjectFacts, *, strict: bool) -> str:
    """pyproject.toml's content after ``init`` (``before`` unchanged when it has the table)."""
    table = render_table(facts, strict=strict)
    if before is None:
        return table
    data = _parse(before, "pyproject.toml")
    tool = data.get("tool")
    if isinstance(tool, dict) and "qualitykit" in tool:
        return before
    after = before + ("" if before.endswith("\n") or not before else "\n") + "\n" + table
    try:
        merged = tomllib.loads(after)
    except tomllib.TOMLDecodeError as error:
        message = f"pyproject.toml: cannot append [tool.qualitykit] to it: {error}"
        raise QualityKitError(message) from None
    ours = tomllib.loads(table)["tool"]["qualitykit"]
    if merged["tool"].get("qualitykit") != ours or {
        key: value for key, value in merged.items() if key != "tool"
    } != {key: value for key, value in data.items() if key != "tool"}:
        raise QualityKitError("pyproject.toml: appending [tool.qualitykit] would change its data")
    return after


def set_coverage_floor(text: str, floor: int) -> str:
    """``text`` with ``[tool.qualitykit.coverage] floor`` set (tomlkit's round trip).

    Used right after ``init`` measured today's figures, on the table ``init`` itself wrote;
    every other line of the file comes back as it was.
    """
    document = tomlkit.parse(text)
    tool = cast("dict[str, object]", document).get("tool")
    qualitykit = (
        cast("dict[str, object]", tool).get("qualitykit") if isinstance(tool, Table) else None
    )
    if not isinstance(qualitykit, Table):
        raise QualityKitError("pyproject.toml: [tool.qualitykit] is not a table")
    coverage = qualitykit.setdefault("coverage", tomlkit.table())
    coverage["floor"] = floor
    return tomlkit.dumps(document)
