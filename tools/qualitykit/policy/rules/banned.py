"""Banned APIs from configuration, at every use, per directory, with the configured message.

```toml
[tool.qualitykit.policy.rules.QK-BAN-001]
apis = { "torch.save" = "use safetensors.torch.save_file", "pickle.load" = "untrusted input" }
paths = { "tests/**" = { "time.sleep" = "use the fake clock fixture" } }
```

A use is a call or any other reference (``callback=torch.save``), found through the module's
imports (``import torch as t``, ``from torch import save as s``, ``import torch.nn``); a local
name that shadows the import is not the API. Banning a module bans every name in it.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, cast

import msgspec
from typing_extensions import override

from qualitykit.policy.pathglobs import matches
from qualitykit.policy.pynames import module_names
from qualitykit.policy.rule import Hit, Rule, RuleOptions

if TYPE_CHECKING:
    from collections.abc import Iterator

    from qualitykit.policy.project import PolicyProject

_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


def _checked(apis: dict[str, str], where: str) -> None:
    for name, message in apis.items():
        if not _DOTTED.fullmatch(name):
            msg = f"{where}: {name!r} is not a dotted name like 'torch.save'"
            raise ValueError(msg)
        if not message.strip():
            msg = f"{where}: {name!r} needs a message saying what to use instead"
            raise ValueError(msg)


class BannedOptions(RuleOptions, frozen=True):
    """``[tool.qualitykit.policy.rules.QK-BAN-001]``."""

    # Qualified name → message, everywhere.
    apis: dict[str, str] = msgspec.field(default_factory=dict[str, str])
    # Gitignore-style pattern → more banned APIs in the files it matches (added to `apis`).
    paths: dict[str, dict[str, str]] = msgspec.field(default_factory=dict[str, dict[str, str]])

    def __post_init__(self) -> None:
        """Every banned name is dotted and has a message."""
        _checked(self.apis, "apis")
        for pattern, apis in self.paths.items():
            _checked(apis, f"paths.{pattern}")

    def banned_in(self, file: str) -> dict[str, str]:
        """The APIs banned in ``file``: the global ones and those of every matching pattern."""
        found = dict(self.apis)
        for pattern, apis in self.paths.items():
            if matches(pattern, file):
                found.update(apis)
        return found


def _banned(qualified: str, apis: dict[str, str]) -> str | None:
    """The banned API ``qualified`` is or lies in (``torch.save.__doc__`` is ``torch.save``)."""
    return next((a for a in apis if qualified == a or qualified.startswith(a + ".")), None)


class BannedApi(Rule):
    """A configured banned API used (called or referenced)."""

    id = "QK-BAN-001"
    family = "banned"
    title = "banned API"
    fix = "see the message configured in [tool.qualitykit.policy.rules.QK-BAN-001]"
    options = BannedOptions

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        settings = cast("BannedOptions", options)
        if not settings.apis and not settings.paths:
            return
        for name in project.checked:
            apis = settings.banned_in(name) if name.endswith((".py", ".pyi")) else {}
            text = project.text(name) or ""
            # A use spells every part of the API's name somewhere: the import names the module
            # path, the import or the attribute chain the rest. No parse without them.
            if not any(all(part in text for part in api.split(".")) for api in apis):
                continue
            names = module_names(project, name)
            for node, qualified in names.references() if names is not None else ():
                api = _banned(qualified, apis)
                if api is None:
                    continue
                written = ast.unparse(node)
                shown = f"`{written}`" + (f" is `{qualified}`" if written != qualified else "")
                shown += f", in `{api}`" if qualified != api else ""
                yield Hit(name, node.lineno, f"{shown}, banned here: {apis[api]}", apis[api])


RULES: tuple[Rule, ...] = (BannedApi(),)
