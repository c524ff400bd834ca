"""Regression: QK-EXC-002 false positives found on the third-party targets (toolz,
python-dateutil, python-slugify), each read by hand before the rule changed."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from integration.policy_cases import write_repo
from qualitykit.policy.config import PolicyConfig
from qualitykit.policy.engine import run_policy
from qualitykit.policy.project import PolicyProject

if TYPE_CHECKING:
    from pathlib import Path

END_OF_ITERATION = {
    # toolz.itertoolz.accumulate: an empty input ends the generator.
    "generator-on-empty-input": (
        "def accumulate(seq):\n    try:\n        total = next(seq)\n"
        "    except StopIteration:\n        return\n    yield total\n"
    ),
    # dateutil.rrule.rruleset._genitem: an exhausted iterator is not added.
    "exhausted-iterator": (
        "def first(it, out):\n    try:\n        out.append(next(it))\n"
        "    except StopIteration:\n        pass\n"
    ),
    "async-iterator": (
        "async def first(it):\n    try:\n        return await anext(it)\n"
        "    except StopAsyncIteration:\n        return None\n"
    ),
}
OPTIONAL_IMPORTS = {
    # toolz's tlz loader: cytoolz when installed.
    "import-module-assigned": (
        "from importlib import import_module\n\ndef load(rv):\n    try:\n"
        "        rv['cytoolz'] = import_module('cytoolz')\n    except ImportError:\n        pass\n"
    ),
    # python-slugify's release tests: a backend that is not installed is skipped.
    "import-module-in-a-loop": (
        "import importlib\n\nfor name in ('a', 'b'):\n    try:\n"
        "        importlib.import_module(name)\n    except ModuleNotFoundError:\n        continue\n"
    ),
    # the same loader computes the module's name first.
    "computed-module-name": (
        "from importlib import import_module\n\ndef load(rv, dot, sub):\n    try:\n"
        "        name = ''.join(['cytoolz', dot, sub])\n"
        "        rv['cytoolz'] = import_module(name)\n"
        "    except ImportError:\n        pass\n"
    ),
    "dunder-import": "try:\n    __import__('ujson')\nexcept ImportError:\n    pass\n",
}


@pytest.mark.parametrize(
    "code",
    [*END_OF_ITERATION.values(), *OPTIONAL_IMPORTS.values()],
    ids=[*END_OF_ITERATION, *OPTIONAL_IMPORTS],
)
def test_control_flow_and_optional_imports_are_not_swallowed_errors(
    tmp_path: Path, code: str
) -> None:
    """StopIteration is how an iterator says it is done, not an error; and an optional module
    imported with ``import_module``/``__import__`` is the optional-import idiom as much as an
    ``import`` statement is. The rule reported both as swallowed errors (9 such findings in
    toolz, python-dateutil and python-slugify), which teaches users to ignore it."""
    write_repo(tmp_path, {"src/m.py": code})

    report = run_policy(PolicyProject.load(tmp_path), PolicyConfig(enable=("QK-EXC-002",)))

    assert report.findings == ()
    assert "QK-EXC-002" in report.rules
