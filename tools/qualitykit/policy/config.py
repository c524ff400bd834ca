"""``[tool.qualitykit.policy]``: which rules run, their options, the gate step's base ref.

```toml
[tool.qualitykit.policy]
disable = ["QK-INT-013"]          # rule ids or families
enable = []                       # rules that are off by default
base = "origin/main"              # the gate step also compares with this ref

[tool.qualitykit.policy.rules.QK-INT-023]
exclude = ["scripts/legacy/*.sh"]  # files this rule skips (gitignore-style)
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from qualitykit.config_table import PYPROJECT, describe, read_table
from qualitykit.errors import ConfigError

if TYPE_CHECKING:
    from pathlib import Path


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class PolicyConfig(BaseModel):
    """The validated ``[tool.qualitykit.policy]`` table (unknown ids or keys: exit 2)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=_kebab, populate_by_name=True
    )

    enable: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    base: str | None = None
    rules: dict[str, dict[str, Any]] = Field(default_factory=dict[str, dict[str, Any]])

    @model_validator(mode="after")
    def _known_rules(self) -> PolicyConfig:
        # qualitykit: allow[QK-INT-070] imported here: the registry imports every rule module
        from qualitykit.policy.registry import validate  # noqa: PLC0415

        validate(self)
        return self


def load_policy_config(root: Path) -> PolicyConfig:
    """``[tool.qualitykit.policy]`` of ``root``, validated alone (exit 2 naming what is wrong).

    The rest of ``[tool.qualitykit]`` is not validated here: the commit-stage check must not
    pay for building every step's models; the gate validates the whole table before it runs.
    """
    table = read_table(root) or {}
    try:
        return PolicyConfig.model_validate(table.get("policy", {}))
    except ValidationError as error:
        raise ConfigError(f"{root / PYPROJECT}: {describe(error, within=('policy',))}") from None
