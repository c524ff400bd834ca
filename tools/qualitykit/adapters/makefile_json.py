"""``python -m qualitykit.adapters.makefile_json FILE...``: Makefile checks as JSON.

Two checks per file, neither of which writes anything: mbake's formatter run in memory (the
file would be reformatted, and the formatter's own errors), and GNU make parsing the file
without running any recipe. Prints ``{"files": [...], "findings": [...]}`` (the files both
checks read); exit 0 when every check ran.

Why make cannot run the user's recipes here, although it parses their Makefile: GNU make
remakes an included makefile that has a rule, *even under* ``-n``, and expands ``$(shell …)``
while it reads. So make runs (1) in a throwaway directory holding copies of the project's
makefiles at their relative paths, never in the work tree; (2) with ``SHELL=/bin/false`` and an
empty ``.SHELLFLAGS`` on its command line (which beats any plain assignment in the file), so a
recipe line or ``$(shell …)`` starts nothing (``$(shell …)`` expands to nothing, as when its
command fails); (3) with ``PATH`` naming an empty directory, so a command make would run
without a shell is not found. A Makefile that ``override``s both ``SHELL`` and ``.SHELLFLAGS``
can still start an absolute-path program, but only inside the throwaway copy. A generated
makefile whose recipe was therefore refused is not a parse error of the file that includes it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from mbake.config import Config
from mbake.core.formatter import MakefileFormatter

# GNU make's diagnostics: "Makefile:12: *** missing separator.  Stop."
_MAKE_DIAGNOSTIC = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+): (?:\*\*\* )?(?P<message>.+)$")
# A recipe make tried to run and could not (ours: the shell is /bin/false):
# "make: *** [Makefile:5: gen.mk] Error 1".
_REFUSED_RECIPE = re.compile(
    r"^g?make(?:\[\d+\])?: \*\*\* \[[^\]]*?:\d+: (?P<target>[^\]]+)\] Error \d+$"
)
_PROBE = "__qualitykit_parse_probe__"
_MAKE_TIMEOUT_S = 60
# Variables make takes from the environment that could make it read other files or options.
_MAKE_ENV = ("MAKEFLAGS", "MFLAGS", "GNUMAKEFLAGS", "MAKEFILES", "MAKELEVEL")


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


def _make_environment(empty_dir: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in _MAKE_ENV}
    env["PATH"] = str(empty_dir)
    return env


def _make(copy: Path, empty_dir: Path) -> subprocess.CompletedProcess[str]:
    # The probe target is defined before the file is read and is the only goal, so make parses
    # the whole file (syntax errors surface) but builds nothing of it.
    make = shutil.which("make") or "make"
    return subprocess.run(  # noqa: S603 - argv list, never a shell
        [
            make,
            "--no-print-directory",
            "-f",
            copy.name,
            f"--eval={_PROBE}: ; @:",
            "-n",
            "SHELL=/bin/false",
            ".SHELLFLAGS=",
            _PROBE,
        ],
        cwd=copy.parent,
        env=_make_environment(empty_dir),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=_MAKE_TIMEOUT_S,
    )


def _parse_findings(path: Path, copy: Path, empty_dir: Path) -> list[dict[str, object]]:
    completed = _make(copy, empty_dir)
    if completed.returncode == 0:
        return []
    lines = [line.strip() for line in completed.stderr.splitlines() if line.strip()]
    refused = {match["target"] for line in lines if (match := _REFUSED_RECIPE.match(line))}
    findings: list[dict[str, object]] = []
    for line in lines:
        match = _MAKE_DIAGNOSTIC.match(line)
        if match is None or match["message"].split(":", 1)[0] in refused:
            continue  # a generated makefile whose recipe the check refused to run
        findings.append(
            {
                "file": str(path.parent / match["file"]),
                "line": int(match["line"]),
                "code": "make-parse",
                "message": match["message"],
            }
        )
    if not findings and not refused:
        message = "\n".join(lines) or f"make exited {completed.returncode}"
        findings.append({"file": str(path), "line": None, "code": "make-parse", "message": message})
    return findings


def parse_findings(
    names: list[str], formatter: MakefileFormatter | None = None
) -> list[dict[str, object]]:
    """Findings for the makefiles ``names``: make's parse errors (and mbake's, given one)."""
    findings: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="qualitykit-make-") as scratch:
        empty_dir = Path(scratch, "empty-path")
        empty_dir.mkdir()
        copies = Path(scratch, "tree")
        for name in names:
            copy = copies / Path(name).relative_to(Path(name).anchor)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(name, copy)
        for name in names:
            path = Path(name)
            if formatter is not None:
                findings.extend(_format_findings(path, formatter))
            findings.extend(
                _parse_findings(path, copies / path.relative_to(path.anchor), empty_dir)
            )
    return findings


def main(argv: list[str] | None = None) -> int:
    """Check each Makefile named in ``argv`` and print the findings as one JSON document."""
    names = sys.argv[1:] if argv is None else argv
    if not names:
        print("usage: python -m qualitykit.adapters.makefile_json FILE...", file=sys.stderr)
        return 2
    findings = parse_findings(names, MakefileFormatter(Config.load_or_default()))
    json.dump({"files": names, "findings": findings}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
