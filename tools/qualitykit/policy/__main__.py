"""``python -m qualitykit.policy [--base REF] [FILES…]``: the policy report as JSON.

The gate step's adapter: it runs in the step's subprocess, so the runner's fail-closed rules
(crash, timeout, unparseable output) apply. Exit 0 when the check ran (findings or not), 2 on
bad configuration or input (one line on stderr).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qualitykit.errors import QualityKitError
from qualitykit.files import find_root
from qualitykit.policy.check import check, relative_names


def main(argv: list[str] | None = None) -> int:
    """Print the policy report of the current project as one JSON document."""
    parser = argparse.ArgumentParser(prog="python -m qualitykit.policy")
    parser.add_argument("--base", default=None, help="git ref to compare with")
    parser.add_argument("files", nargs="*", help="check only these files")
    args = parser.parse_args(argv)
    cwd = Path.cwd()
    try:
        files = relative_names(find_root(cwd), cwd, args.files)
        report = check(cwd, files=files, base=args.base)
    except QualityKitError as error:
        sys.stderr.write(f"qualitykit policy: error: {error}\n")
        return error.exit_code
    sys.stdout.write(report.to_json() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
