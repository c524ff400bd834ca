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

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


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
