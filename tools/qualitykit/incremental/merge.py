"""Replace the rerun tests' contexts in the stored per-test data with the fresh measurement.

coverage.py has no API to drop a context, so the rows are deleted from a copy of the stored
SQLite file through coverage.py's documented schema (version 7, checked first: another version
is an error and the run is a full one next time); ``CoverageData.update`` then adds the fresh
data. Files no kept context executed any more are dropped, as a full run would never list them.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from typing import TYPE_CHECKING

from coverage import CoverageData

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

_SCHEMA_VERSION = 7


class MergeError(Exception):
    """The stored data cannot be merged (foreign schema, unreadable)."""


def _erase(path: Path, contexts: Iterable[str]) -> None:
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        version = db.execute("select version from coverage_schema").fetchone()
        if version is None or version[0] != _SCHEMA_VERSION:
            raise MergeError(f"coverage data schema {version} (expected {_SCHEMA_VERSION})")
        db.execute("create temp table erased (context text primary key)")
        db.executemany("insert or ignore into erased values (?)", [(name,) for name in contexts])
        ids = "select id from context where context in (select context from erased)"
        db.execute(f"delete from arc where context_id in ({ids})")  # noqa: S608 - constant
        db.execute(f"delete from line_bits where context_id in ({ids})")  # noqa: S608
        db.execute(f"delete from context where id in ({ids})")  # noqa: S608
        used = "select file_id from arc union select file_id from line_bits"
        db.execute(f"delete from tracer where file_id not in ({used})")  # noqa: S608
        db.execute(f"delete from file where id not in ({used})")  # noqa: S608


def merge(stored: Path, fresh: Path, output: Path, erased: Iterable[str]) -> None:
    """``output``: ``stored`` without the ``erased`` contexts, plus everything in ``fresh``."""
    shutil.copyfile(stored, output)
    try:
        _erase(output, erased)
    except sqlite3.Error as error:
        raise MergeError(f"cannot edit the stored coverage data: {error}") from None
    merged = CoverageData(basename=str(output))
    merged.read()
    update = CoverageData(basename=str(fresh))
    update.read()
    merged.update(update)
    merged.write()
