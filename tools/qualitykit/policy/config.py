"""``[tool.qualitykit.policy]``: which rules run, their options, the gate step's base ref.

```toml
[tool.qualitykit.policy]
disable = ["QK-INT-013"]          # rule ids or families
enable = []                       # rules that are off by default
base = "origin/main"              # the gate step also compares with this ref

[tool.qualitykit.policy.rules.QK-INT-023]
exclude = ["scripts/legacy/*.sh"]  # files this rule skips (gitignore-style)
```

The table is a msgspec Struct (the commit-stage check must not build pydantic models); the
whole configuration (``qualitykit.config``) validates it through :func:`parse_policy` too, so
both paths give the same one-line errors.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import msgspec

from qualitykit.config_table import PYPROJECT, read_table, show
from qualitykit.errors import ConfigError

if TYPE_CHECKING:
    from pathlib import Path

TABLE = "[tool.qualitykit.policy]"
# msgspec's error text: "Expected `int`, got `str` - at `$.rules[...]`" (where is optional).
_WHERE = re.compile(r"^(?P<what>.*?)(?: - at `\$(?P<where>[^`]*)`)?$", re.DOTALL)
_UNKNOWN = re.compile(r"^Object contains unknown field `(?P<key>[^`]*)`$", re.DOTALL)
# A check of ours (``__post_init__``) names its key first: "codes: not a full ruff code".
_KEYED = re.compile(r"^(?P<key>[a-z][a-z0-9-]*(?:\.[^:\s]+)?): (?P<what>.*)$", re.DOTALL)


class PolicyTableError(Exception):
    """What is wrong in ``[tool.qualitykit.policy]``, as one line naming the key.

    Not a ``ValueError``: pydantic (validating the whole configuration) lets it through as it
    is, and ``qualitykit.config`` adds the file's name.
    """


class PolicyConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The validated ``[tool.qualitykit.policy]`` table (unknown ids or keys: exit 2)."""

    enable: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    base: str | None = None
    rules: dict[str, dict[str, Any]] = {}

    def __post_init__(self) -> None:
        """Unknown rule ids, families or options are errors (ValueError naming them).

        An empty table names nothing to check: the registry (every rule module, ~0.1 s) is not
        imported by the commands that only read the configuration (triage, the gate).
        """
        if not (self.enable or self.disable or self.rules):
            return
        # qualitykit: allow[QK-INT-070] imported here: the registry imports every rule module
        from qualitykit.policy.registry import validate  # noqa: PLC0415

        validate(self)


def describe(error: msgspec.ValidationError, prefix: str = "") -> str:
    """Msgspec's error as ``KEY: what`` (``KEY`` dotted from ``prefix``; unknown keys named)."""
    match = _WHERE.match(str(error))
    what, where = (match["what"], match["where"] or "") if match else (str(error), "")
    key = prefix + where.replace("[...]", "")
    keyed = _KEYED.match(what)
    if keyed:
        key, what = f"{key}.{keyed['key']}", keyed["what"]
    key = key.removeprefix(".")
    unknown = _UNKNOWN.match(what)
    if unknown:
        return f"{key}.{unknown['key']}: unknown key" if key else f"unknown key {unknown['key']}"
    return f"{key}: {what}" if key else what


def parse_policy(table: object) -> PolicyConfig:
    """``[tool.qualitykit.policy]`` validated (PolicyTableError: one line naming the key)."""
    try:
        return msgspec.convert(table, PolicyConfig)
    except msgspec.ValidationError as error:
        unknown = _UNKNOWN.match(str(error))
        if unknown:
            raise PolicyTableError(f"unknown key {show(unknown['key'])} in {TABLE}") from None
        raise PolicyTableError(f"{TABLE}: {describe(error)}") from None


def load_policy_config(root: Path) -> PolicyConfig:
    """``[tool.qualitykit.policy]`` of ``root``, validated alone (exit 2 naming what is wrong).

    The rest of ``[tool.qualitykit]`` is not validated here: the commit-stage check must not
    pay for building every step's models; the gate validates the whole table before it runs.
    """
    table = read_table(root) or {}
    try:
        return parse_policy(table.get("policy", {}))
    except PolicyTableError as error:
        raise ConfigError(f"{root / PYPROJECT}: {error}") from None
