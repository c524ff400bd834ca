"""False positives of the gate-integrity policy found on python-dateutil 2.9.0.post0.

The integrity family must report only real weakenings: a team that sees one false alarm learns
to add allows without reading, and then the self-audit is theatre.
"""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

RETRY_SH = """#!/usr/bin/env bash
sleep_time=60
n_retries=5

for i in `seq 1 $n_retries`; do
    "$@" && exit 0
    sleep $sleep_time
done

exit 1
"""
WORKFLOW = """name: Validate
on: push
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - name: Run updatezinfo.py (Unix)
        run: ./ci_tools/retry.sh python updatezinfo.py
"""
SPHINX_MAKEFILE = """SPHINXBUILD   = sphinx-build
BUILDDIR      = _build

.PHONY: html latexpdf

html:
\t$(SPHINXBUILD) -b html . $(BUILDDIR)/html
\t@echo
\t@echo "Build finished. The HTML pages are in $(BUILDDIR)/html."

latexpdf:
\t$(SPHINXBUILD) -b latex . $(BUILDDIR)/latex
\t$(MAKE) -C $(BUILDDIR)/latex all-pdf
\t@echo "pdflatex finished; the PDF files are in $(BUILDDIR)/latex."
"""


def policy(root: Path, files: dict[str, str]) -> subprocess.CompletedProcess[str]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return subprocess.run(
        [sys.executable, "-m", "qualitykit", "policy"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_retry_wrapper_without_set_e_is_not_a_weakened_gate(tmp_path: Path) -> None:
    """QK-INT-023 reported dateutil's ci_tools/retry.sh for lacking `set -e`.

    The script handles every failure itself (`"$@" && exit 0`, `exit 1` after the retries):
    nothing is hidden. Only a check whose exit code nothing reads is a weakening.
    """
    done = policy(tmp_path, {"ci_tools/retry.sh": RETRY_SH, ".github/workflows/v.yml": WORKFLOW})

    assert done.returncode == 0, done.stdout + done.stderr
    assert "no findings" in done.stdout


def test_sphinx_makefile_without_bash_hides_no_failure(tmp_path: Path) -> None:
    """QK-INT-001 reported dateutil's docs/Makefile for lacking `SHELL := bash`.

    Its recipes neither pipe nor chain commands (the `;` is inside a quoted echo), so /bin/sh
    without -e and pipefail hides no failure there.
    """
    done = policy(tmp_path, {"docs/Makefile": SPHINX_MAKEFILE})

    assert done.returncode == 0, done.stdout + done.stderr
    assert "no findings" in done.stdout
