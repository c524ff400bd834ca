"""Which tests an edit can reach, from the stored per-test data; else a full run and why.

A change is traced only when the stored data proves who depends on it:

- a Python file whose module-level code is unchanged (only function bodies moved): the tests
  whose contexts executed or read it; a function of it that ran at import time is untraceable;
- a Python file whose module-level code changed: only when nothing but its own tests (a test
  module) executed it;
- a test module: all its tests (new tests are always run: the runner keeps what it never saw);
- any other file: the tests that read it (a test module that read it on import: its tests).

Anything else is a full run with the reason: a conftest.py, a configuration file, the lock,
the interpreter, an environment variable the step reads, pytest's arguments, a new module, a
file read at start-up or by nobody recorded (unless declared irrelevant), or no usable store.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pathspec
from coverage import CoverageData
from coverage.exceptions import CoverageException

from qualitykit.incremental.skeleton import Skeleton, changed_bodies, shifts, skeleton
from qualitykit.incremental.store import COLLECT, Manifest, Plan, data_path, load_manifest

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

# Files whose change every test may depend on, wherever they are.
CONFIGURATION = frozenset(
    {
        "conftest.py",
        "pyproject.toml",
        "setup.cfg",
        "tox.ini",
        "pytest.ini",
        ".pytest.ini",
        ".coveragerc",
        "uv.lock",
        "sitecustomize.py",
        "usercustomize.py",
    }
)
_SHOWN = 3


class FullRun(Exception):  # noqa: N818 - a decision, not an error
    """The reason the run must be a full one."""


def _names(names: Iterable[str]) -> str:
    listed = sorted(names)
    more = f" and {len(listed) - _SHOWN} more" if len(listed) > _SHOWN else ""
    return ", ".join(listed[:_SHOWN]) + more


def _digest(path: Path) -> str | None:
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    # qualitykit: allow[QK-EXC-002] gone (or unreadable): the planner treats it as deleted
    except OSError:
        return None


def skeletons_of(
    root: Path, files: dict[str, str], old: Manifest | None
) -> dict[str, Skeleton | None]:
    """The skeleton of every Python file of ``files`` (carried over where the digest held)."""
    shapes: dict[str, Skeleton | None] = {}
    for name, digest in files.items():
        if not name.endswith(".py"):
            continue
        if old is not None and old.files.get(name) == digest and name in old.skeletons:
            shapes[name] = old.skeletons[name]
        else:
            try:
                shapes[name] = skeleton((root / name).read_bytes())
            # qualitykit: allow[QK-EXC-002] unreadable now: no skeleton, so a change is a full run
            except OSError:
                shapes[name] = None
    return shapes


@dataclass
class _Selection:
    manifest: Manifest
    data: CoverageData
    tests: set[str]  # the test files now
    selected: set[str] = field(default_factory=set[str])
    why: set[str] = field(default_factory=set[str])
    new: set[str] = field(default_factory=set[str])  # new test modules: all their tests run
    # Test modules whose import touched a changed file: imported (measured) again.
    recollect: set[str] = field(default_factory=set[str])
    # Files whose kept tests' lines move: (first, last, delta) per old range (skeleton.shifts).
    shifts: dict[str, tuple[tuple[int, int, int], ...]] = field(
        default_factory=dict[str, tuple[tuple[int, int, int], ...]]
    )
    # Each test module's known tests in the order they last ran (filled when first needed).
    order: dict[str, list[str]] = field(default_factory=dict[str, list[str]])

    def touchers(self, name: str) -> dict[str, set[int]]:
        """Context → lines of ``name`` it executed (lines: empty for a context that read it)."""
        found: dict[str, set[int]] = {}
        for line, contexts in self.data.contexts_by_lineno(name).items():
            for context in contexts:
                found.setdefault(context, set()).add(line)
        for context, read in self.manifest.reads.items():
            if name in read:
                found.setdefault(context, set())
        return found

    def select_context(self, context: str, name: str) -> None:
        if context.startswith(COLLECT):
            self.selected |= self.manifest.tests_in(context.removeprefix(COLLECT))
        elif context in self.manifest.tests:
            self.selected.add(context)
        elif context == "":
            raise FullRun(f"{name} changed and is used at start-up, outside any test")
        else:
            raise FullRun(f"{name} changed and is used by {context!r}, which is no known test")
        self.why.add(name)

    def python_changed(self, name: str, now: Skeleton | None) -> None:
        before = self.manifest.skeletons.get(name)
        touchers = self.touchers(name)
        mine = self.manifest.tests_in(name)
        # The test modules whose import ran lines of the file: imported (measured) again,
        # unless only function bodies changed: then the lines they ran are where the plan's
        # shifts put them (a body they ran is a full run).
        importers = {
            context.removeprefix(COLLECT) for context in touchers if context.startswith(COLLECT)
        }
        own: set[str] = {f"{COLLECT}{name}", *mine} if name in self.tests or mine else set()
        if own and now is not None:  # a deleted test module's tests are gone, not rerun
            self.selected |= mine
        elif not touchers:
            raise FullRun(f"{name} changed and no test is recorded executing or reading it")
        if before is None or now is None or before.digest != now.digest:
            others = set(touchers) - own
            if others:
                raise FullRun(f"module-level code of {name} changed and {_names(others)} use it")
            self.recollect |= importers
            self.why.add(name)
            return
        moved = shifts(before, now)
        changed = changed_bodies(before, now) if moved is not None else []
        if moved is None or not changed:
            # Lines moved outside the bodies (or nothing inside them changed): every test
            # that executed the file reruns, so none of its old lines is kept.
            self.recollect |= importers
            self._select_bodies(name, touchers, before.bodies, name)
            return
        if any(delta for _, _, delta in moved):
            self.shifts[name] = moved
        bodies = [before.bodies[index] for index in changed]
        functions = ", ".join(now.names[index] for index in changed[:_SHOWN])
        more = f" and {len(changed) - _SHOWN} more" if len(changed) > _SHOWN else ""
        self._select_bodies(name, touchers, bodies, f"{name}::{functions}{more}")

    def _select_bodies(
        self,
        name: str,
        touchers: dict[str, set[int]],
        bodies: Sequence[tuple[int, int]],
        why: str,
    ) -> None:
        """Select the tests that executed a line of ``bodies`` (all of them: ``why`` is the file).

        A body executed at import time (or at start-up) is untraceable: a full run. A test
        that read the file (opened it, executing nothing) reruns whatever changed in it; so do
        the tests of a module that read it while being imported.
        """
        whole = why == name
        for context, lines in touchers.items():
            ran = {line for line in lines for start, end in bodies if start <= line <= end}
            if context == "" or context.startswith(COLLECT):
                if ran:
                    where = "start-up" if context == "" else context
                    raise FullRun(f"{name}: a function changed that runs at import ({where})")
                if whole and context == "" and lines:
                    # Start-up's data is kept by a partial run: its lines cannot be placed.
                    raise FullRun(f"{name}: lines moved in a file used at start-up")
                if context and not lines:
                    self.select_context(context, name)
                continue
            if ran or whole or not lines:
                self.select_context(context, why if lines else name)
                if ran and not whole:
                    self._select_earlier(context, touchers, why)
        self.why.add(why)

    def _select_earlier(self, test: str, touchers: dict[str, set[int]], why: str) -> None:
        """Rerun, before ``test``, the earlier tests of its module that ran the changed file.

        What they left in the file's module state (a cache one fills, the next reads) decides
        which lines ``test`` runs: rerun alone, it could run lines the full run never ran.
        """
        if not self.order:
            for known, module in self.manifest.tests.items():  # in the order they last ran
                self.order.setdefault(module, []).append(known)
        for earlier in self.order.get(self.manifest.tests[test], []):
            if earlier == test:
                return
            if touchers.get(earlier):
                self.select_context(earlier, why)

    def other_changed(self, name: str) -> None:
        readers = {context for context, read in self.manifest.reads.items() if name in read}
        self.recollect |= {
            context.removeprefix(COLLECT) for context in readers if context.startswith(COLLECT)
        }
        if not readers:
            raise FullRun(
                f"{name} changed and no test is recorded reading it (declare it in "
                "[tool.qualitykit.incremental] irrelevant if no test depends on it)"
            )
        for context in readers:
            self.select_context(context, name)

    def skipped(self, changed: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """The known test modules left out of the collection, with their tests.

        Importing one would measure the same ``collect:FILE`` lines as stored (its import
        touched no changed file, none of its tests is selected), so its stored data is kept.
        A module none of whose tests is known (pytest's own deselection, ``-m``/``-k``, drops
        them all) is left out with none: it would collect the same, unchanged, again.
        """
        by_file: dict[str, list[str]] = {name: [] for name in self.manifest.modules}
        for test, file in self.manifest.tests.items():
            by_file.setdefault(file, []).append(test)
        wanted = {self.manifest.tests[test] for test in self.selected} | set(changed)
        return {
            file: tuple(tests)  # in the stored order: the order the module runs them
            for file, tests in sorted(by_file.items())
            if file in self.tests and file not in wanted and file not in self.recollect
        }

    def closure(self) -> None:
        """Tests sharing a project fixture broader than a function rerun together."""
        broad = set(self.manifest.broad)
        shared = {name for test in self.selected for name in self.manifest.fixtures.get(test, ())}
        shared &= broad
        if shared:
            self.selected |= {
                test for test, names in self.manifest.fixtures.items() if shared & set(names)
            }


def _open_data(store: Path, manifest: Manifest) -> CoverageData:
    path = data_path(store)
    if not path.is_file():
        raise FullRun("the stored per-test coverage data is missing")
    data = CoverageData(basename=str(path))
    try:
        data.read()
        contexts = data.measured_contexts()
    except (CoverageException, OSError, ValueError) as error:
        raise FullRun(f"the stored per-test coverage data is unreadable ({error})") from None
    if manifest.tests and not (contexts & set(manifest.tests)):
        raise FullRun("the stored coverage data has no per-test contexts")
    return data


@dataclass(frozen=True)
class Inputs:
    """What the planner compares with the store."""

    root: Path
    store: Path
    files: dict[str, str]  # the step's inputs now: name → digest
    tests: set[str]  # the test files now
    environment: dict[str, str]
    irrelevant: tuple[str, ...]


def _changes(inputs: Inputs, manifest: Manifest) -> tuple[dict[str, str], list[str]]:
    """The current digests (inputs + files read last time) and the names that differ."""
    current = dict(inputs.files)
    for name in manifest.files:
        if name not in current:
            digest = _digest(inputs.root / name)
            if digest is not None:
                current[name] = digest
    changed = sorted(
        name
        for name in set(current) | set(manifest.files)
        if current.get(name) != manifest.files.get(name)
    )
    return current, changed


def _decide(
    inputs: Inputs,
    manifest: Manifest,
    current: dict[str, str],
    changed: list[str],
    shapes: dict[str, Skeleton | None],
) -> tuple[_Selection, list[str]]:
    for key in sorted(set(manifest.environment) | set(inputs.environment)):
        if manifest.environment.get(key) != inputs.environment.get(key):
            raise FullRun(f"{key} changed")
    data = _open_data(inputs.store, manifest)
    selection = _Selection(manifest, data, inputs.tests)
    irrelevant = pathspec.GitIgnoreSpec.from_lines(inputs.irrelevant)
    ignored: list[str] = []
    for name in changed:
        base = name.rsplit("/", 1)[-1]
        if base in CONFIGURATION:
            raise FullRun(f"{name} changed (configuration: every test may depend on it)")
        if irrelevant.match_file(name):
            ignored.append(name)
            continue
        added, deleted = name not in manifest.files, name not in current
        if name.endswith(".py"):
            if added and name not in inputs.tests:
                raise FullRun(f"{name} is new: no record of which tests use it")
            if added:
                selection.new.add(name)  # its tests are new: the runner keeps them
                continue
            if deleted and name not in manifest.tests.values():
                raise FullRun(f"{name} was deleted")
            selection.python_changed(name, None if deleted else shapes.get(name))
        elif added:
            raise FullRun(f"{name} is new and not declared irrelevant")
        else:
            selection.other_changed(name)
    selection.closure()
    if selection.why and not selection.selected and not selection.new:
        # The stored data holds lines of the changed files (import time) that only a run
        # measures again; with no test to rerun, that run is the full one.
        raise FullRun(
            f"no test executes the change to {_names(selection.why)}, but the stored "
            "data holds its lines: measured again in full"
        )
    return selection, ignored


def make_plan(inputs: Inputs) -> Plan:
    """Full, partial or reuse, with the reason the step's summary gives."""
    manifest = load_manifest(inputs.store)
    store = str(inputs.store)
    if manifest is None:
        shapes = skeletons_of(inputs.root, inputs.files, None)
        return Plan(
            mode="full",
            reason="full run: no stored per-test data",
            store=store,
            environment=inputs.environment,
            files=inputs.files,
            skeletons=shapes,
        )
    current, changed = _changes(inputs, manifest)
    shapes = skeletons_of(inputs.root, current, manifest)
    try:
        selection, ignored = _decide(inputs, manifest, current, changed, shapes)
    except FullRun as decision:
        return Plan(
            mode="full",
            reason=f"full run: {decision}",
            store=store,
            environment=inputs.environment,
            files=current,
            skeletons=shapes,
        )
    why = selection.why | selection.new
    if why:
        mode, reason = "partial", f"they execute or read {_names(why)}"
    elif ignored:
        mode, reason = "reuse", f"only files declared irrelevant changed ({_names(ignored)})"
    else:
        mode, reason = "reuse", "no measured input changed"
    return Plan(
        mode=mode,
        reason=reason,
        select=tuple(sorted(selection.selected)),
        shifts=selection.shifts,
        skip=selection.skipped(changed) if mode == "partial" else {},
        known=tuple(sorted(manifest.tests)),
        store=store,
        environment=inputs.environment,
        files=current,
        skeletons=shapes,
    )
