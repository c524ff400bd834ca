"""Small helpers over PyYAML's node graph (nodes keep their line marks; parsed values do not)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from collections.abc import Iterator


def get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value node of ``key`` in a mapping node (None when absent or not a mapping)."""
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value
    return None


def items(node: yaml.Node | None) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
    """(key, key node, value node) of a mapping node's scalar keys."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                yield key_node.value, key_node, value


def elements(node: yaml.Node | None) -> list[yaml.Node]:
    """The items of a sequence node (empty when not a sequence)."""
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def scalar(node: yaml.Node | None) -> str | None:
    """A scalar node's text (None for anything else)."""
    return node.value if isinstance(node, yaml.ScalarNode) else None


def strings(node: yaml.Node | None) -> list[str]:
    """A scalar or a sequence of scalars, as a list of strings."""
    if isinstance(node, yaml.ScalarNode):
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
