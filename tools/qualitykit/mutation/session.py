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
import os
import shlex
import sqlite3
import time
from typing import TYPE_CHECKING

from cosmic_ray.config import serialize_config
from cosmic_ray.work_item import MutationSpec, TestOutcome, WorkerOutcome, WorkResult

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


# cosmic-ray 8's schema, as its SQLAlchemy models create it (``cosmic_ray.work_db``). Written
# with sqlite3 directly: importing SQLAlchemy alone costs a second per run.
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS work_items (job_id VARCHAR NOT NULL, PRIMARY KEY (job_id))",
    (
        "CREATE TABLE IF NOT EXISTS mutation_specs (module_path VARCHAR, operator_name VARCHAR,"
        " operator_args JSON, occurrence INTEGER, start_pos_row INTEGER, start_pos_col INTEGER,"
        " end_pos_row INTEGER, end_pos_col INTEGER, definition_name VARCHAR,"
        " job_id VARCHAR NOT NULL, PRIMARY KEY (job_id),"
        " FOREIGN KEY(job_id) REFERENCES work_items (job_id))"
    ),
    (
        "CREATE TABLE IF NOT EXISTS work_results (worker_outcome VARCHAR(9), output TEXT,"
        " test_outcome VARCHAR(11), diff TEXT, job_id VARCHAR NOT NULL, PRIMARY KEY (job_id),"
        " FOREIGN KEY(job_id) REFERENCES work_items (job_id))"
    ),
)
# cosmic-ray stores operator arguments JSON-encoded inside a JSON column: "{}" twice.
_NO_ARGS = '"{}"'


class Session:
    """An open cosmic-ray session file."""

    def __init__(self, path: Path) -> None:
        """Open (or create) the session at ``path``; refuse a file that is not one."""
        self.path = path
        _check_sqlite(path)
        try:
            if not path.exists():
                _create(path)
            self._db = sqlite3.connect(path)
        except sqlite3.Error as error:
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
            return {str(row[0]) for row in self._db.execute("select job_id from work_items")}
        except sqlite3.Error as error:
            raise _corrupt(self.path, error) from None

    def specs(self) -> dict[str, MutationSpec]:
        """Job id -> its (single) mutation, for every work item."""
        query = (
            "select job_id, module_path, operator_name, occurrence, start_pos_row,"
            " start_pos_col, end_pos_row, end_pos_col, definition_name from mutation_specs"
        )
        try:
            return {
                str(job): MutationSpec(
                    module_path=str(module),
                    operator_name=str(operator),
                    occurrence=int(occurrence),
                    start_pos=(int(row), int(col)),
                    end_pos=(int(end_row), int(end_col)),
                    definition_name=definition,
                )
                for job, module, operator, occurrence, row, col, end_row, end_col, definition in (
                    self._db.execute(query)
                )
            }
        except (sqlite3.Error, ValueError, TypeError) as error:
            raise _corrupt(self.path, error) from None

    def reset(self, mutants: Iterable[Mutant]) -> None:
        """Replace every work item (and result) with ``mutants``."""
        self._buffer.clear()
        chosen = list(mutants)
        with self._db:
            for table in ("work_results", "mutation_specs", "work_items"):
                self._db.execute(f"delete from {table}")  # noqa: S608 - fixed table names
            self._db.executemany(
                "insert into work_items (job_id) values (?)", [(m.job_id,) for m in chosen]
            )
            self._db.executemany(
                "insert into mutation_specs (module_path, operator_name, operator_args,"
                " occurrence, start_pos_row, start_pos_col, end_pos_row, end_pos_col,"
                " definition_name, job_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        m.module,
                        m.operator,
                        _NO_ARGS,
                        m.occurrence,
                        *m.start,
                        *m.end,
                        m.definition,
                        m.job_id,
                    )
                    for m in chosen
                ],
            )

    def results(self) -> dict[str, tuple[Outcome, str, str]]:
        """Job id -> (outcome, output, diff) for every stored result."""
        self.flush()
        query = "select job_id, worker_outcome, output, test_outcome, diff from work_results"
        try:
            found: dict[str, tuple[Outcome, str, str]] = {}
            for job, worker, output, test, diff in self._db.execute(query):
                result = WorkResult(
                    WorkerOutcome[str(worker)],
                    output,
                    None if test is None else TestOutcome[str(test)],
                    diff,
                )
                found[str(job)] = (outcome_of(result), output or "", diff or "")
        except (sqlite3.Error, ValueError, TypeError, LookupError) as error:
            raise _corrupt(self.path, error) from None
        return found

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
        with self._db:
            self._db.executemany(
                "insert or replace into work_results"
                " (worker_outcome, output, test_outcome, diff, job_id) values (?, ?, ?, ?, ?)",
                rows,
            )


def _corrupt(path: Path, error: BaseException) -> QualityKitError:
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    return QualityKitError(
        f"{path}: not a readable cosmic-ray session ({reason}); delete it to start afresh"
    )


def _create(path: Path) -> None:
    """A new, empty session at ``path``, whole or not at all.

    Made beside it and renamed into place: a run killed while creating it leaves no session
    without its tables (which the next run would refuse as not a cosmic-ray session).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    partial.unlink(missing_ok=True)
    with contextlib.closing(sqlite3.connect(partial)) as db, db:
        for statement in _SCHEMA:
            db.execute(statement)
    partial.replace(path)


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
