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

import datetime as dt
from typing import Any, cast

from pydantic import BaseModel, ConfigDict, Field, model_validator


def _kebab(name: str) -> str:
    return name.replace("_", "-")


def _holds_date(value: object) -> bool:
    if isinstance(value, dt.date):
        return True
    if isinstance(value, dict):
        return any(_holds_date(item) for item in cast("dict[str, object]", value).values())
    if isinstance(value, list):
        return any(_holds_date(item) for item in cast("list[object]", value))
    return False


class PolicyConfig(BaseModel):
    """The validated ``[tool.qualitykit.policy]`` table (unknown ids or keys: exit 2)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=_kebab, populate_by_name=True
    )

    enable: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    base: str | None = None
    rules: dict[str, dict[str, Any]] = Field(default_factory=dict[str, dict[str, Any]])

    @property
    def dated(self) -> bool:
        """Whether an option holds a date (an expiry): the verdict then depends on the day."""
        return any(_holds_date(options) for options in self.rules.values())

    @model_validator(mode="after")
    def _known_rules(self) -> PolicyConfig:
        # qualitykit: allow[QK-INT-070] imported here: the registry imports every rule module
        from qualitykit.policy.registry import validate  # noqa: PLC0415

        validate(self)
        return self
