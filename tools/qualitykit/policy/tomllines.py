"""Where a key of a TOML table is written (tomllib gives values, not line numbers)."""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*\[\[?\s*(?P<name>[^\]]+?)\s*\]\]?\s*(?:#.*)?$")


def _normal(name: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in name.split("."))


def _find(lines: list[str], table: str, key: str | None) -> int:
    current = None
    for number, line in enumerate(lines, start=1):
        match = _HEADER.match(line)
        if match:
            current = _normal(match["name"])
            if key is None and current == table:
                return number
            continue
        if key is not None and current == table:
            written = _normal(line.split("=", 1)[0]) if "=" in line else ""
            if written == key:
                return number
    return 0


def toml_line(lines: list[str], table: str, key: str | None = None) -> int:
    """The 1-based line of ``key`` in ``[table]``, also written as a dotted key of a parent.

    Falls back to the table's header, then to line 1: a finding always has a line.
    """
    parts = table.split(".")
    for cut in range(len(parts), 0, -1):
        parent, rest = ".".join(parts[:cut]), ".".join(parts[cut:])
        dotted = ".".join(part for part in (rest, key) if part) or None
        found = _find(lines, parent, dotted)
        if found:
            return found
    return _find(lines, table, None) or 1
