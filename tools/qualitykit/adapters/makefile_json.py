"""``python -m qualitykit.adapters.makefile_json FILE...``: Makefile checks as JSON.

Two checks per file, neither of which writes anything: mbake's formatter run in memory (the
file would be reformatted, and the formatter's own errors), and GNU make parsing the file
without running any recipe. Prints ``{"findings": [...]}``; exit 0 when every check ran.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from mbake.config import Config
from mbake.core.formatter import MakefileFormatter

# GNU make's diagnostics: "Makefile:12: *** missing separator.  Stop."
_MAKE_DIAGNOSTIC = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+): (?:\*\*\* )?(?P<message>.+)$")
_PROBE = "__qualitykit_parse_probe__"
_MAKE_TIMEOUT_S = 60


def _format_findings(path: Path, formatter: MakefileFormatter) -> list[dict[str, object]]:
    content = path.read_text(encoding="utf-8")
    result = formatter.format(content)
    findings: list[dict[str, object]] = [
        {"file": str(path), "line": None, "code": "mbake-error", "message": error}
        for error in result.errors
    ]
    if result.changed:
        findings.append(
            {
                "file": str(path),
                "line": None,
                "code": "mbake-format",
                "message": "would be reformatted by mbake (run: mbake format FILE)",
            }
        )
    return findings


def _parse_findings(path: Path) -> list[dict[str, object]]:
    # The probe target is defined before the file is read and is the only goal, so make parses
    # the whole file (syntax errors surface) but runs no recipe of it.
    completed = subprocess.run(  # noqa: S603
        ["make", "--no-print-directory", "-f", path.name, f"--eval={_PROBE}: ; @:", "-n", _PROBE],  # noqa: S607
        cwd=path.parent,
        capture_output=True,
        text=True,
        check=False,
        timeout=_MAKE_TIMEOUT_S,
    )
    if completed.returncode == 0:
        return []
    findings: list[dict[str, object]] = []
    for line in completed.stderr.splitlines():
        match = _MAKE_DIAGNOSTIC.match(line.strip())
        if match:
            findings.append(
                {
                    "file": str(path.parent / match["file"]),
                    "line": int(match["line"]),
                    "code": "make-parse",
                    "message": match["message"],
                }
            )
    if not findings:
        message = completed.stderr.strip() or f"make exited {completed.returncode}"
        findings.append({"file": str(path), "line": None, "code": "make-parse", "message": message})
    return findings


def main(argv: list[str] | None = None) -> int:
    """Check each Makefile named in ``argv`` and print the findings as one JSON document."""
    names = sys.argv[1:] if argv is None else argv
    if not names:
        print("usage: python -m qualitykit.adapters.makefile_json FILE...", file=sys.stderr)
        return 2
    formatter = MakefileFormatter(Config.load_or_default())
    findings: list[dict[str, object]] = []
    for name in names:
        path = Path(name)
        findings.extend(_format_findings(path, formatter))
        findings.extend(_parse_findings(path))
    json.dump({"findings": findings}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
