r"""The page: one self-contained HTML file rendered by jinja2 with autoescaping.

No network: CSS and script are inline, charts are inline SVG, the data the script renders on
demand is embedded as JSON in a ``<script type="application/json">`` whose ``<`` are written
``\u003c`` (so no string in it can close the element). The same inputs give the same bytes:
no clock is read here, every collection is sorted, the JSON's keys are sorted.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from qualitykit.report import sections
from qualitykit.report.history import HISTORY_FILE, LIMIT

if TYPE_CHECKING:
    from qualitykit.report.collect import Inputs

_TEMPLATES = Path(__file__).parent / "templates"


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@cache
def _assets() -> tuple[Markup, Markup, str]:
    """The stylesheet, the script and the script's CSP hash (only that script may run)."""
    css = (_TEMPLATES / "report.css").read_text(encoding="utf-8")
    script = (_TEMPLATES / "report.js").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    # Our own files, inlined as they are (neither holds "</").
    return Markup(css), Markup(script), f"sha256-{digest}"  # noqa: S704


def embed_json(data: object) -> Markup:
    """``data`` as JSON safe inside a script element: ``<``, ``>`` and ``&`` as escapes."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    # Only strings hold these characters in JSON text, and \\u escapes are valid there.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - escaped above for the script-data state


def render(inputs: Inputs) -> str:
    """The whole page for ``inputs``."""
    rows = sections.finding_rows(inputs)
    groups, rest = sections.group_rows(rows)
    mutation = inputs.mutation
    survivors = sections.survivors(inputs, mutation) if mutation is not None else []
    shown_survivors = survivors[: sections.SHOWN_SURVIVORS]
    gate = inputs.gate
    steps = gate.steps if gate else ()
    coverage = next((s.coverage for s in steps if s.coverage is not None), None)
    policy = next((s for s in steps if s.step == "policy"), None)
    data = {
        # Links of the rows drawn on demand: prefix + path + #L<line> (forge.Forge.blob).
        "forge": inputs.forge.prefix if inputs.forge is not None else None,
        "findings": [row.compact() for row in rest],
        "survivors": [s.compact() for s in survivors[sections.SHOWN_SURVIVORS :]],
    }
    css, script, script_hash = _assets()
    context = {
        "css": css,
        "script": script,
        "script_hash": script_hash,
        "findings_files": len({row.file for row in rows}),
        "gate": gate,
        "steps": sections.step_rows(gate) if gate else [],
        "chart": sections.duration_chart(gate) if gate else "",
        "groups": groups,
        "findings_total": len(rows),
        "findings_new": sum(row.new for row in rows),
        "findings_rest": len(rest),
        "base": inputs.base,
        "notes": inputs.notes,
        "forge": inputs.forge is not None,
        "coverage": coverage,
        "coverage_table": sections.coverage_table(coverage) if coverage else None,
        "weakest": sections.weakest_files(coverage) if coverage else [],
        "diff": inputs.diff,
        "diff_rows": sections.diff_rows(inputs),
        "mutation": mutation,
        "survivors": shown_survivors,
        "survivors_total": len(survivors),
        "triage": inputs.triage,
        "clusters": sections.clusters(inputs),
        "policy": policy,
        "trends": sections.trends(inputs.history),
        "runs": len(inputs.history),
        "history_notes": inputs.history_notes,
        "history_file": HISTORY_FILE,
        "history_limit": LIMIT,
        "data": embed_json(data),
    }
    return _environment().get_template("index.html.j2").render(context)
