"""The policy framework's parts: fingerprints, allows, configuration, shell and TOML reading."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualitykit.config import parse_config
from qualitykit.errors import ConfigError
from qualitykit.fingerprints import fingerprint
from qualitykit.policy.allows import text_allows
from qualitykit.policy.config import PolicyConfig
from qualitykit.policy.registry import enabled, rules
from qualitykit.policy.shell import join_continuations, strip_comment
from qualitykit.policy.tomllines import toml_line

SOURCE = "pyproject.toml"


def test_fingerprint_ignores_the_line_number_and_whitespace() -> None:
    first = fingerprint("QK-INT-010", "Makefile", "\tpytest || true", 0)

    assert first == fingerprint("QK-INT-010", "Makefile", "    pytest   ||  true  ", 0)
    assert first != fingerprint("QK-INT-010", "Makefile", "\tpytest || true", 1)
    assert first != fingerprint("QK-INT-011", "Makefile", "\tpytest || true", 0)
    assert first != fingerprint("QK-INT-010", "other.mk", "\tpytest || true", 0)


def test_python_allows_come_from_comments_only() -> None:
    text = (
        'x = "# qualitykit: allow[QK-INT-070] in a string"\n'
        "y = 1  # qualitykit: allow[QK-INT-070, QK-INT-071] why\n"
    )

    (allow,) = text_allows("m.py", text)

    assert (allow.line, allow.rules, allow.reason, allow.covers) == (
        2,
        ("QK-INT-070", "QK-INT-071"),
        "why",
        (2,),
    )


def test_an_allow_alone_on_its_line_covers_the_next_line() -> None:
    (allow,) = text_allows("Makefile", "\t# qualitykit: allow[QK-INT-010] -- flaky mirror\n")

    assert allow.covers == (1, 2)
    assert allow.reason == "flaky mirror"


@pytest.mark.parametrize("reason", ["", " ", " -- ", " :"])
def test_an_allow_without_words_covers_nothing(reason: str) -> None:
    (allow,) = text_allows("ci.yml", f"run: x  # qualitykit: allow[QK-INT-010]{reason}\n")

    assert allow.reason == ""
    assert allow.covers == ()


def test_prose_files_have_no_allows() -> None:
    assert text_allows("docs/policies.md", "# qualitykit: allow[QK-INT-010]\n") == []


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"disable": ["QK-INT-999"]}, "disable: unknown rule or family 'QK-INT-999'"),
        ({"enable": ["nonsense"]}, "enable: unknown rule or family 'nonsense'"),
        (
            {"enable": ["QK-INT-010"], "disable": ["QK-INT-010"]},
            "'QK-INT-010' is both enabled and disabled",
        ),
        ({"rules": {"QK-INT-999": {}}}, "rules.QK-INT-999: unknown rule id"),
        ({"rules": {"QK-INT-010": {"colour": "red"}}}, "rules.QK-INT-010.colour: unknown key"),
        ({"rules": {"QK-INT-010": {"exclude": 3}}}, "rules.QK-INT-010.exclude"),
    ],
)
def test_bad_policy_configuration_names_the_key(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config({"policy": table}, SOURCE)

    assert str(raised.value).startswith(f"{SOURCE}: [tool.qualitykit.policy]: {message}")


def test_unknown_policy_key_is_rejected() -> None:
    with pytest.raises(ConfigError, match=r"unknown key 'disabled' in \[tool.qualitykit.policy\]"):
        parse_config({"policy": {"disabled": []}}, SOURCE)


def test_a_rule_id_setting_beats_its_family_setting() -> None:
    config = PolicyConfig(disable=("integrity",), enable=("QK-INT-010",))

    chosen = {rule.id for rule, _ in enabled(config)}

    assert "QK-INT-010" in chosen
    assert "QK-INT-011" not in chosen
    assert {"QK-POL-001", "QK-POL-002"} <= chosen


# Families a project turns on by configuring them (they need its paths or its conventions).
OPT_IN_FAMILIES = {"ledger", "imports", "exceptions"}


def test_every_rule_is_on_by_default_and_documented() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "policies.md").read_text(encoding="utf-8")

    for rule_id, rule in rules().items():
        assert rule.default != (rule.family in OPT_IN_FAMILIES), rule_id
        assert rule.title, rule_id
        assert rule.fix, rule_id
        assert f"`{rule_id}`" in docs, rule_id


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("pytest || true # comment", "pytest || true"),
        ("echo '# not a comment' # a comment", "echo '# not a comment'"),
        ('echo "a#b"', 'echo "a#b"'),
        ("# whole line", ""),
        ("echo $#", "echo $#"),
    ],
)
def test_strip_comment(line: str, expected: str) -> None:
    assert strip_comment(line) == expected


def test_continuation_lines_join_at_the_first_line() -> None:
    lines = [(3, "pytest \\"), (4, "  -q \\"), (5, "  || true"), (6, "echo done")]

    assert list(join_continuations(lines)) == [(3, "pytest -q || true"), (6, "echo done")]


def test_toml_line_finds_keys_in_tables_and_dotted_keys() -> None:
    lines = [
        "[tool.ruff]",
        "line-length = 100",
        "lint.ignore = ['E501']",
        "",
        "[tool.ruff.lint.per-file-ignores]",
        '"tests/**" = ["S101"]',
    ]

    assert toml_line(lines, "tool.ruff.lint", "ignore") == 3
    assert toml_line(lines, "tool.ruff.lint.per-file-ignores", "tests/**") == 6
    assert toml_line(lines, "tool.ruff", "missing") == 1
    assert toml_line(lines, "tool.mypy", "strict") == 1
