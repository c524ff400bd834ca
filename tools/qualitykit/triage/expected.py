"""A pytest plugin of triage's: an expected failure's traceback is formatted the cheap way.

pytest formats the traceback of every failed call when it makes the report, before the
``xfail`` marker turns the outcome into "xfailed", and it formats it in the session's style:
for triage ``--tb=long``, which parses the source of every frame's file again. Nothing reads
it (an xfailed test is counted, not clustered), yet on python-dateutil its 17 expected
failures took about a fifth of the suite's time (``benchmarks/triage.py`` part b, profiled).

So a test marked ``xfail`` that fails in its call is formatted in pytest's ``native`` style:
Python's own traceback, with every frame's file, line and function. Should the failure count
after all (an exception other than the marker's ``raises``), triage still reads its type,
message and frames from it; its chained exceptions are then text inside the traceback.
Every other report keeps the session's style. Loaded by ``qualitykit triage`` with ``-p``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Generator


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, object, None]:
    """Around the call report of a test marked ``xfail`` that raised: the native style."""
    if call.when != "call" or call.excinfo is None or item.get_closest_marker("xfail") is None:
        yield
        return
    option = item.config.option
    style: object = getattr(option, "tbstyle", "auto")
    option.tbstyle = "native"
    try:
        yield
    finally:
        option.tbstyle = style
