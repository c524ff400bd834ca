"""Stable fingerprints of findings: the same problem keeps its fingerprint when lines move.

One function for every capability that needs to recognise a finding across edits (policy
findings, baselines of known findings, SARIF ``partialFingerprints``): rule + file + the
normalised text of the offending line + which occurrence of that text it is. Never the line
number, so inserting a line above a finding does not make it new.
"""

from __future__ import annotations

import hashlib
import re

_SPACE = re.compile(r"\s+")


def normalise_code_line(text: str) -> str:
    """The line as compared: surrounding whitespace removed, inner whitespace collapsed."""
    return _SPACE.sub(" ", text.strip())


def fingerprint(rule: str, file: str, code_line: str, occurrence: int) -> str:
    """A stable hex digest of (rule, file, normalised code line, occurrence number)."""
    parts = (rule, file, normalise_code_line(code_line), str(occurrence))
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:32]
