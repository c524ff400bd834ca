"""Names vulture cannot see being used: each line is a use, with the reason beside it.

This file is checked by ruff like any other code (see the vulture step in the README).
"""

from __future__ import annotations

import qualitykit
from qualitykit.coverage.ratchet import Baseline
from qualitykit.steps.pyright import PyrightSummary
from qualitykit.steps.workflows import ZizmorDeterminations

# pydantic fields read through the validated JSON of tools (never by attribute in our code)
PyrightSummary.warningCount
ZizmorDeterminations.confidence
Baseline.schema_version  # written to and validated from the baseline file ("schema")

# PEP 562: Python calls a module's __getattr__ for names it does not define (lazy models)
qualitykit.__getattr__
