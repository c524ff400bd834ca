"""``[tool.qualitykit]``: defaults, validation and one-line errors naming the file and key."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from qualitykit.config import (
    BUILTIN_STEPS,
    CommandStep,
    Config,
    StepSettings,
    load_config,
    parse_config,
)
from qualitykit.errors import ConfigError, QualityKitError

if TYPE_CHECKING:
    from pathlib import Path

    from pydantic import BaseModel

SOURCE = "pyproject.toml"


def test_defaults() -> None:
    config = parse_config({}, SOURCE)
    assert config == Config()
    assert config.source == ("src",)
    assert config.regression == ("tests/regression",)
    assert config.gate is None
    assert config.jobs == 0
    assert config.timeout == 900.0
    assert config.steps == {}
    assert config.commands == {}
    assert config.settings("mypy") == StepSettings(paths=None, args=(), timeout=None)


def test_a_full_table() -> None:
    config = parse_config(
        {
            "source": ["tools", "lib"],
            "regression": ["tests/pinned"],
            "gate": ["ruff-lint", "no-todo"],
            "jobs": 2,
            "timeout": 60,
            "steps": {"mypy": {"paths": ["tools"], "args": ["--warn-unreachable"], "timeout": 5}},
            "commands": {
                "no-todo": {
                    "command": ["python", "scripts/no_todo.py"],
                    "inputs": ["*.py"],
                    "description": "no TODO left behind",
                }
            },
        },
        SOURCE,
    )
    assert config.source == ("tools", "lib")
    assert config.regression == ("tests/pinned",)
    assert config.gate_steps == ("ruff-lint", "no-todo")
    assert config.jobs == 2
    assert config.timeout == 60.0
    assert config.settings("mypy") == StepSettings(
        paths=("tools",), args=("--warn-unreachable",), timeout=5.0
    )
    assert config.settings("pyright") == StepSettings()
    assert config.commands["no-todo"] == CommandStep(
        command=("python", "scripts/no_todo.py"),
        inputs=("*.py",),
        description="no TODO left behind",
    )


def test_gate_steps_default_is_every_builtin_then_every_command() -> None:
    config = parse_config(
        {"commands": {"zz-last": {"command": ["true"]}, "aa-first": {"command": ["true"]}}},
        SOURCE,
    )
    assert config.gate_steps == (*BUILTIN_STEPS, "zz-last", "aa-first")
    assert parse_config({}, SOURCE).gate_steps == BUILTIN_STEPS


def test_an_empty_gate_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"\[tool\.qualitykit\]: gate: empty"):
        parse_config({"gate": []}, SOURCE)


def _sections() -> list[type[BaseModel]]:
    return [Config, StepSettings, CommandStep]


@pytest.mark.parametrize("section", _sections(), ids=lambda section: section.__name__)
def test_keys_are_kebab_case(section: type[BaseModel]) -> None:
    for name, field in section.model_fields.items():
        assert field.alias == name.replace("_", "-")
        assert "_" not in (field.alias or "")


def test_config_round_trips_through_its_kebab_case_keys() -> None:
    config = parse_config(
        {
            "jobs": 3,
            "steps": {"ruff-lint": {"args": ["--select", "E"]}},
            "commands": {"lint-docs": {"command": ["true"], "timeout": 9}},
        },
        SOURCE,
    )
    dumped: dict[str, Any] = config.model_dump(by_alias=True)
    assert parse_config(dumped, SOURCE) == config


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"foo": 1}, "unknown key 'foo' in [tool.qualitykit]"),
        ({"steps": {"mypy": {"foo": 1}}}, "unknown key 'foo' in [tool.qualitykit.steps.mypy]"),
        (
            {"commands": {"docs": {"command": ["true"], "input": ["*.md"]}}},
            "unknown key 'input' in [tool.qualitykit.commands.docs]",
        ),
        ({"coverage_floor": 80}, "unknown key 'coverage_floor' in [tool.qualitykit]"),
    ],
)
def test_unknown_keys_name_their_table(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(data, SOURCE)
    assert str(caught.value) == f"{SOURCE}: {message}"


@pytest.mark.parametrize(
    ("data", "where", "detail"),
    [
        ({"jobs": "many"}, "[tool.qualitykit.jobs]", "valid integer"),
        ({"jobs": -1}, "[tool.qualitykit.jobs]", "greater than or equal to 0"),
        ({"timeout": 0}, "[tool.qualitykit.timeout]", "greater than 0"),
        ({"source": "src"}, "[tool.qualitykit.source]", "valid tuple"),
        ({"steps": []}, "[tool.qualitykit.steps]", "valid dictionary"),
        ({"steps": {"mypy": {"timeout": -5}}}, "[tool.qualitykit.steps.mypy.timeout]", "than 0"),
        ({"steps": {"mypy": {"args": "--strict"}}}, "[tool.qualitykit.steps.mypy.args]", "tuple"),
        ({"commands": {"docs": {}}}, "[tool.qualitykit.commands.docs.command]", "required"),
        (
            {"commands": {"docs": {"command": []}}},
            "[tool.qualitykit.commands.docs.command]",
            "at least 1 item",
        ),
        ({"gate": ["Ruff_Lint"]}, "[tool.qualitykit.gate.0]", "match pattern"),
        ({"steps": {"Bad_Name": {}}}, "[tool.qualitykit.steps.Bad_Name]", "match pattern"),
    ],
)
def test_wrong_values_name_the_key(data: dict[str, Any], where: str, detail: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(data, SOURCE)
    message = str(caught.value)
    assert message.startswith(f"{SOURCE}: {where}: ")
    assert detail in message
    assert "\n" not in message


def test_gate_naming_an_unknown_step() -> None:
    with pytest.raises(ConfigError, match=r"\[tool\.qualitykit\]: gate: unknown step 'nope'"):
        parse_config({"gate": ["ruff-lint", "nope"]}, SOURCE)


def test_gate_may_name_a_command() -> None:
    config = parse_config({"gate": ["docs"], "commands": {"docs": {"command": ["true"]}}}, SOURCE)
    assert config.gate_steps == ("docs",)


def test_settings_for_a_step_that_is_not_built_in() -> None:
    with pytest.raises(ConfigError, match=r"steps\.pytest: not a built-in step"):
        parse_config({"steps": {"pytest": {}}}, SOURCE)


def test_command_clashing_with_a_builtin() -> None:
    with pytest.raises(ConfigError, match=r"commands\.mypy: clashes with the built-in step"):
        parse_config({"commands": {"mypy": {"command": ["mypy", "."]}}}, SOURCE)


def test_config_error_is_a_usage_error() -> None:
    assert issubclass(ConfigError, QualityKitError)
    assert ConfigError.exit_code == 2


def test_config_is_frozen() -> None:
    config = Config()
    with pytest.raises(ValueError, match="frozen"):
        config.jobs = 4


# --- load_config: the file ---------------------------------------------------------------------


def test_no_pyproject_defaults_to_the_root_without_src(tmp_path: Path) -> None:
    assert load_config(tmp_path) == Config(source=(".",))


def test_no_pyproject_defaults_to_src_when_there_is_one(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    assert load_config(tmp_path) == Config(source=("src",))


def test_pyproject_without_a_qualitykit_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert load_config(tmp_path).source == (".",)
    (tmp_path / "src").mkdir()
    assert load_config(tmp_path).source == ("src",)


def test_pyproject_table_is_read(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        "[tool.qualitykit]\n"
        'source = ["lib"]\n'
        "jobs = 2\n"
        "[tool.qualitykit.steps.ruff-lint]\n"
        'args = ["--select", "E"]\n'
        "[tool.qualitykit.commands.no-todo]\n"
        'command = ["python", "-c", "pass"]\n',
        encoding="utf-8",
    )
    config = load_config(tmp_path)
    assert config.source == ("lib",)  # the file wins over the src/ default
    assert config.jobs == 2
    assert config.settings("ruff-lint").args == ("--select", "E")
    assert config.gate_steps == (*BUILTIN_STEPS, "no-todo")


def test_errors_from_the_file_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.qualitykit.steps.mypy]\nfoo = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert str(caught.value) == f"{path}: unknown key 'foo' in [tool.qualitykit.steps.mypy]"


def test_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.qualitykit\nsource = \n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert str(caught.value).startswith(f"{path}: invalid TOML: ")


def test_unreadable_pyproject(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.mkdir()  # a directory cannot be read as a file, even by root
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert str(caught.value).startswith(f"{path}: cannot read: ")


def test_pyproject_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_bytes(b"[tool.qualitykit]\nsource = ['\xff']\n")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert str(caught.value).startswith(f"{path}: cannot read: ")


def test_qualitykit_that_is_not_a_table(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool]\nqualitykit = "on"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert str(caught.value) == f"{path}: [tool.qualitykit] must be a table"


def test_mutation_settings_are_validated() -> None:
    config = parse_config({"mutation": {"modules": ["a.py"], "timeout-min": 2}}, "pyproject.toml")
    assert config.mutation.modules == ("a.py",)
    assert config.mutation.timeout_min == 2
    with pytest.raises(ConfigError, match=r"exclude-operators\.0\]: '\(' is not a regular expr"):
        parse_config({"mutation": {"exclude-operators": ["("]}}, "pyproject.toml")
    with pytest.raises(ConfigError, match="unknown key 'module'"):
        parse_config({"mutation": {"module": ["a.py"]}}, "pyproject.toml")


def test_strictness_keeps_every_ordinary_value() -> None:
    """Strict types and checked strings refuse only what cannot work, not ordinary settings."""
    config = parse_config(
        {
            "source": [".", "src/", "lib/pkg"],
            "timeout": 60,  # a TOML integer where a float is expected
            "jobs": 1024,
            "steps": {"mypy": {"paths": ["tests/test_a.py::test_x"], "args": ["-c", "a\nb"]}},
            "commands": {
                "docs": {
                    "command": ["python", "-c", ""],
                    "inputs": ["*.md", "!docs/skip.md", "\\#literal", "docs/**"],
                    "timeout": 604800,
                    "description": "",
                }
            },
            "coverage": {
                "badge": "docs/b.svg",
                "baseline": "ci/baseline.json",
                "floor": 0,
                "tolerance": 100,
                "groups": {"Core API": {"include": ["src/**"], "milestones": [50, 99.5]}},
            },
            "mutation": {"python": "python3", "exclude-operators": ["^core/"], "workers": 0},
        },
        SOURCE,
    )
    assert config.timeout == 60.0
    assert config.commands["docs"].inputs[1] == "!docs/skip.md"
    assert config.coverage.groups["Core API"].milestones == (50.0, 99.5)
