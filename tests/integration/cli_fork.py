"""Run the real ``qualitykit`` command line many times, cheaply: one process per case.

A fresh interpreter costs ~1 s of CPU on a loaded two-core machine (pydantic and rich import),
so 300 cases would cost minutes. This driver imports qualitykit once, then forks one child per
case; the child changes to the case's directory, points fds 1 and 2 at files and runs
``qualitykit.cli.main(argv)`` exactly as ``python -m qualitykit`` does (an uncaught exception
prints its traceback and exits 1, as the interpreter would). Each case is still its own
process with its own exit code, stdout, stderr and working directory.

Usage: ``python cli_fork.py CASES.json RESULTS.json`` where CASES is a list of
``{"cwd": ..., "argv": [...]}``; RESULTS is a list of ``{"code", "stdout", "stderr"}``.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import traceback
from pathlib import Path
from typing import Any

from qualitykit.mutation.worker_process import end_child

_CASE_TIMEOUT_S = 120


def _child(cwd: str, argv: list[str], out: Path, err: Path) -> int:
    signal.alarm(_CASE_TIMEOUT_S)  # a hung case dies of SIGALRM: exit -14, a visible failure
    # qualitykit: allow[QK-BAN-001] the forked child is its own process: nothing to leak into
    os.chdir(cwd)
    for fd, path in ((1, out), (2, err)):
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(handle, fd)
        os.close(handle)
    from qualitykit.cli import main  # noqa: PLC0415 - imported once by the parent already

    try:
        code = main(argv)
    except SystemExit as stop:  # argparse, --version, SIGTERM
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:  # noqa: BLE001 - what the interpreter does with an uncaught error
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    return code


def _run(case: dict[str, Any], scratch: Path) -> dict[str, object]:
    out, err = scratch / "stdout", scratch / "stderr"
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through its files and exit code
        code = 1
        try:
            code = _child(str(case["cwd"]), [str(arg) for arg in case["argv"]], out, err)
        finally:
            end_child(code)
    _, status = os.waitpid(pid, 0)
    return {
        "code": os.waitstatus_to_exitcode(status),
        "stdout": out.read_text(encoding="utf-8", errors="replace"),
        "stderr": err.read_text(encoding="utf-8", errors="replace"),
    }


def main() -> None:
    """Run every case of ``argv[1]`` and write the results to ``argv[2]``."""
    # The modules every command needs, imported once before the first fork.
    import qualitykit.cli  # noqa: PLC0415
    import qualitykit.commands.check  # noqa: PLC0415
    import qualitykit.commands.gate  # noqa: PLC0415
    import qualitykit.commands.steps  # noqa: PLC0415
    import qualitykit.commands.summary  # noqa: F401, PLC0415

    cases = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    scratch = Path(sys.argv[2]).parent
    results = [_run(case, scratch) for case in cases]
    Path(sys.argv[2]).write_text(json.dumps(results), encoding="utf-8")


if __name__ == "__main__":
    main()
