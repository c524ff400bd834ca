"""``python -m qualitykit.adapters.mypy_json [mypy args]``: mypy, plus the files it checked.

``mypy -O json`` prints one object per diagnostic and nothing about the files it read, so no
diagnostics cannot tell a clean tree from one mypy never read. This resolves mypy's own
sources with its own option parser (``mypy.main.process_options``: its config file, its
``exclude``, its module discovery; the list behind "no issues found in N source files"), runs
mypy's ``main`` with the same arguments, and prints one more line after mypy's own:
``{"qualitykit_sources": [...]}``. Exit code: mypy's.
"""

from __future__ import annotations

import json
import sys

from mypy.main import main as mypy_main
from mypy.main import process_options


def main(argv: list[str] | None = None) -> int:
    """Run mypy with ``argv`` and print the files of its build after its diagnostics."""
    args = sys.argv[1:] if argv is None else argv
    # Bad arguments or config: process_options prints mypy's message and exits 2.
    sources, _ = process_options(list(args))
    try:
        mypy_main(args=list(args), clean_exit=True)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 2
    else:
        code = 0
    sys.stdout.flush()
    paths = [source.path or source.module for source in sources]
    print(json.dumps({"qualitykit_sources": paths}))
    return code


if __name__ == "__main__":
    sys.exit(main())
