"""``python -m qualitykit.adapters.vulture_json [vulture args]``: vulture's findings as JSON.

Vulture has no JSON output; this runs its own CLI configuration (``[tool.vulture]`` and the
given arguments) through its API and prints ``{"files": [...], "items": [...]}``: the modules
vulture itself scanned (after its own ``exclude``) and its findings. Exit 0 when the scan ran
(findings or not), 1 when vulture could not read its input, 2 on bad arguments.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from vulture.config import InputError, make_config
from vulture.core import Vulture
from vulture.utils import ExitCode


class _CountingVulture(Vulture):
    """Vulture that remembers the project modules it scanned."""

    def __init__(self, *, ignore_names: list[str], ignore_decorators: list[str]) -> None:
        super().__init__(
            verbose=False, ignore_names=ignore_names, ignore_decorators=ignore_decorators
        )
        self.scanned: list[str] = []

    def scan(self, code: str, filename: str | Path = "") -> None:
        # vulture also scans its bundled whitelists (paths inside its package data, which are
        # not files here): only files on disk are the project's modules.
        if Path(filename).is_file():
            self.scanned.append(str(filename))
        super().scan(code, filename=filename)


def main(argv: list[str] | None = None) -> int:
    """Run vulture with ``argv`` and print its unused-code items as one JSON document."""
    try:
        config = make_config(argv)
    except InputError as error:
        print(error, file=sys.stderr)
        return 2
    scanner = _CountingVulture(
        ignore_names=config["ignore_names"],
        ignore_decorators=config["ignore_decorators"],
    )
    scanner.scavenge(config["paths"], exclude=config["exclude"])
    if scanner.exit_code == ExitCode.InvalidInput:
        return 1
    items = [
        {
            "file": str(item.filename),
            "line": item.first_lineno,
            "name": item.name,
            "type": item.typ,
            "message": item.message,
            "confidence": item.confidence,
        }
        for item in scanner.get_unused_code(min_confidence=config["min_confidence"])
    ]
    json.dump({"files": scanner.scanned, "items": items}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
