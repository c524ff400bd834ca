"""Reading ``[tool.qualitykit]`` out of ``pyproject.toml`` and naming what is wrong in it.

Standard library only: the commit-stage policy check reads its own table through this module
without building the whole configuration's models (``qualitykit.config`` does that).
"""

from __future__ import annotations

import re
import tomllib
from typing import TYPE_CHECKING, Any, cast

from qualitykit.errors import ConfigError

if TYPE_CHECKING:
    from pathlib import Path

    from pydantic import ValidationError

PYPROJECT = "pyproject.toml"
# The built-in steps, in the order the summary shows them. steps/__init__.py registers one
# module per name; a unit test keeps the two in step.
BUILTIN_STEPS: tuple[str, ...] = (
    "ruff-format",
    "ruff-lint",
    "mypy",
    "pyright",
    "vulture",
    "regression",
    "actionlint",
    "zizmor",
    "makefile",
    "policy",
    "coverage",
    "badge",
)
MAX_NAME = 64
_SHOWN = 40
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def show(value: str) -> str:
    """``value`` quoted for a one-line message, cut to a readable length."""
    if len(value) <= _SHOWN:
        return repr(value)
    return f"{value[:_SHOWN]!r}... ({len(value)} characters)"


def _key(part: str | int) -> str:
    # A TOML key may hold a newline or be huge: quote it so the error stays one readable line.
    text = str(part)
    return text if _BARE_KEY.match(text) and len(text) <= MAX_NAME else show(text)


def describe(error: ValidationError, *, within: tuple[str, ...] = ()) -> str:
    """The first error as one line naming its table (``within`` ``[tool.qualitykit]``)."""
    first = error.errors()[0]
    # A dict key that fails validation has the pseudo-part "[key]" in its location.
    loc = (*within, *first["loc"])
    parts = [_key(part) for part in loc if part not in {"__root__", "[key]"}]
    if first["type"] == "extra_forbidden":
        table = "[tool.qualitykit" + "".join(f".{part}" for part in parts[:-1]) + "]"
        return f"unknown key {show(str(loc[-1]))} in {table}"
    table = "[tool.qualitykit" + "".join(f".{part}" for part in parts) + "]"
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{table}: {message}"


def read_table(root: Path) -> dict[str, Any] | None:
    """``[tool.qualitykit]`` of ``root/pyproject.toml``; None without a pyproject.toml.

    A file that cannot be read or parsed, or a ``tool``/``qualitykit`` that is not a table, is
    a ``ConfigError`` naming the file.
    """
    path = root / PYPROJECT
    try:
        text = path.read_text(encoding="utf-8")
    # qualitykit: allow[QK-EXC-002] no pyproject.toml is no configuration: the defaults apply
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None
    tool: object = document.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: [tool] must be a table")
    table: object = cast("dict[str, object]", tool).get("qualitykit", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.qualitykit] must be a table")
    return cast("dict[str, Any]", table)
