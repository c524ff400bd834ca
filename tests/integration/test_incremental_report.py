"""A partial run's reports: the stored ones with only the files that can differ analysed again.

Each case measures a real project with coverage.py, writes both reports in full from the
same data, and compares them with the patched ones: equal, but for the time they were made.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING, Any

from integration.test_incremental import xml_elements

if TYPE_CHECKING:
    from pathlib import Path

A = """\
def double(value):
    if value < 0:
        return 0
    return 2 * value


def unused():
    return 1
"""
B = """\
def half(value):
    return value / 2


def never(value):
    if value:
        return 1
    return 2
"""
MAIN = "import a\nimport b\n\na.double(3)\nb.half(4)\n"
RC = "[run]\nbranch = true\nrelative_files = true\n"


def _measure(root: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "coverage", "run", "--rcfile=.coveragerc", "main.py"],
        cwd=root,
        check=True,
        capture_output=True,
    )


PATCH = """\
import json, sys
from pathlib import Path
from qualitykit.incremental.report import patch
stored = Path(sys.argv[1]), Path(sys.argv[2])
print(json.dumps(patch(".coveragerc", (Path("coverage.json"), Path("coverage.xml")), stored,
      set(sys.argv[3:]))))
"""


def _patch(root: Path, stored: tuple[Path, Path], *redo: str) -> bool:
    """``report.patch`` where the step runs it: in the project (coverage.py names from there)."""
    done = subprocess.run(
        [sys.executable, "-c", PATCH, str(stored[0]), str(stored[1]), *redo],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    )
    return bool(json.loads(done.stdout))


def _full(root: Path, name: str) -> tuple[Path, Path]:
    """Both reports of the data in full, by coverage.py's own command line."""
    made = root / f"{name}.json", root / f"{name}.xml"
    for kind, path in zip(("json", "xml"), made, strict=True):
        subprocess.run(
            [sys.executable, "-m", "coverage", kind, "--rcfile=.coveragerc", "-o", str(path)],
            cwd=root,
            check=True,
            capture_output=True,
        )
    return made


def _json(path: Path) -> dict[str, Any]:
    document = json.loads(path.read_text(encoding="utf-8"))
    del document["meta"]["timestamp"]
    return document


def _stored(tmp_path: Path, main: str = MAIN) -> tuple[Path, tuple[Path, Path]]:
    """The project measured with ``main``, and its reports in full (the stored ones)."""
    root = tmp_path / "project"
    root.mkdir()
    for name, text in {"a.py": A, "b.py": B, "main.py": main, ".coveragerc": RC}.items():
        (root / name).write_text(text, encoding="utf-8")
    _measure(root)
    return root, _full(root, "stored")


def _reports(root: Path) -> tuple[Path, Path]:
    return root / "coverage.json", root / "coverage.xml"


def test_a_changed_file_is_analysed_again_and_the_totals_summed_again(
    tmp_path: Path,
) -> None:
    """main.py changed and now runs more of b.py: their entries and the totals are redone."""
    root, stored = _stored(tmp_path)
    (root / "main.py").write_text(MAIN + "b.never(1)\n", encoding="utf-8")
    _measure(root)
    expected = _full(root, "expected")
    reports = _reports(root)
    assert _patch(root, stored, "b.py", "main.py")
    assert _json(reports[0]) == _json(expected[0])
    assert xml_elements(reports[1]) == xml_elements(expected[1])
    assert _json(reports[0])["totals"] != _json(stored[0])["totals"]


def test_nothing_to_analyse_again_keeps_the_stored_figures(
    tmp_path: Path,
) -> None:
    """Same data: the stored reports, dated now."""
    root, stored = _stored(tmp_path)
    reports = _reports(root)
    assert _patch(root, stored)
    assert _json(reports[0]) == _json(stored[0])
    assert xml_elements(reports[1]) == xml_elements(stored[1])


def test_what_cannot_be_patched_is_left_to_a_full_report(
    tmp_path: Path,
) -> None:
    """A file new to the report, or no stored reports: False, nothing written."""
    root, stored = _stored(tmp_path, "import a\n\na.double(3)\n")
    (root / "main.py").write_text(MAIN, encoding="utf-8")
    _measure(root)
    reports = _reports(root)
    assert not _patch(root, stored, "b.py")
    shutil.rmtree(root / "gone", ignore_errors=True)
    missing = root / "gone" / "stored.json", root / "gone" / "stored.xml"
    assert not _patch(root, missing, "a.py")
    assert not reports[0].exists()
    assert not reports[1].exists()


def test_a_changed_data_file_is_no_reason_for_a_full_report(tmp_path: Path) -> None:
    """Fixed: a changed file no report lists (a data file a test read) made every patch fail.

    The step hands over every changed file; one that is not measured is in neither report.
    Refused, the reports were written in full: on this repository 3.5 s of a 10 s edit.
    """
    root, stored = _stored(tmp_path)
    (root / "main.py").write_text(MAIN + "b.never(1)\n", encoding="utf-8")
    _measure(root)
    expected = _full(root, "expected")
    reports = _reports(root)
    assert _patch(root, stored, "b.py", "main.py", "data/sizes.txt")
    assert _json(reports[0]) == _json(expected[0])
    assert xml_elements(reports[1]) == xml_elements(expected[1])
