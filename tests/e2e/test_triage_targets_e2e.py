"""Triage on real suites (../shared/targets): a clean suite, then one deliberately broken function.

Each target runs in a venv of its own with only the built wheel, the target and its pinned test
dependencies (``test_adoption_e2e.Adopted``), as its user would run ``qualitykit triage``.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

from e2e.test_adoption_e2e import Adopted

pytestmark = pytest.mark.slow

# target -> (module under the target's root, function): functions many tests reach.
BROKEN = {
    "toolz": ("toolz/itertoolz.py", "frequencies"),
    "python-dateutil": ("src/dateutil/easter.py", "easter"),
}


def _break(path: Path, function: str) -> None:
    """Make ``function`` raise a NameError on entry, as a typo in its first statement would."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    (node,) = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name == function
    ]
    body = node.body
    first = body[1] if isinstance(body[0], ast.Expr) and len(body) > 1 else body[0]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    indent = " " * first.col_offset
    lines.insert(first.lineno - 1, f"{indent}_unused = a_name_nobody_defined\n")
    path.write_text("".join(lines), encoding="utf-8")


def _bundle(target: Adopted, stdout: str) -> Path:
    """The bundle ``triage --json`` names on its last line."""
    bundle = Path(json.loads(stdout.strip().splitlines()[-1])["bundle"])
    return bundle if bundle.is_absolute() else target.root / bundle


def _read(bundle: Path, name: str) -> Any:
    return json.loads((bundle / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_triage_of_a_real_suite_clean_then_one_broken_function(
    name: str, tmp_path: Path, built_wheel: Path
) -> None:
    target = Adopted(name, tmp_path, built_wheel)

    clean = target.run("qualitykit", "triage", "--json")

    assert clean.returncode == 0, clean.explain()
    bundle = _bundle(target, clean.stdout)
    assert _read(bundle, "failures.json") == {"failures": []}
    assert _read(bundle, "clusters.json") == {"clusters": []}
    assert (bundle / "exit_code.txt").read_text(encoding="utf-8") == "0\n"

    module, function = BROKEN[name]
    _break(target.root / module, function)
    broken = target.run("qualitykit", "triage", "--json")

    # New failures against the clean bundle (the default baseline): worse, exit 1.
    assert broken.returncode == 1, broken.explain()
    red = _bundle(target, broken.stdout)
    assert red != bundle
    top = _read(red, "clusters.json")["clusters"][0]
    assert (top["root"], top["root_function"]) == (module, function), top
    assert top["exception_type"] == "NameError", top
    delta = _read(red, "delta.json")
    assert set(delta["new_tests"]) == {
        failure["test_id"] for failure in _read(red, "failures.json")["failures"]
    }
    summary = (red / "summary.md").read_text(encoding="utf-8")
    assert f"`{module}:" in summary
    assert f"in `{function}`" in summary
