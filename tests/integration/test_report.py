"""``qualitykit report`` and the page the gate writes at its end, on real repositories."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import TYPE_CHECKING

from tests.integration.report_fixtures import (
    HOSTILE,
    gate_result,
    mutation_result,
    write_state,
)
from tests.integration.triage_fixtures import make_red

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import Repo

PAGE = ".qualitykit/report/index.html"
HISTORY = ".qualitykit/history.jsonl"


def _page(repo: Repo) -> str:
    return (repo.root / PAGE).read_text(encoding="utf-8")


def _embedded(page: str) -> dict[str, list[list[object]]]:
    """The JSON the page's script reads (``JSON.parse`` of the element's text)."""
    pattern = r'<script type="application/json" id="qk-data">(.*?)</script>'
    found = re.search(pattern, page, re.DOTALL)
    assert found is not None
    data: dict[str, list[list[object]]] = json.loads(found.group(1))
    return data


class _Text(HTMLParser):
    """The text of every element outside script and style, as a browser would show it."""

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.parts: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, _attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self.skip += 1
            self.scripts += tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def test_gate_writes_the_page_and_a_history_line(repo: Repo) -> None:
    """The gate's own run: steps table, duration chart, one history line per run."""
    repo.write("src/pkg/core.py", "import os\n" + (repo.root / "src/pkg/core.py").read_text())
    done = repo.gate("--steps", "ruff-lint,ruff-format")
    assert done.returncode == 1, done.stderr
    page = _page(repo)
    assert '<table id="steps">' in page
    assert '<svg class="chart"' in page
    assert "src/pkg/core.py" in page
    assert "F401" in page
    assert "report not written" not in done.stderr
    repo.gate("--steps", "ruff-lint,ruff-format")
    lines = (repo.root / HISTORY).read_text().splitlines()
    assert len(lines) == 2
    entry = json.loads(lines[-1])
    assert entry["ok"] is False
    assert entry["findings"]["ruff-lint"] == repo.summary()["ruff-lint"]["counts"]["findings"] > 0


def test_same_inputs_same_bytes(repo: Repo) -> None:
    """No clock and no unordered collection reaches the page: two renders are identical."""
    write_state(repo.root, gate_result(40, files=7), mutation_result(30))
    assert repo.qualitykit("report").returncode == 0
    first = (repo.root / PAGE).read_bytes()
    assert repo.qualitykit("report").returncode == 0
    assert (repo.root / PAGE).read_bytes() == first


def test_missing_sections_say_how_to_produce_them(repo: Repo) -> None:
    """A fresh project: every section names the command that fills it, none crashes."""
    done = repo.qualitykit("report")
    assert done.returncode == 0, done.stderr
    page = _page(repo)
    for command in (
        "qualitykit gate",
        "qualitykit check coverage",
        "qualitykit mutation run",
        "qualitykit triage",
        "qualitykit report --base origin/main",
    ):
        assert f"run <code>{command}</code> to produce it" in page, command


def test_tool_strings_are_text_never_markup(repo: Repo) -> None:
    """A finding message holding ``</script>`` can neither close the data element nor run."""
    many = 400  # past the rows drawn in HTML: the rest travel in the embedded JSON
    write_state(repo.root, gate_result(many, files=3, message=HOSTILE), None)
    assert repo.qualitykit("report").returncode == 0
    page = _page(repo)
    parser = _Text()
    parser.feed(page)
    assert parser.scripts == 2  # the JSON data and our script: nothing injected
    assert HOSTILE in "".join(parser.parts)
    rows = _embedded(page)["findings"]
    assert len(rows) == many - 300
    assert {row[5] for row in rows} == {HOSTILE}


def test_findings_link_to_the_forge_without_credentials(repo: Repo) -> None:
    """GitHub and GitLab origins give blob links at HEAD, another forge none; a token in the
    URL never reaches the page."""
    repo.git("add", "-A")
    repo.git("commit", "-qm", "init")
    repo.git("remote", "add", "origin", "https://bot:s3cr3t@github.com/owner/name.git")
    head = repo.git("rev-parse", "HEAD").strip()
    write_state(repo.root, gate_result(3, files=1), None)
    assert repo.qualitykit("report").returncode == 0
    page = _page(repo)
    assert f'href="https://github.com/owner/name/blob/{head}/src/pkg/module_000.py#L1"' in page
    assert "s3cr3t" not in page
    repo.git("remote", "set-url", "origin", "git@gitlab.example.org:group/sub/name.git")
    assert repo.qualitykit("report").returncode == 0
    gitlab = f"https://gitlab.example.org/group/sub/name/-/blob/{head}/src/pkg/module_000.py#L2"
    assert f'href="{gitlab}"' in _page(repo)
    repo.git("remote", "set-url", "origin", "https://git.example.org/name.git")
    assert repo.qualitykit("report").returncode == 0
    findings = _page(repo).split('id="findings"')[1].split("</div>")[0]
    assert "src/pkg/module_000.py:1" in findings
    assert "href=" not in findings


def test_new_findings_are_marked_against_the_base(repo: Repo) -> None:
    """A finding on a line changed since ``--base`` is marked new; an old line's is not."""
    repo.write("src/pkg/module_000.py", "a = 1\nb = 2\n")
    repo.git("add", "-A")
    repo.git("commit", "-qm", "base")
    repo.write("src/pkg/module_000.py", "a = 1\nb = 3\n")
    gate = gate_result(2, files=1)
    write_state(repo.root, gate, None)
    done = repo.qualitykit("report", "--base", "HEAD")
    assert done.returncode == 0, done.stderr
    page = _page(repo)
    assert '<span class="new">new</span> 1 on lines changed since <code>HEAD</code>' in page
    unknown = repo.qualitykit("report", "--base", "no-such-ref")
    assert unknown.returncode == 2
    assert unknown.stderr.count("\n") == 1
    assert "no-such-ref" in unknown.stderr


def test_history_is_capped_and_a_corrupt_line_is_a_note(repo: Repo) -> None:
    """200 lines at most, the newest kept; a broken line is skipped with a note, not a crash."""
    entry = {
        "recorded": "2026-01-01T00:00:00Z",
        "ok": True,
        "duration_s": 1.0,
        "findings": {"ruff-lint": 0},
        "seconds": {"ruff-lint": 0.5},
    }
    lines = [json.dumps(entry)] * 204 + ["{not json", '{"recorded": 1}']
    (repo.root / ".qualitykit").mkdir()
    (repo.root / HISTORY).write_text("\n".join(lines) + "\n")
    done = repo.gate("--steps", "ruff-lint")
    assert done.returncode == 0, done.stderr
    kept = (repo.root / HISTORY).read_text().splitlines()
    assert len(kept) == 200
    assert kept[-3:-1] == ["{not json", '{"recorded": 1}']
    assert json.loads(kept[-1])["recorded"] != "2026-01-01T00:00:00Z"
    page = _page(repo)
    assert "history.jsonl line 198 skipped" in page
    assert "history.jsonl line 199 skipped" in page
    assert "The last 198 gate runs" in page


def test_a_broken_record_is_exit_2_naming_it(repo: Repo) -> None:
    """A truncated summary.json: one line naming the file, exit 2, no page written."""
    (repo.root / ".qualitykit").mkdir()
    (repo.root / ".qualitykit/summary.json").write_text('{"steps": [')
    done = repo.qualitykit("report")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "summary.json" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (repo.root / PAGE).exists()


def test_a_report_failure_never_changes_the_gate_verdict(repo: Repo) -> None:
    """A directory where the page goes: one stderr line, the gate's exit code stands (0 and 1)."""
    (repo.root / PAGE).mkdir(parents=True)
    passed = repo.gate("--steps", "ruff-lint")
    assert passed.returncode == 0, passed.stderr
    assert "qualitykit: report not written:" in passed.stderr
    assert "Traceback" not in passed.stderr
    repo.write("src/pkg/core.py", "import os\n" + (repo.root / "src/pkg/core.py").read_text())
    failed = repo.gate("--steps", "ruff-lint")
    assert failed.returncode == 1
    assert failed.stderr.count("qualitykit: report not written:") == 1


def test_ten_thousand_findings_stay_small(repo: Repo, tmp_path: Path) -> None:
    """10,000 findings and 5,000 mutants: the page stays under 2 MB; the overflow is JSON."""
    write_state(repo.root, gate_result(10_000, files=500), mutation_result(5_000, survive_every=2))
    repo.git("remote", "add", "origin", "git@github.com:owner/name.git")
    repo.git("add", "-A")
    repo.git("commit", "-qm", "init")
    assert repo.qualitykit("report").returncode == 0
    size = (repo.root / PAGE).stat().st_size
    assert size <= 2_000_000, size
    data = _embedded(_page(repo))
    assert len(data["findings"]) == 10_000 - 300
    assert len(data["survivors"]) == 2_500 - 40
    assert tmp_path.exists()


def test_triage_clusters_with_traceback_and_repro(repo: Repo) -> None:
    """A real triage bundle: its clusters, each with the representative's traceback and the
    repro command, as text."""
    make_red(repo)
    triaged = repo.qualitykit("triage", timeout=120)
    assert triaged.returncode == 1, triaged.stderr
    assert repo.qualitykit("report").returncode == 0
    page = _page(repo)
    (bundle,) = (repo.root / "reports").iterdir()
    assert f"Latest bundle <code>reports/{bundle.name}</code>: 3 clusters." in page
    assert page.count('<details class="cluster"') == 3
    assert "ValueError: cannot parse" in page
    assert "Repro: <code>" in page
    assert "&gt;       raise ValueError(f&#34;cannot parse {text!r}" in page


def test_coverage_groups_and_uncovered_changed_lines(repo: Repo) -> None:
    """A real coverage run: the total against the floor, and the changed lines no test ran."""
    repo.configure("\n[tool.qualitykit.coverage]\nfloor = 10\n")
    repo.git("add", "-A")
    repo.git("commit", "-qm", "base")
    repo.write(
        "src/pkg/core.py",
        (repo.root / "src/pkg/core.py").read_text()
        + '\n\ndef triple(value: int) -> int:\n    """Thrice."""\n    return value * 3\n',
    )
    measured = repo.gate("--steps", "coverage", timeout=300)
    # Red only because the fixture has no ratchet baseline; the figures are measured.
    assert "ratchet-missing" in measured.stderr, measured.stderr
    done = repo.qualitykit("report", "--base", "HEAD")
    assert done.returncode == 0, done.stderr
    page = _page(repo)
    assert '<table id="coverage-groups">' in page
    assert "Total 88.89% (floor 10.0%)" in page
    diff = page.split('<table id="diff-coverage">')[1].split("</table>")[0]
    assert "src/pkg/core.py" in diff
    assert "<td>11</td>" in diff  # `return value * 3`: the one changed line no test runs


def test_a_configured_base_that_does_not_resolve_is_a_note(repo: Repo) -> None:
    """The policy's base missing in this clone (a shallow CI checkout): a note, never exit 2."""
    repo.configure('[tool.qualitykit.policy]\nbase = "origin/gone"\n')
    write_state(repo.root, gate_result(2, files=1), None)
    done = repo.qualitykit("report")
    assert done.returncode == 0, done.stderr
    assert "nothing marked new: unknown base &#39;origin/gone&#39;" in _page(repo)
