"""pytest's command-line options that only choose or spread tests, and removing them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

# Options that only choose which tests run.
CHOOSING = ("-m", "-k", "--deselect")
# Options that only spread tests over pytest-xdist's processes (a test's dependencies are the
# same in any worker).
SPREADING = ("-n", "--numprocesses", "--maxprocesses", "--dist")
XDIST = "xdist"


def without(args: Sequence[str], options: Sequence[str], *, plugin: bool = False) -> list[str]:
    """``args`` less ``options`` and their values (and, with ``plugin``, ``-p xdist``)."""
    short = tuple(option for option in options if len(option) == 2)  # -mslow, -n2
    attached = f"-p{XDIST}" if plugin else None
    kept: list[str] = []
    words = list(args)
    while words:
        arg = words.pop(0)
        if arg in options or (plugin and arg == "-p" and words[:1] == [XDIST]):
            del words[:1]  # its value
        elif arg.split("=", 1)[0] in options or arg[:2] in short or arg == attached:
            continue  # its value attached
        else:
            kept.append(arg)
    return kept
