"""``python -m qualitykit``."""

from __future__ import annotations

import sys

from qualitykit.cli import main

if __name__ == "__main__":
    sys.exit(main())
