"""``python -m qualitykit.adapters.ruff_json check|format [ARGS] -- FILE...``: ruff, with its files.

ruff's JSON output lists findings, not the files it looked at; with ``--force-exclude`` an
explicitly named file that its configuration excludes is skipped in silence, so "no findings"
cannot tell a clean tree from a tree ruff never read. This asks ruff itself first
(``ruff check --show-files``, its own file resolution) and then runs the check, printing
``{"files": [...], "diagnostics": [...]}`` and exiting with the check's exit code. When ruff
cannot start or prints something else, its stderr is passed on and the exit code is 2 or more.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

# ruff options that change which files it resolves (the rest only change what it reports).
_DISCOVERY_WITH_VALUE = frozenset({"--config", "--exclude", "--extend-exclude"})
_DISCOVERY_FLAGS = frozenset({"--isolated", "--respect-gitignore", "--no-respect-gitignore"})
_CHECK_OPTIONS = {
    # Never a fixer or a formatter that writes: the check options come first, then the
    # user's options (validated by the step: no --fix), then the files.
    "check": ("check", "--no-fix"),
    "format": ("format", "--check"),
}


def _discovery_args(args: list[str]) -> list[str]:
    """The options of ``args`` that decide which files ruff resolves."""
    kept: list[str] = []
    taking = False
    for arg in args:
        flag = arg.split("=", 1)[0]
        if taking:
            kept.append(arg)
            taking = False
        elif flag in _DISCOVERY_WITH_VALUE:
            kept.append(arg)
            taking = "=" not in arg
        elif flag in _DISCOVERY_FLAGS:
            kept.append(arg)
    return kept


def _ruff(ruff: str, argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - argv list, never a shell
        [ruff, *argv], capture_output=True, text=True, check=False
    )


def main(argv: list[str] | None = None) -> int:
    """Resolve the files with ruff, run the check and print both as one JSON document."""
    words = sys.argv[1:] if argv is None else argv
    if len(words) < 2 or words[0] not in _CHECK_OPTIONS or "--" not in words:
        usage = "usage: python -m qualitykit.adapters.ruff_json check|format [ARGS] -- FILE..."
        print(usage, file=sys.stderr)
        return 2
    split = words.index("--")
    args, files = words[1:split], words[split + 1 :]
    ruff = shutil.which("ruff")
    if ruff is None:
        print("ruff is not installed in this environment", file=sys.stderr)
        return 127
    shown = _ruff(
        ruff, ["check", "--show-files", "--force-exclude", *_discovery_args(args), *files]
    )
    if shown.returncode != 0:
        sys.stderr.write(shown.stderr)
        return max(shown.returncode, 2)
    resolved = [line for line in shown.stdout.splitlines() if line.strip()]
    if not resolved:
        # Nothing to check (ruff format would exit 2 on it): the step reports 0 files.
        json.dump({"files": [], "diagnostics": []}, sys.stdout)
        return 0
    checked = _ruff(
        ruff,
        [
            *_CHECK_OPTIONS[words[0]],
            "--output-format=json",
            "--force-exclude",
            # ruff's own cache does not notice a new module that changes how an import is
            # classified (first- or third-party): a stale pass. qualitykit's cache keys on
            # every input file instead, so ruff always runs from scratch here.
            "--no-cache",
            *args,
            *files,
        ],
    )
    try:
        diagnostics: object = json.loads(checked.stdout)
    except ValueError:
        sys.stderr.write(checked.stderr or checked.stdout)
        return max(checked.returncode, 2)
    json.dump({"files": resolved, "diagnostics": diagnostics}, sys.stdout)
    sys.stderr.write(checked.stderr)
    return checked.returncode


if __name__ == "__main__":
    sys.exit(main())
