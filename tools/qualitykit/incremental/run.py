"""The coverage runner's incremental side (in the step's subprocess): run, merge, keep.

``qualitykit.adapters.coverage_run --incremental PLAN``: the plan (written by the step when the
run was planned) says full, partial or reuse. The suite runs with the plugin loaded under a
private name from a temporary directory outside the project; a partial run keeps only the
selected and new tests, and its data replaces theirs (and every import-time context, which a
run always measures again) in the stored data. The store is kept only after a run whose suite
passed and whose data was reported; anything else drops it, so the next run is a full one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from coverage import CoverageData

from qualitykit.incremental import plugin, report
from qualitykit.incremental.merge import merge
from qualitykit.incremental.store import (
    COLLECT,
    Manifest,
    Plan,
    Record,
    data_path,
    forget,
    load_manifest,
    report_paths,
    save_manifest,
)
from qualitykit.state import read_model

PLUGIN_MODULE = "_qualitykit_incremental"
# Where pytest makes its numbered temporary directories (``tmp_path``; default: the system's).
_TEMPROOT = "PYTEST_DEBUG_TEMPROOT"


def read_plan(path: Path) -> Plan:
    """The plan the step wrote for this run (a missing or broken one is exit 2, naming it)."""
    plan = read_model(path, Plan, "incremental plan", cache=False)
    if plan is None:
        raise FileNotFoundError(path)
    return plan


def run_suite(plan: Plan, command: list[str], work: Path) -> int:
    """Run the suite (``command``: [coverage run …] pytest …) with the plugin; pytest's exit code.

    A plan other than a full one hands the plugin its selection (the regression step runs a
    "reuse" plan too: the tests the coverage step never ran are kept).
    """
    shutil.copyfile(plugin.__file__, work / f"{PLUGIN_MODULE}.py")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(work), *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])]
    )
    env[plugin.RECORD_VAR] = str(work)
    if not env.get(_TEMPROOT):
        # pytest deletes, as each session ends, the temporary trees of the runs three before
        # it: a full run's (thousands of fixture files) cost the small run after it seconds.
        # This run's trees live in ``work`` and go with it; the user's own setting wins.
        (work / "tmp").mkdir()
        env[_TEMPROOT] = str(work / "tmp")
    if plan.mode != "full":
        select = work / "select.json"
        select.write_text(
            Plan.model_validate(plan).model_dump_json(include={"select", "known", "skip"}),
            encoding="utf-8",
        )
        env[plugin.SELECT_VAR] = str(select)
    suite = subprocess.run(  # noqa: S603 - argv list; the step's timeout ends our process group
        [*command, "-p", PLUGIN_MODULE], stdout=sys.stderr, check=False, env=env
    )
    return suite.returncode


def read_record(work: Path) -> Record | None:
    """What the plugin recorded (in every process: pytest-xdist's workers each write one).

    None when no process wrote one (the suite ended early) or one is unreadable.
    """
    parts: list[Record] = []
    for path in sorted(work.glob("record-*.json")):
        part = read_model(path, Record, "incremental record", cache=True)
        if part is None:
            return None
        parts.append(part)
    if not parts:
        return None
    reads: dict[str, set[str]] = {}
    for part in parts:
        for context, names in part.reads.items():
            reads.setdefault(context, set()).update(names)
    return Record(
        tests={test: file for part in parts for test, file in part.tests.items()},
        fixtures={test: names for part in parts for test, names in part.fixtures.items()},
        broad=tuple(sorted({name for part in parts for name in part.broad})),
        reads={context: tuple(sorted(names)) for context, names in sorted(reads.items())},
        modules=tuple(sorted({name for part in parts for name in part.modules})),
        written=tuple(sorted({name for part in parts for name in part.written})),
    )


def changed(plan: Plan) -> set[str]:
    """The files whose digest differs from the stored run's (all of them without a store)."""
    manifest = load_manifest(Path(plan.store))
    return {
        name
        for name, digest in plan.files.items()
        if manifest is None or manifest.files.get(name) != digest
    }


def merge_into(plan: Plan, record: Record, data_file: Path) -> set[str]:
    """Replace, in a copy of the stored data, what this partial run measured again.

    The files whose report entries can differ from the stored reports' (``report.to_redo``).
    """
    stored = data_path(Path(plan.store))
    old = CoverageData(basename=str(stored))
    old.read()
    erased = {
        context
        for context in old.measured_contexts()
        # The imports of the test modules this run imported are measured again; start-up
        # and collection outside a module ("") only in part (the hooks a conftest runs per
        # collected module ran for fewer): its stored data is kept, the fresh added to it
        # (what it ran cannot have changed: a change to it is a full run). Rerun and
        # vanished tests are replaced.
        if (context.startswith(COLLECT) and context.removeprefix(COLLECT) not in plan.skip)
        or context in plan.select
        or (context and not context.startswith(COLLECT) and context not in record.tests)
    }
    redo = report.to_redo(stored, data_file, erased, changed(plan))
    merged = data_file.with_name(data_file.name + ".merged")
    merge(stored, data_file, merged, erased, plan.shifts)
    merged.replace(data_file)
    return redo


def keep(plan: Plan, record: Record, data_file: Path, reports: tuple[Path, Path]) -> None:
    """Store the data, its reports and the manifest describing them.

    The manifest is written last: it is the commit.
    """
    store = Path(plan.store)
    old = load_manifest(store) if plan.mode != "full" else None
    rerun = set(record.fixtures)
    fixtures = {
        test: names
        for test, names in (old.fixtures.items() if old else ())
        if test in record.tests and test not in rerun
    }
    fixtures.update(record.fixtures)
    reads = {
        context: names
        for context, names in (old.reads.items() if old else ())
        if context in record.tests and context not in rerun
    }
    reads.update(record.reads)
    files = dict(plan.files)
    root = Path.cwd()
    # A file read is known as it was when planned, but one the suite itself wrote (a cache
    # it rewrites each run, as hypothesis does its .hypothesis/unicode_data) as the suite
    # left it: the next run reruns its readers when someone else changes it, not each time.
    # A Python file keeps its planned digest (its skeleton was taken then).
    left = {name for name in record.written if not name.endswith(".py")}
    for names in reads.values():
        for name in names:
            if (name not in files or name in left) and (root / name).is_file():
                files[name] = _digest(root / name)
    manifest = Manifest(
        environment=plan.environment,
        files=files,
        skeletons=plan.skeletons,
        tests=record.tests,
        fixtures=fixtures,
        broad=tuple(sorted(set(record.broad) | set(old.broad if old else ()))),
        reads=reads,
        modules=record.modules,
    )
    forget(store)
    store.mkdir(parents=True, exist_ok=True)
    for made, kept in zip(reports, report_paths(store), strict=True):
        shutil.copyfile(made, kept.with_suffix(".tmp"))
        kept.with_suffix(".tmp").replace(kept)
    temp = data_path(store).with_suffix(".tmp")
    shutil.copyfile(data_file, temp)
    temp.replace(data_path(store))
    save_manifest(store, manifest)


def reuse(plan: Plan, data_file: Path) -> None:
    """Report from the stored data as it is (nothing a test runs changed)."""
    shutil.copyfile(data_path(Path(plan.store)), data_file)


def keep_reused(plan: Plan) -> None:
    """Record the new digests (of files declared irrelevant) so they are not planned again."""
    store = Path(plan.store)
    old = load_manifest(store)
    if old is not None:
        save_manifest(
            store, old.model_copy(update={"files": plan.files, "skeletons": plan.skeletons})
        )


def _digest(path: Path) -> str:
    # Same digest as the workspace's (qualitykit.workspace), read here without the config.
    return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()


def temporary() -> tempfile.TemporaryDirectory[str]:
    """A directory outside the project for the plugin and its files."""
    return tempfile.TemporaryDirectory(prefix="qualitykit-incremental-")
