"""Replace the rerun tests' contexts in the stored per-test data with the fresh measurement.

coverage.py has no API to drop a context, so the rows are deleted from a copy of the stored
SQLite file through coverage.py's documented schema (version 7, checked first: another version
is an error and the run is a full one next time); ``CoverageData.update`` then adds the fresh
data. Files no kept context executed any more are dropped, as a full run would never list them.
The kept contexts' lines of a file whose function bodies grew or shrank are moved to where
those lines are now (the plan's ``shifts``), so they read as a full run's would.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from bisect import bisect_right
from typing import TYPE_CHECKING

from coverage import CoverageData
from coverage.numbits import numbits_to_nums, nums_to_numbits

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from pathlib import Path

Shifts = tuple[tuple[int, int, int], ...]

_SCHEMA_VERSION = 7


class MergeError(Exception):
    """The stored data cannot be merged (foreign schema, unreadable)."""


# The rows of the contexts ``ids`` (a query of their ids) in ``arc`` or ``line_bits``, found
# through the tables' unique index, which starts (file_id, context_id).
BY_CONTEXT = "file_id in (select id from file) and context_id in ({ids})"


def name_contexts(db: sqlite3.Connection, table: str, contexts: Iterable[str]) -> None:
    """A temporary table ``table`` of the ids of the named contexts in coverage.py's data."""
    db.execute("create temp table named (context text primary key)")
    db.executemany("insert or ignore into named values (?)", [(name,) for name in contexts])
    db.execute(
        f"create temp table {table} as select id from context"  # noqa: S608 - our constant
        " where context in (select context from named)"
    )
    db.execute("drop table named")


def _erase(path: Path, contexts: Iterable[str]) -> None:
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        version = db.execute("select version from coverage_schema").fetchone()
        if version is None or version[0] != _SCHEMA_VERSION:
            raise MergeError(f"coverage data schema {version} (expected {_SCHEMA_VERSION})")
        name_contexts(db, "erased", contexts)
        ids = "select id from erased"
        # Rows are found through their unique index, (file_id, context_id, ...): every file
        # with the erased contexts. By context alone, each statement read the whole table.
        db.execute(f"delete from arc where {BY_CONTEXT.format(ids=ids)}")  # noqa: S608 - constant
        db.execute(f"delete from line_bits where {BY_CONTEXT.format(ids=ids)}")  # noqa: S608
        db.execute(f"delete from context where id in ({ids})")  # noqa: S608
        for table, key in (("tracer", "tracer.file_id"), ("file", "file.id")):
            db.execute(
                f"delete from {table} where not exists"  # noqa: S608 - our constants
                f" (select 1 from arc where arc.file_id = {key})"
                f" and not exists (select 1 from line_bits where line_bits.file_id = {key})"
            )


def _mover(ranges: Shifts) -> Callable[[int], int | None]:
    """Old line → where it is now; None for a line of a changed body.

    A negative line is a code object's entry or exit, as coverage.py's arcs have it.
    """
    firsts = [first for first, _, _ in ranges]

    def move(line: int) -> int | None:
        at = bisect_right(firsts, abs(line)) - 1
        if at < 0 or abs(line) > ranges[at][1]:
            return None
        moved = abs(line) + ranges[at][2]
        return moved if line > 0 else -moved

    return move


def _shift(db: sqlite3.Connection, shifts: Mapping[str, Shifts]) -> None:
    for path, ranges in shifts.items():
        row = db.execute("select id from file where path = ?", (path,)).fetchone()
        if row is None:
            continue
        move = _mover(ranges)
        bits = db.execute(
            "select context_id, numbits from line_bits where file_id = ?", row
        ).fetchall()
        for context, numbits in bits:
            lines = [moved for line in numbits_to_nums(numbits) if (moved := move(line))]
            db.execute(
                "update line_bits set numbits = ? where file_id = ? and context_id = ?",
                (nums_to_numbits(lines), row[0], context),
            )
        arcs = db.execute(
            "select context_id, fromno, tono from arc where file_id = ?", row
        ).fetchall()
        db.execute("delete from arc where file_id = ?", row)
        moved_arcs = [
            (row[0], context, start, end)
            for context, old_start, old_end in arcs
            if (start := move(old_start)) and (end := move(old_end))
        ]
        db.executemany(
            "insert or ignore into arc (file_id, context_id, fromno, tono) values (?, ?, ?, ?)",
            moved_arcs,
        )


def merge(
    stored: Path,
    fresh: Path,
    output: Path,
    erased: Iterable[str],
    shifts: Mapping[str, Shifts] | None = None,
) -> None:
    """``output``: ``stored`` without the ``erased`` contexts, plus everything in ``fresh``.

    The kept contexts' lines are moved by ``shifts`` first.
    """
    shutil.copyfile(stored, output)
    try:
        _erase(output, erased)
        if shifts:
            with contextlib.closing(sqlite3.connect(output)) as db, db:
                _shift(db, shifts)
    except sqlite3.Error as error:
        raise MergeError(f"cannot edit the stored coverage data: {error}") from None
    merged = CoverageData(basename=str(output))
    merged.read()
    update = CoverageData(basename=str(fresh))
    update.read()
    merged.update(update)
    merged.write()
