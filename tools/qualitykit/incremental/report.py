"""The reports of a partial run: the stored run's, with only the files that can differ redone.

coverage.py analyses every measured file again for each report (it parses each source), which
on a project of some size costs more than rerunning a handful of tests. A file's entry in the
JSON and XML reports depends only on its source and on the union of the lines and arcs all
contexts executed in it. After a partial run that union can differ only where the contexts
replaced (the rerun tests, the imports measured again) measured something else this time, or
where the source changed; every other file's entry is the stored report's.

So coverage.py reports just those files (``morfs``), and their entries replace the stored
ones; the totals are summed again from every file's figures with coverage.py's own
``Numbers``. Anything unexpected (no stored reports, a file that left the report, another
report format) is ``None``: the caller writes both reports in full, as a full run would.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
import time
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any, cast

from coverage import Coverage, CoverageData
from coverage.exceptions import CoverageException
from coverage.numbits import numbits_to_nums
from coverage.results import Numbers

from qualitykit.atomic import write_text_atomic
from qualitykit.incremental.merge import BY_CONTEXT, name_contexts

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

_FORMAT = 3  # coverage.py's JSON report format this patches
_Sets = dict[str, tuple[set[int], set[tuple[int, int]]]]


def _measured(rows: Iterable[tuple[str, bytes | None, int | None, int | None]]) -> _Sets:
    found: _Sets = {}
    for path, numbits, start, end in rows:
        lines, arcs = found.setdefault(path, (set(), set()))
        if numbits is not None:
            lines.update(numbits_to_nums(numbits))
        if start is not None and end is not None:
            arcs.add((start, end))
    return found


_CHOSEN = BY_CONTEXT.format(ids="select id from chosen")
_LINES = (
    "select file.path, numbits, null, null from line_bits join file on file.id ="  # noqa: S608
    f" line_bits.file_id where {_CHOSEN}"
)
_ARCS = (
    "select file.path, null, fromno, tono from arc join file on file.id = arc.file_id"  # noqa: S608
    f" where {_CHOSEN}"
)
_KEPT_LINES = (
    "select numbits from line_bits join file on file.id = line_bits.file_id"
    " where file.path = ? and context_id not in (select id from chosen)"
)
_KEPT_ARCS = (
    "select distinct fromno, tono from arc join file on file.id = arc.file_id"
    " where file.path = ? and context_id not in (select id from chosen)"
)


def _kept(db: sqlite3.Connection, path: str) -> tuple[set[int], set[tuple[int, int]]]:
    """What the contexts not replaced measured in ``path`` (their union: it stays)."""
    union = 0
    for (numbits,) in db.execute(_KEPT_LINES, (path,)):
        union |= int.from_bytes(numbits, "little")  # numbits: bit n of the bytes is line n
    lines = {line for line in range(union.bit_length()) if union >> line & 1}
    return lines, set(db.execute(_KEPT_ARCS, (path,)).fetchall())


def to_redo(stored: Path, fresh: Path, replaced: Iterable[str], changed: Iterable[str]) -> set[str]:
    """The files whose report entries can differ from the stored report's.

    ``fresh``: this run's data (before the merge); ``replaced``: the stored contexts it
    replaces; ``changed``: the files whose source changed. A file's union is the kept
    contexts' plus the replaced ones' before, plus the fresh ones' now: where the replaced
    and the fresh differ, the kept contexts' union decides.
    """
    data = CoverageData(basename=str(fresh))
    data.read()
    # Measured with branches, coverage.py keeps arcs only (its lines derive from them).
    arcs_only = data.has_arcs()
    after: _Sets = {
        path: (set() if arcs_only else set(data.lines(path) or ()), set(data.arcs(path) or ()))
        for path in data.measured_files()
    }
    redo = set(changed)
    empty: tuple[set[int], set[tuple[int, int]]] = (set(), set())
    with contextlib.closing(sqlite3.connect(stored)) as db:
        name_contexts(db, "chosen", replaced)
        before = _measured([*db.execute(_LINES).fetchall(), *db.execute(_ARCS).fetchall()])
        for path in (set(before) | set(after)) - redo:
            (old_lines, old_arcs), (new_lines, new_arcs) = (
                before.get(path, empty),
                after.get(path, empty),
            )
            if (old_lines, old_arcs) == (new_lines, new_arcs):
                continue
            lines, arcs = _kept(db, path)
            if (lines | old_lines, arcs | old_arcs) != (lines | new_lines, arcs | new_arcs):
                redo.add(path)
    return redo


def _numbers(summary: dict[str, Any], precision: int) -> Numbers:
    return Numbers(
        precision=precision,
        n_files=1,
        n_statements=summary["num_statements"],
        n_excluded=summary["excluded_lines"],
        n_missing=summary["missing_lines"],
        n_branches=summary.get("num_branches", 0),
        n_partial_branches=summary.get("num_partial_branches", 0),
        n_missing_branches=summary.get("missing_branches", 0),
    )


def _totals(files: dict[str, Any], precision: int, *, branches: bool) -> dict[str, Any]:
    total = sum((_numbers(entry["summary"], precision) for entry in files.values()), Numbers())
    totals: dict[str, Any] = {
        "covered_lines": total.n_executed,
        "num_statements": total.n_statements,
        "percent_covered": total.pc_covered,
        "percent_covered_display": total.pc_covered_str,
        "missing_lines": total.n_missing,
        "excluded_lines": total.n_excluded,
        "percent_statements_covered": total.pc_statements,
        "percent_statements_covered_display": total.pc_statements_str,
    }
    if branches:
        totals |= {
            "num_branches": total.n_branches,
            "num_partial_branches": total.n_partial_branches,
            "covered_branches": total.n_executed_branches,
            "missing_branches": total.n_missing_branches,
            "percent_branches_covered": total.pc_branches,
            "percent_branches_covered_display": total.pc_branches_str,
        }
    return totals


def _rate(hit: int, num: int) -> str:
    """Cobertura's rate as coverage.py writes it (``xmlreport.rate``)."""
    if num in {0, hit}:
        return "1"
    if hit == 0:
        return "0"
    return f"{min(max(hit / num, 0.0001), 0.9999):.4g}"


def _counts(element: ET.Element) -> tuple[int, int, int, int]:
    """Lines, lines hit, branches, branches taken of a ``class`` (or of many)."""
    lines = hits = branches = taken = 0
    for line in element.iter("line"):
        lines += 1
        hits += line.get("hits", "0") != "0"
        coverage = line.get("condition-coverage")
        if line.get("branch") == "true" and coverage:
            done, _, out_of = coverage.split("(")[1].rstrip(")").partition("/")
            taken, branches = taken + int(done), branches + int(out_of)
    return lines, hits, branches, taken


def _patch_xml(old: ET.Element, new: ET.Element) -> None:
    """Swap in ``new``'s class entries; the package and total figures summed again."""
    fresh = {c.get("filename"): c for c in new.iter("class")}
    for classes in old.iter("classes"):
        for index, element in enumerate(list(classes)):
            replacement = fresh.pop(element.get("filename"), None)
            if replacement is not None:
                classes[index] = replacement
    if fresh:
        raise KeyError(f"not in the stored XML report: {sorted(map(str, fresh))}")
    branches = old.get("branches-valid") is not None
    for package in old.iter("package"):
        lines, hits, count, taken = _counts(package)
        package.set("line-rate", _rate(hits, lines))
        package.set("branch-rate", _rate(taken, count) if branches else "0")
    lines, hits, count, taken = _counts(old)
    old.set("lines-valid", str(lines))
    old.set("lines-covered", str(hits))
    old.set("line-rate", _rate(hits, lines))
    if branches:
        old.set("branches-valid", str(count))
        old.set("branches-covered", str(taken))
        old.set("branch-rate", _rate(taken, count))
    old.set("timestamp", new.get("timestamp", ""))


def _parse_xml(path: Path) -> ET.Element:
    # Written by coverage.py in this project; its comments are kept.
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))  # noqa: S314
    return ET.fromstring(path.read_bytes(), parser=parser)  # noqa: S314


def patch(
    rcfile: str, reports: tuple[Path, Path], stored: tuple[Path, Path], redo: set[str]
) -> bool:
    """Write the JSON and XML ``reports`` from the ``stored`` ones, ``redo`` analysed again.

    False when they cannot be patched (the caller then writes them in full).
    """
    json_path, xml_path = reports
    try:
        old = json.loads(stored[0].read_text(encoding="utf-8"))
        old_xml = _parse_xml(stored[1])
        if old.get("meta", {}).get("format") != _FORMAT:
            return False
        measured = Coverage(config_file=rcfile)
        measured.load()
        part = json_path.with_name(json_path.name + ".part")
        part_xml = xml_path.with_name(xml_path.name + ".part")
        data = measured.get_data()
        redo = {name for name in redo if name in old["files"] or data.lines(name)}
        if not redo <= set(old["files"]):
            return False  # a file new to the report: only a full one places it
        if redo:
            measured.json_report(morfs=sorted(redo), outfile=str(part))
            measured.xml_report(morfs=sorted(redo), outfile=str(part_xml))
            new = cast("dict[str, Any]", json.loads(part.read_text(encoding="utf-8")))
            new_xml = _parse_xml(part_xml)
            part.unlink()
            part_xml.unlink()
            if set(new["files"]) != set(redo):
                return False
        else:
            meta = old["meta"] | {"timestamp": dt.datetime.now().isoformat()}  # noqa: DTZ005 - as coverage.py writes it
            new, new_xml = {"meta": meta, "files": dict[str, Any]()}, ET.Element("coverage")
            new_xml.set("timestamp", str(int(time.time() * 1000)))
        files: dict[str, Any] = {**old["files"], **new["files"]}
        precision = int(measured.config.precision)
        branches = bool(old["meta"].get("branch_coverage"))
        document = {
            "meta": new["meta"],
            "files": files,
            "totals": _totals(files, precision, branches=branches),
        }
        _patch_xml(old_xml, new_xml)
    # qualitykit: allow[QK-EXC-002] not patchable: the caller writes both reports in full
    except (OSError, ValueError, KeyError, TypeError, CoverageException):
        return False
    write_text_atomic(json_path, json.dumps(document))
    xml_text = ET.tostring(old_xml, encoding="unicode", xml_declaration=False)
    write_text_atomic(xml_path, '<?xml version="1.0" ?>\n' + xml_text)
    return True
