"""Names vulture cannot see being used: each line is a use, with the reason beside it.

This file is checked by ruff like any other code (see the vulture step in the README).
"""

from __future__ import annotations

import reprlib
import sys

import pytest
from _pytest import hookspec

import qualitykit
from qualitykit.coverage.ratchet import Baseline
from qualitykit.policy.pynames import Binder
from qualitykit.report.sections import Trend
from qualitykit.sarif_models import (
    ArtifactLocation,
    Invocation,
    Location,
    PhysicalLocation,
    Region,
    Result,
    Run,
    SarifLog,
    ToolComponent,
)
from qualitykit.steps import badge, mypy, policy, pyright, regression, ruff, workflows
from qualitykit.steps.pyright import PyrightSummary
from qualitykit.steps.workflows import ZizmorDeterminations
from qualitykit.triage.environment import Environment, Resources
from qualitykit.triage.leaks import with_leaks

# pydantic fields read through the validated JSON of tools (never by attribute in our code)
PyrightSummary.warningCount
ZizmorDeterminations.confidence
Baseline.schema_version  # written to and validated from the baseline file ("schema")

# triage bundle fields: only written to env.json and resources.json (read by people)
Environment.packages_from
Environment.git_commit
Resources.cpu_user_s
Resources.cpu_system_s
Resources.max_rss_kib

# SARIF fields: only written to .qualitykit/gate.sarif (read by code scanning, not by us)
ArtifactLocation.uri
ArtifactLocation.uri_base_id
Region.start_line
Region.start_column
PhysicalLocation.artifact_location
Location.physical_location
ToolComponent.full_name
Result.partial_fingerprints
Invocation.execution_successful
Invocation.tool_execution_notifications
Run.automation_details
Run.invocations
Run.original_uri_base_ids
Run.properties
SarifLog.schema_uri
SarifLog.runs

# PEP 562: Python calls a module's __getattr__ for names it does not define (lazy models)
qualitykit.__getattr__

# pytest hooks: pluggy calls a plugin's method named after a hook spec (mutation/worker.py)
hookspec.pytest_collection_finish
hookspec.pytest_collectstart
hookspec.pytest_collectreport
hookspec.pytest_runtest_logstart
hookspec.pytest_runtest_logfinish
hookspec.pytest_runtest_logreport
hookspec.pytest_sessionfinish  # triage/leak_snapshot.py: the state after the last teardown
hookspec.pytest_configure  # triage/session_worker.py: no early stop, before any other plugin
hookspec.pytest_addoption  # triage/collected.py: its --qualitykit-total option
# … and a module's functions so named (incremental/plugin.py, loaded with `-p`)
hookspec.pytest_make_collect_report
hookspec.pytest_fixture_setup
hookspec.pytest_collection_modifyitems
hookspec.pytest_runtest_protocol
hookspec.pytest_ignore_collect
hookspec.pytest_warning_recorded  # triage/reportlog.py: pytest-reportlog's WarningMessage
hookspec.pytest_unconfigure  # triage/reportlog.py: the log closed
hookspec.pytest_runtest_makereport  # triage/expected.py: an xfail's traceback, natively

# set by the mutation worker (mutation/worker.py) for their readers
sys.dont_write_bytecode  # the import system: no .pyc of a mutant is written
pytest.Session.testscollected  # pytest's run loop and summary, in the zygote's child
pytest.Config.option.maxfail  # pytest's run loop: triage's session never stops early

# reprlib reads its limits from the instance (triage/leak_snapshot.py; keywords need 3.12)
reprlib.Repr.maxlevel
reprlib.Repr.maxstring
reprlib.Repr.maxother
reprlib.Repr.maxlist
reprlib.Repr.maxdict

# triage's polluter search API: the deep checks (triage/deep.py) call it when merged
with_leaks

# ast.NodeVisitor dispatches to visit_<node class>: `case Point(x=px)` binds px (pynames.py)
Binder.visit_MatchAs

# read by the report's template only (tools/qualitykit/report/templates/index.html.j2)
Trend.chart
Trend.latest

# steps/__init__.py imports a built-in step's module and class by name, when the step is used
badge.Badge
mypy.Mypy
policy.Policy
pyright.Pyright
regression.Regression
ruff.RuffFormat
ruff.RuffLint
workflows.Actionlint
workflows.Zizmor
