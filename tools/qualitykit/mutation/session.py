"""The run's state as a real cosmic-ray session (SQLite), its rendered config, and merging.

``cr-report`` and ``cr-html`` read the session as they read one of ``cosmic-ray exec``'s. The
outcome cosmic-ray cannot express is kept in its fields without lying to cosmic-ray's own tools:

===========  ================  ============  ==========
outcome      worker_outcome    test_outcome  output
===========  ================  ============  ==========
killed       normal            killed
survived     normal            survived
timeout      abnormal          killed        ``timeout``
incompetent  normal            incompetent
no-coverage  skipped           (none)        ``no-coverage``
error        exception         (none)        the error
===========  ================  ============  ==========
"""

from __future__ import annotations

import contextlib
import shlex
import sqlite3
import time
from typing import TYPE_CHECKING

from cosmic_ray.config import serialize_config
from cosmic_ray.work_db import WorkDB
from cosmic_ray.work_item import MutationSpec, TestOutcome, WorkerOutcome, WorkItem, WorkResult
from sqlalchemy.exc import SQLAlchemyError

from qualitykit.atomic import write_text_atomic
from qualitykit.errors import QualityKitError
from qualitykit.mutation.results import Outcome

if TYPE_CHECKING:
    from collections.abc import Generator, Iterable
    from pathlib import Path

    from qualitykit.mutation.mutants import Mutant

_TABLES = {"work_items", "mutation_specs", "work_results"}
_FLUSH_EVERY_S = 0.5


def _to_work_result(outcome: Outcome, detail: str, diff: str) -> WorkResult:
    if outcome is Outcome.KILLED:
        return WorkResult(WorkerOutcome.NORMAL, detail, TestOutcome.KILLED, diff)
    if outcome is Outcome.SURVIVED:
        return WorkResult(WorkerOutcome.NORMAL, detail, TestOutcome.SURVIVED, diff)
    if outcome is Outcome.TIMEOUT:
        return WorkResult(WorkerOutcome.ABNORMAL, "timeout", TestOutcome.KILLED, diff)
    if outcome is Outcome.INCOMPETENT:
        return WorkResult(WorkerOutcome.NORMAL, detail, TestOutcome.INCOMPETENT, diff)
    if outcome is Outcome.NO_COVERAGE:
        return WorkResult(WorkerOutcome.SKIPPED, "no-coverage", None, diff)
    return WorkResult(WorkerOutcome.EXCEPTION, detail or "error", None, diff)


def _outcome_of_worker(worker: WorkerOutcome) -> Outcome:
    """Our outcome for a worker outcome other than normal (the tests' outcome is moot)."""
    if worker is WorkerOutcome.SKIPPED:
        return Outcome.NO_COVERAGE
    if worker is WorkerOutcome.ABNORMAL:
        return Outcome.TIMEOUT
    return Outcome.ERROR


def outcome_of(result: WorkResult) -> Outcome:
    """Our outcome for a stored cosmic-ray result (also one ``cosmic-ray exec`` wrote)."""
    worker = result.worker_outcome
    if worker is not WorkerOutcome.NORMAL:
        return _outcome_of_worker(worker)
    if result.test_outcome is TestOutcome.SURVIVED:
        return Outcome.SURVIVED
    if result.test_outcome is TestOutcome.INCOMPETENT:
        return Outcome.INCOMPETENT
    if result.output == "timeout":
        return Outcome.TIMEOUT
    return Outcome.KILLED


class Session:
    """An open cosmic-ray session file."""

    def __init__(self, path: Path) -> None:
        """Open (or create) the session at ``path``; refuse a file that is not one."""
        self.path = path
        _check_sqlite(path)
        try:
            self._db = WorkDB(path, WorkDB.Mode.create)
        except SQLAlchemyError as error:
            raise _corrupt(path, error) from None
        self._buffer: list[tuple[str, str | None, str | None, str | None, str]] = []
        self._flushed = time.monotonic()

    def close(self) -> None:
        """Write what is buffered; release the database."""
        try:
            self.flush()
        finally:
            self._db.close()

    def job_ids(self) -> set[str]:
        """Every work item's job id."""
        try:
            return {item.job_id for item in self._db.work_items}
        except (SQLAlchemyError, ValueError, TypeError) as error:
            raise _corrupt(self.path, error) from None

    def specs(self) -> dict[str, MutationSpec]:
        """Job id -> its (single) mutation, for every work item."""
        try:
            return {
                item.job_id: item.mutations[0] for item in self._db.work_items if item.mutations
            }
        except (SQLAlchemyError, ValueError, TypeError) as error:
            raise _corrupt(self.path, error) from None

    def reset(self, mutants: Iterable[Mutant]) -> None:
        """Replace every work item (and result) with ``mutants``."""
        self._buffer.clear()
        self._db.clear()
        self._db.add_work_items(_work_item(mutant) for mutant in mutants)

    def results(self) -> dict[str, tuple[Outcome, str, str]]:
        """Job id -> (outcome, output, diff) for every stored result."""
        self.flush()
        try:
            return {
                job_id: (outcome_of(result), result.output or "", result.diff or "")
                for job_id, result in self._db.results
            }
        except (SQLAlchemyError, ValueError, TypeError, LookupError) as error:
            raise _corrupt(self.path, error) from None

    def record(self, job_id: str, outcome: Outcome, detail: str = "", diff: str = "") -> None:
        """Store one mutant's result: buffered, written at least every half second."""
        result = _to_work_result(outcome, detail, diff)
        self._buffer.append(
            (
                result.worker_outcome.name,
                result.output,
                None if result.test_outcome is None else result.test_outcome.name,
                result.diff,
                job_id,
            )
        )
        if time.monotonic() - self._flushed > _FLUSH_EVERY_S:
            self.flush()

    def flush(self) -> None:
        """Write the buffered results in one transaction (a kill loses at most half a second)."""
        self._flushed = time.monotonic()
        if not self._buffer:
            return
        rows, self._buffer = self._buffer, []
        # The columns as cosmic-ray's SQLAlchemy models store them (enums by name).
        with contextlib.closing(sqlite3.connect(self.path)) as db, db:
            db.executemany(
                "insert or replace into work_results"
                " (worker_outcome, output, test_outcome, diff, job_id) values (?, ?, ?, ?, ?)",
                rows,
            )


def _work_item(mutant: Mutant) -> WorkItem:
    spec = MutationSpec(
        module_path=mutant.module,
        operator_name=mutant.operator,
        occurrence=mutant.occurrence,
        start_pos=mutant.start,
        end_pos=mutant.end,
        definition_name=mutant.definition,
    )
    return WorkItem.single(mutant.job_id, spec)


def _corrupt(path: Path, error: BaseException) -> QualityKitError:
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    return QualityKitError(
        f"{path}: not a readable cosmic-ray session ({reason}); delete it to start afresh"
    )


def _check_sqlite(path: Path) -> None:
    """Refuse a file that exists but is not a cosmic-ray SQLite session, before touching it."""
    if not path.exists():
        return
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            rows = db.execute("select name from sqlite_master where type = 'table'").fetchall()
            db.execute("pragma quick_check").fetchall()
    except sqlite3.Error as error:
        raise _corrupt(path, error) from None
    tables = {str(row[0]) for row in rows}
    if tables and not tables >= _TABLES:
        missing = ", ".join(sorted(_TABLES - tables))
        raise QualityKitError(f"{path}: not a cosmic-ray session (no table {missing})")


@contextlib.contextmanager
def open_session(path: Path) -> Generator[Session]:
    """A session for the duration of a with-block."""
    session = Session(path)
    try:
        yield session
    finally:
        session.close()


def render_config(  # noqa: PLR0913 - one value per cosmic-ray setting
    path: Path,
    *,
    modules: Iterable[str],
    excluded: Iterable[str],
    python: str,
    pytest_args: Iterable[str],
    timeout: float,
) -> None:
    """Write cosmic-ray's own config for the session (``cosmic-ray exec`` can run it too)."""
    config = {
        "module-path": list(modules),
        "timeout": round(timeout, 1),
        "excluded-modules": list(excluded),
        "test-command": shlex.join([python, "-m", "pytest", "-x", "-q", *pytest_args]),
        "distributor": {"name": "local"},
    }
    header = "# Rendered by qualitykit from [tool.qualitykit.mutation]; rewritten on every run.\n"
    write_text_atomic(path, header + serialize_config(config))
