"""``python -m qualitykit.adapters.vulture_json [vulture args]``: vulture's findings as JSON.

Vulture has no JSON output; this runs its own CLI configuration (``[tool.vulture]`` and the
given arguments) through its API and prints ``{"items": [...]}``. Exit 0 when the scan ran
(findings or not), 1 when vulture could not read its input, 2 on bad arguments.
"""

from __future__ import annotations

import json
import sys

from vulture.config import InputError, make_config
from vulture.core import Vulture
from vulture.utils import ExitCode


def main(argv: list[str] | None = None) -> int:
    """Run vulture with ``argv`` and print its unused-code items as one JSON document."""
    try:
        config = make_config(argv)
    except InputError as error:
        print(error, file=sys.stderr)
        return 2
    scanner = Vulture(
        verbose=False,
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
    json.dump({"items": items}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
