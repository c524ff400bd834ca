"""Python versions in GitHub workflows: setup-python/setup-uv steps and job matrices.

A value computed at run time (``${{ … }}`` that is not a literal matrix entry, a
``fromJSON`` matrix, ``3.x``) cannot be judged from the files: it is a note, never a pass
and never a failure.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from typing_extensions import override

from qualitykit.policy import yamlnodes as y
from qualitykit.policy.pyversions import judge, parse_value, usable
from qualitykit.policy.rule import Hit, WorkflowRule

if TYPE_CHECKING:
    from collections.abc import Iterator

    import yaml

    from qualitykit.policy.project import PolicyProject
    from qualitykit.policy.pyversions import Declared
    from qualitykit.policy.rule import RuleOptions

_SETUP_ACTIONS = ("actions/setup-python", "astral-sh/setup-uv")
# `${{ matrix.python }}`, or a field of matrix entries: `${{ matrix.config.python }}`.
_MATRIX_REF = re.compile(r"^\$\{\{\s*matrix\.(?P<key>[\w-]+(?:\.[\w-]+)*)\s*\}\}$")
# `3.10` unquoted is the float 3.1: setup-python then installs Python 3.1 (or fails).
_FLOAT_TRAP = re.compile(r"^\d+\.\d+0$")
# `3.x`, `>=3.11`, `~3.12`, `3.*`: setup-python picks the version when the job runs.
_RUN_TIME = re.compile(r"[x*^~<>]")
# Matrix keys that hold Python versions even when no setup step names them (tox, nox, uv).
_PYTHON_KEY = re.compile(r"^(?:python|py)(?:[-_]?versions?)?$", re.IGNORECASE)


def _matrix_values(matrix: yaml.Node | None, key: str) -> list[yaml.ScalarNode]:
    """The scalar values of ``key`` (``a`` or ``a.b``) in a literal matrix, with ``include:``."""
    top, *fields = key.split(".")
    value = y.get(matrix, top)
    nodes = y.elements(value) or ([value] if value is not None else [])
    nodes += [n for entry in y.elements(y.get(matrix, "include")) if (n := y.get(entry, top))]
    for field in fields:
        nodes = [n for node in nodes if (n := y.get(node, field)) is not None]
    return [node for node in nodes if y.is_scalar(node)]


class CiVersions(WorkflowRule):
    """Each ``python-version`` a workflow sets up inside the range; computed ones are noted."""

    id = "QK-PY-004"
    family = "versions"
    title = "CI Python version outside the declared range"
    fix = "test only versions inside the declared range"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        range_ = usable(project)
        if range_ is None:
            return
        for name in project.workflows:
            # A matrix key a setup step names is read twice (as a Python key and as the step's).
            seen: set[tuple[int, str]] = set()
            for hit in self._workflow(project, name, range_):
                if (hit.line, hit.message) not in seen:
                    seen.add((hit.line, hit.message))
                    yield hit

    def _workflow(self, project: PolicyProject, name: str, range_: Declared) -> Iterator[Hit]:
        for job_id, _, job in y.items(y.get(project.yaml_node(name), "jobs")):
            matrix = y.get(y.get(job, "strategy"), "matrix")
            computed = y.scalar(matrix)
            for key, key_node, _ in y.items(matrix):
                if _PYTHON_KEY.match(key):
                    yield from self._matrix(name, matrix, key, key_node, range_)
            for step in y.elements(y.get(job, "steps")):
                uses = y.scalar(y.get(step, "uses")) or ""
                value = y.get(y.get(step, "with"), "python-version")
                if not uses.startswith(_SETUP_ACTIONS) or not y.is_scalar(value):
                    continue
                ref = _MATRIX_REF.match(value.value.strip())
                if ref and computed is None and matrix is not None:
                    yield from self._matrix(name, matrix, ref["key"], value, range_)
                elif "${{" in value.value:
                    message = (
                        f"job {job_id!r}: python-version `{value.value}` is computed at run time"
                    )
                    yield Hit(name, y.line_of(value), message, note=True)
                elif not value.style:  # plain: None from PyYAML, "" from libyaml
                    yield from _scalar(name, value, range_)
                else:
                    source = project.lines(name)
                    for line, text in y.scalar_lines(value, source):
                        for word in text.split():
                            yield from _judged(name, line, word, range_)

    def _matrix(
        self,
        name: str,
        matrix: yaml.Node | None,
        key: str,
        where: yaml.Node,
        range_: Declared,
    ) -> Iterator[Hit]:
        values = _matrix_values(matrix, key)
        if not values:
            message = f"matrix.{key} is not a literal list: its versions are known at run time"
            yield Hit(name, y.line_of(where), message, note=True)
        for node in values:
            yield from _scalar(name, node, range_)


def _scalar(name: str, node: yaml.ScalarNode, range_: Declared) -> Iterator[Hit]:
    """One version value; an unquoted ``3.10`` is YAML's float 3.1, whatever the range."""
    if not node.style and _FLOAT_TRAP.match(node.value):
        number = float(node.value)
        message = (
            f"unquoted `{node.value}` is the number {number} to YAML: CI sets up Python {number}"
        )
        yield Hit(name, y.line_of(node), message, f'quote it: "{node.value}"')
        return
    yield from _judged(name, y.line_of(node), node.value, range_)


def _judged(name: str, line: int, text: str, range_: Declared) -> Iterator[Hit]:
    text = text.strip().strip("\"'")
    if "${{" in text:
        yield Hit(name, line, f"`{text}` is computed at run time", note=True)
        return
    value = parse_value(text)
    if value is None:
        why = "is resolved at run time" if _RUN_TIME.search(text) else "is no CPython version"
        yield Hit(name, line, f"`{text}` {why}: not judged", note=True)
        return
    wrong = judge(value, range_)
    if wrong is not None:
        suggestion = range_.suggestion()
        fix = f"replace `{text}` with `{suggestion}` or drop it" if suggestion else "drop it"
        yield Hit(name, line, f"CI python-version {wrong}", fix)
