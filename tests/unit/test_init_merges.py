"""Property tests of ``init``'s merges: no user line removed or changed, output parses, idempotent.

Hypothesis generates existing pyproject.toml, .pre-commit-config.yaml and Makefile contents
(tables, comments, hooks, rules, odd spacing); each merge must keep every line the user wrote,
in order, add qualitykit's part, give a file its tool still reads, and change nothing when run
a second time on its own output.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import tomlkit
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from qualitykit.errors import QualityKitError
from qualitykit.init import makefile, precommit, pyproject
from qualitykit.init.detect import ProjectFacts

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None)
FACTS = ProjectFacts(layout="src", source=("src",), tests=("tests",), pytest_config=None)

names = st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True)
comments = st.from_regex(r"# [ -~]{0,30}", fullmatch=True)
scalars = st.one_of(
    st.integers(-1000, 1000),
    st.booleans(),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
)
values = st.one_of(scalars, st.lists(scalars, max_size=3))
tables = st.dictionaries(names, values, max_size=4)


@st.composite
def pyprojects(draw: st.DrawFn) -> str:
    """A pyproject.toml as users write it: tables in any order, tool tables, comments."""
    document = tomlkit.document()
    if draw(st.booleans()):
        document.add(tomlkit.comment(draw(comments).lstrip("# ")))
    for name in draw(st.lists(st.sampled_from(["project", "build-system", "tool"]), unique=True)):
        if name == "tool":
            tool = tomlkit.table(is_super_table=True)
            for tool_name, table in draw(
                st.dictionaries(names.filter(lambda n: n != "qualitykit"), tables, max_size=3)
            ).items():
                tool.add(tool_name, table)
            document.add("tool", tool)
        else:
            document.add(name, draw(tables))
    text = tomlkit.dumps(document)
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(lines)))
        lines.insert(at, draw(st.sampled_from(["\n", "# a comment of the user's\n", "   \n"])))
    ending = draw(st.sampled_from(["", "\n"]))
    return "".join(lines).rstrip("\n") + ending if lines else ending


@SETTINGS
@given(pyprojects())
def test_pyproject_merge_appends_only_and_is_idempotent(before: str) -> None:
    after = pyproject.merge(before, FACTS, strict=False)

    assert after.startswith(before), "a user line was removed or changed"
    data = tomllib.loads(after)
    assert data["tool"]["qualitykit"]["gate"]
    assert {k: v for k, v in data.items() if k != "tool"} == {
        k: v for k, v in tomllib.loads(before).items() if k != "tool"
    }
    assert pyproject.merge(after, FACTS, strict=False) == after


def test_a_project_that_configures_qualitykit_keeps_its_table() -> None:
    before = '[tool.qualitykit]\ngate = ["ruff-lint"]  # mine\n'
    assert pyproject.merge(before, FACTS, strict=True) == before


def test_invalid_toml_is_an_error_naming_the_line() -> None:
    with pytest.raises(QualityKitError, match=r"pyproject.toml: invalid TOML: .*line 2"):
        pyproject.merge('[project]\nname = "x\n', FACTS, strict=False)


hooks = st.fixed_dictionaries(
    {"id": names, "name": names, "entry": names, "language": st.just("system")}
)
repos = st.lists(
    st.fixed_dictionaries(
        {
            "repo": st.sampled_from(["local", "https://example.invalid/hooks"]),
            "hooks": st.lists(hooks, min_size=1, max_size=3),
        }
    ),
    min_size=1,
    max_size=3,
)


@st.composite
def precommit_configs(draw: st.DrawFn) -> str:
    """A .pre-commit-config.yaml in any common block style, with comments between lines."""
    data: dict[str, object] = {}
    if draw(st.booleans()):
        data["default_stages"] = ["pre-commit"]
    data["repos"] = draw(repos)
    if draw(st.booleans()):
        data["ci"] = {"autofix_prs": draw(st.booleans())}
    indent = draw(st.sampled_from([2, 4]))
    text = yaml.safe_dump(
        data, indent=indent, sort_keys=draw(st.booleans()), default_flow_style=False
    )
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(lines)))
        lines.insert(at, "# a comment of the user's\n")
    return "".join(lines)


def _is_one_insertion(before: list[str], after: list[str]) -> bool:
    """``after`` is ``before`` with one block of lines inserted somewhere."""
    inserted = len(after) - len(before)
    return inserted > 0 and any(
        after[:at] == before[:at] and after[at + inserted :] == before[at:]
        for at in range(len(before) + 1)
    )


@SETTINGS
@given(precommit_configs())
def test_precommit_merge_inserts_one_block_and_is_idempotent(before: str) -> None:
    after = precommit.merge(before)

    assert _is_one_insertion(before.splitlines(), after.splitlines()), after
    old, new = yaml.safe_load(before), yaml.safe_load(after)
    assert new["repos"][: len(old["repos"])] == old["repos"]
    assert [hook["id"] for hook in new["repos"][-1]["hooks"]] == list(precommit.IDS)
    assert {k: v for k, v in new.items() if k != "repos"} == {
        k: v for k, v in old.items() if k != "repos"
    }
    assert precommit.merge(after) == after


def test_invalid_yaml_is_an_error_naming_the_line() -> None:
    with pytest.raises(QualityKitError, match=r"\.pre-commit-config\.yaml:3: invalid YAML"):
        precommit.merge("repos:\n  - repo: local\n  hooks: [\n")


rule_lines = st.one_of(
    names.filter(lambda n: n not in makefile.TARGETS).map(
        lambda n: f"{n}: ## does {n}\n\t@echo {n}\n"
    ),
    names.map(lambda n: f"{n.upper().replace('-', '_')} := {n}\n"),
    comments.map(lambda c: c + "\n"),
    st.just("\n"),
    st.just(".PHONY: all\n"),
)


@SETTINGS
@given(st.lists(rule_lines, max_size=8), st.sampled_from(["", "\n"]))
def test_makefile_merge_appends_only_and_is_idempotent(parts: list[str], ending: str) -> None:
    before = "".join(parts).rstrip("\n") + ending
    name, after = makefile.merge("Makefile", before)

    assert name == "Makefile"
    assert after.startswith(before)
    assert makefile.includes_ours(after)
    assert makefile.defined_targets(after) == makefile.defined_targets(before)
    assert makefile.merge("Makefile", after) == ("Makefile", after)


@pytest.mark.parametrize("target", makefile.TARGETS)
def test_a_target_of_ours_in_the_makefile_is_a_conflict(target: str) -> None:
    before = f"all:\n\t@echo all\n\n# ours\n{target} lint: all\n\t@echo mine\n"
    with pytest.raises(QualityKitError, match=rf"Makefile:5: target '{target}' already exists"):
        makefile.merge("Makefile", before)


def test_variables_and_recipe_lines_are_not_targets() -> None:
    text = "A := b\nB ?= c: d\nC = e:f\nall: x\n\tquality: not a rule\ny \\\n  quality: z\n"
    assert makefile.defined_targets(text) == {"all": 4, "y": 6, "quality": 6}


def test_templates_ship_with_the_package() -> None:
    root = Path(pyproject.__file__).parent / "templates"
    assert {path.name for path in root.iterdir()} >= {"quality.yml", "mutation.yml"}
