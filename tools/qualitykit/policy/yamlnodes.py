"""Small helpers over PyYAML's node graph (nodes keep their line marks; parsed values do not).

A node's kind is read from its ``id`` ("scalar", "sequence", "mapping"), so this module does
not import PyYAML: the commit-stage check of a Python file never loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

if TYPE_CHECKING:
    from collections.abc import Iterator

    import yaml


def is_scalar(node: yaml.Node | None) -> TypeGuard[yaml.ScalarNode]:
    """Whether ``node`` is a scalar node."""
    return node is not None and node.id == "scalar"


def _is_sequence(node: yaml.Node | None) -> TypeGuard[yaml.SequenceNode]:
    return node is not None and node.id == "sequence"


def _is_mapping(node: yaml.Node | None) -> TypeGuard[yaml.MappingNode]:
    return node is not None and node.id == "mapping"


def get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value node of ``key`` in a mapping node (None when absent or not a mapping)."""
    if not _is_mapping(node):
        return None
    for key_node, value in node.value:
        if is_scalar(key_node) and key_node.value == key:
            return value
    return None


def items(node: yaml.Node | None) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
    """(key, key node, value node) of a mapping node's scalar keys."""
    if _is_mapping(node):
        for key_node, value in node.value:
            if is_scalar(key_node):
                yield key_node.value, key_node, value


def elements(node: yaml.Node | None) -> list[yaml.Node]:
    """The items of a sequence node (empty when not a sequence)."""
    return list(node.value) if _is_sequence(node) else []


def scalar(node: yaml.Node | None) -> str | None:
    """A scalar node's text (None for anything else)."""
    return node.value if is_scalar(node) else None


def strings(node: yaml.Node | None) -> list[str]:
    """A scalar or a sequence of scalars, as a list of strings."""
    if is_scalar(node):
        return [node.value]
    return [value for item in elements(node) if (value := scalar(item)) is not None]


def line_of(node: yaml.Node) -> int:
    """The 1-based line where ``node`` starts."""
    return node.start_mark.line + 1


def scalar_lines(node: yaml.ScalarNode, source: list[str]) -> list[tuple[int, str]]:
    """(line number, source text) of each line of a scalar: block scalars map 1:1 to lines."""
    if node.style in {"|", ">"}:
        first = node.start_mark.line + 1
        last = node.end_mark.line + (1 if node.end_mark.column > 0 else 0)
        return [(index + 1, source[index]) for index in range(first, min(last, len(source)))]
    return [
        (node.start_mark.line + 1 + offset, text)
        for offset, text in enumerate(node.value.splitlines() or [""])
    ]
