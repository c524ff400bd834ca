"""qualitykit's hooks in ``.pre-commit-config.yaml``: inserted as text, every user line kept.

A YAML round trip would re-indent or re-quote the user's lines, so ``init`` inserts one
``repo: local`` block after the last item of ``repos:``, at the column the file's own items
use, and checks that the result loads to the user's configuration plus that block. Hooks whose
ids are already there are not added again (a second ``init`` changes nothing).
"""

from __future__ import annotations

from typing import cast

import yaml

from qualitykit.errors import QualityKitError

NAME = ".pre-commit-config.yaml"
IDS = ("qualitykit-policy", "qualitykit-gate")
# Each hook as the lines of its list item (indented below "hooks:" by the block).
_HOOK_LINES = {
    "qualitykit-policy": (
        "- id: qualitykit-policy",
        "  name: qualitykit policy (staged files)",
        "  # `--`: a staged file named `commits` or `commit-msg` is a file, not an action.",
        "  entry: qualitykit policy --",
        "  language: system",
        "  types: [text]",
        "  require_serial: true",
    ),
    "qualitykit-gate": (
        "- id: qualitykit-gate",
        "  name: make quality (the full gate)",
        "  entry: make quality",
        "  language: system",
        "  pass_filenames: false",
        "  always_run: true",
        "  stages: [pre-push]",
    ),
}
_NEW = """\
# pre-commit hooks (written by `qualitykit init`): the fast policy check on every commit, the
# whole gate before every push. `pre-commit install` installs both hook types.
default_install_hook_types: [pre-commit, pre-push]
repos:
"""


def _block(ids: list[str], dash: int) -> str:
    pad = " " * dash
    lines = [f"{pad}# qualitykit's hooks (written by `qualitykit init`; docs/adoption.md)"]
    lines += [f"{pad}- repo: local", f"{pad}  hooks:"]
    lines += [f"{pad}    {line}" for hook in ids for line in _HOOK_LINES[hook]]
    return "\n".join(lines) + "\n"


def _where(error: yaml.YAMLError) -> str:
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        if mark is not None:
            return f"{NAME}:{mark.line + 1}: invalid YAML: {error.problem or error}"
    return f"{NAME}: invalid YAML: {error}"


def _load(text: str) -> tuple[yaml.Node | None, object]:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader), yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise QualityKitError(_where(error)) from None


def _hook_ids(data: object) -> list[str]:
    """Every hook id of a loaded pre-commit configuration, in order."""
    ids: list[str] = []
    repos = cast("dict[str, object]", data).get("repos") if isinstance(data, dict) else None
    for repo in cast("list[object]", repos) if isinstance(repos, list) else []:
        hooks = cast("dict[str, object]", repo).get("hooks") if isinstance(repo, dict) else None
        for hook in cast("list[object]", hooks) if isinstance(hooks, list) else []:
            if isinstance(hook, dict):
                ident = cast("dict[str, object]", hook).get("id")
                if isinstance(ident, str):
                    ids.append(ident)
    return ids


def _repos_node(root: yaml.Node | None) -> yaml.SequenceNode | None:
    if not isinstance(root, yaml.MappingNode):
        raise QualityKitError(f"{NAME}: not a mapping at the top level (pre-commit wants `repos:`)")
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "repos":
            if not isinstance(value, yaml.SequenceNode):
                where = f"{NAME}:{value.start_mark.line + 1}"
                raise QualityKitError(f"{where}: `repos` is not a list")
            return value
    return None


def merge(before: str | None) -> str:
    """The pre-commit configuration after ``init`` (``before`` unchanged when it has the hooks)."""
    if before is None:
        return _NEW + _block(list(IDS), 2)
    node, data = _load(before)
    missing = [ident for ident in IDS if ident not in _hook_ids(data)]
    if not missing:
        return before
    text = before if before.endswith("\n") or not before else before + "\n"
    lines = text.splitlines(keepends=True)
    repos = _repos_node(node)
    if repos is None:
        after = text + "repos:\n" + _block(missing, 2)
    elif repos.flow_style or not repos.value:
        where = f"{NAME}:{repos.start_mark.line + 1}"
        message = (
            f"{where}: `repos` is a flow-style list; add qualitykit's hooks by hand "
            "(docs/adoption.md)"
        )
        raise QualityKitError(message)
    else:
        first = repos.value[0].start_mark
        dash = lines[first.line][: first.column].rstrip().rfind("-")
        last = repos.value[-1].end_mark
        at = last.line if last.column == 0 else last.line + 1
        after = "".join(lines[:at]) + _block(missing, max(dash, 0)) + "".join(lines[at:])
    _check(before, after)
    return after


def _check(before: str, after: str) -> None:
    _, old = _load(before)
    try:
        new = yaml.safe_load(after)
    except yaml.YAMLError as error:
        raise QualityKitError(
            f"{NAME}: adding qualitykit's hooks would break it: {error}"
        ) from None
    if _hook_ids(new) != [*_hook_ids(old), *(i for i in IDS if i not in _hook_ids(old))]:
        raise QualityKitError(f"{NAME}: cannot add qualitykit's hooks to its `repos` safely")
