"""Duplicate test doubles (QK-DUP-001) on real git repositories: by name, by structure, the
same fixture twice; one finding per group at its first location listing every location; green
when shared; green with a reasoned allow; quiet on what pytest collects, overridden fixtures,
same-named helpers that differ, tiny one-liners and non-test code."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from integration.policy_cases import Case, line_of, with_allow, write_repo
from qualitykit.policy.config import parse_policy
from qualitykit.policy.engine import run_policy
from qualitykit.policy.project import PolicyProject

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Repo
    from qualitykit.policy.findings import PolicyReport

CLOCK_A = "class FakeClock:\n    def now(self) -> float:\n        return 0.0\n"
CLOCK_B = (
    "class FakeClock:\n    def __init__(self) -> None:\n        self.t = 1.0\n\n"
    "    def now(self) -> float:\n        return self.t\n"
)
USES_CLOCK = "from conftest import FakeClock\n\n\ndef test_it() -> None:\n    assert FakeClock()\n"
WRITE_CONFIG = (
    "def make_config(root):\n    path = root / 'a.toml'\n    path.write_text('x = 1')\n"
    "    return path\n"
)
WRITE_SETTINGS = (
    'def write_settings(base):\n    """Another name, the same code."""\n'
    "    target = base / 'b.toml'\n    target.write_text('y = 2')\n    return target\n"
)
FIXTURE = (
    "import pytest\n\n\n@pytest.fixture\ndef clock():\n    value = [0.0]\n"
    "    value.append(1.0)\n    return value\n"
)
TEST = "def test_{0}() -> None:\n    assert True\n"
PYTEST_FILES = (
    '[tool.pytest.ini_options]\ntestpaths = ["testing"]\n'
    'python_files = ["test_*.py", "testing/python/*.py"]\n'
)

COMMAND = (
    "from pip import Command\n\n\nclass SimpleCommand(Command):\n"
    "    def add_options(self) -> None:\n        self.cmd_opts.add_option({option})\n\n"
    "    def run(self, options, args) -> int:\n        return 0\n"
)
WRAP = "import re\n\n\ndef wrap_escape(s):\n    return '^' + re.escape(s) + '$'\n"

CASES: tuple[Case, ...] = (
    Case(
        "QK-DUP-001",
        {"tests/test_a.py": "import os\n\n\n" + CLOCK_A, "tests/test_b.py": CLOCK_B},
        {"tests/conftest.py": CLOCK_B, "tests/test_a.py": USES_CLOCK},
        "tests/test_a.py",
        "class FakeClock",
        name="QK-DUP-001-by-name",
    ),
    Case(
        "QK-DUP-001",
        {"tests/test_a.py": WRITE_CONFIG, "tests/unit/test_b.py": WRITE_SETTINGS},
        {"tests/helpers.py": WRITE_CONFIG, "tests/test_a.py": TEST.format("a")},
        "tests/test_a.py",
        "def make_config",
        name="QK-DUP-001-by-structure",
    ),
    Case(
        "QK-DUP-001",
        {"tests/a/conftest.py": FIXTURE, "tests/b/conftest.py": FIXTURE},
        {"tests/conftest.py": FIXTURE, "tests/a/test_a.py": TEST.format("a")},
        "tests/a/conftest.py",
        "def clock",
        name="QK-DUP-001-same-fixture",
    ),
    Case(
        "QK-DUP-001",
        # toolz: one-line helpers copied module to module, argument names changed.
        {
            "tests/test_a.py": "def inc(x):\n    return x + 1\n",
            "tests/test_b.py": "def inc(i):\n    return i + 1\n",
        },
        {"tests/helpers.py": "def inc(x):\n    return x + 1\n"},
        "tests/test_a.py",
        "def inc",
        name="QK-DUP-001-same-name-same-code",
    ),
    Case(
        "QK-DUP-001",
        # pip: the same stand-in for `Command`, its options differing module to module.
        {
            "tests/test_a.py": COMMAND.format(option="no_binary()"),
            "tests/test_b.py": COMMAND.format(option="refresh_package()"),
        },
        {"tests/conftest.py": COMMAND.format(option="no_binary()")},
        "tests/test_a.py",
        "class SimpleCommand",
        name="QK-DUP-001-same-interface",
    ),
    Case(
        "QK-DUP-001",
        # A helper module the tests import is where the double belongs: its copy counts.
        {
            "tests/helpers.py": CLOCK_B,
            "tests/test_a.py": "from tests.helpers import now\n\n\n" + CLOCK_A,
        },
        {"tests/helpers.py": CLOCK_B, "tests/test_a.py": USES_CLOCK},
        "tests/helpers.py",
        "class FakeClock",
        name="QK-DUP-001-imported-helper",
    ),
    Case(
        "QK-DUP-001",
        # pytest: `python_files = ["test_*.py", "testing/python/*.py"]` (a path pattern).
        {
            "pyproject.toml": PYTEST_FILES,
            "testing/python/raises.py": WRAP,
            "testing/python/raises_group.py": WRAP,
        },
        {"pyproject.toml": PYTEST_FILES, "testing/python/raises.py": WRAP},
        "testing/python/raises.py",
        "def wrap_escape",
        name="QK-DUP-001-python-files-path-pattern",
    ),
)

OTHER_CLOCK = "class Clock:\n    def now(self) -> float:\n        return 0.0\n"
CLEAN: dict[str, dict[str, str]] = {
    "tests-with-the-same-body": {
        "tests/test_a.py": TEST.format("same") + "\n\nclass TestX:\n    pass\n",
        "tests/test_b.py": TEST.format("same") + "\n\nclass TestX:\n    pass\n",
    },
    "fixture-overridden-with-another-body": {
        "tests/conftest.py": FIXTURE,
        "tests/unit/conftest.py": FIXTURE.replace("append(1.0)", "extend([2.0, 3.0])"),
    },
    "hooks-and-xunit-functions": {
        "tests/conftest.py": "def pytest_configure(config):\n    config.a = 1\n",
        "tests/unit/conftest.py": "def pytest_configure(config):\n    config.b = 2\n",
        "tests/test_a.py": "def setup_module():\n    print('a')\n",
        "tests/test_b.py": "def setup_module():\n    print('b')\n",
    },
    "same-name-helpers-writing-different-settings": {
        "tests/test_a.py": "def _configure(repo):\n    repo.configure('gate = [\"coverage\"]')\n",
        "tests/test_b.py": "def _configure(repo):\n    repo.configure('ratchet = false')\n",
    },
    "tiny-one-liners-with-other-names": {
        "tests/test_a.py": "def one():\n    return 1\n",
        "tests/test_b.py": "def two():\n    return 2\n",
    },
    "attribute-names-differ": {
        "tests/test_a.py": WRITE_CONFIG,
        "tests/test_b.py": WRITE_SETTINGS.replace("write_text", "read_text"),
    },
    "not-test-code": {"src/pkg/a.py": CLOCK_A, "src/pkg/b.py": CLOCK_A},
    "outside-testpaths": {
        "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n',
        "tests/test_a.py": CLOCK_A,
        "examples/test_b.py": CLOCK_A,
    },
    "package-named-by-testpaths": {
        "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["pkg"]\n',
        "pkg/a.py": CLOCK_A,
        "pkg/b.py": CLOCK_A,
    },
    "sample-inputs-in-a-test-directory": {
        # black: formatter inputs under tests/data/, never imported by a test.
        "tests/data/cases/a.py": CLOCK_A,
        "tests/data/cases/b.py": CLOCK_A,
        "tests/test_format.py": "import black\n\n\n" + TEST.format("format"),
    },
    "norecursedirs": {
        # pytest: its example scripts are data for its own tests.
        "pyproject.toml": '[tool.pytest.ini_options]\nnorecursedirs = ["tests/examples", ".*"]\n',
        "tests/examples/a/conftest.py": FIXTURE,
        "tests/examples/b/conftest.py": FIXTURE,
    },
    "same-name-sample-classes-with-other-fields": {
        # attrs: a sample class `C` per module, no methods, other fields.
        "tests/test_a.py": "import attr\n\n\n@attr.s\nclass C:\n    x = attr.ib()\n",
        "tests/test_b.py": "import attr\n\n\n@attr.s\nclass C:\n    y = attr.ib(default=1)\n",
    },
    "same-name-same-fields-other-decorators": {
        "tests/test_a.py": "import attr\n\n\n@attr.s(frozen=True)\nclass F:\n    x = attr.ib()\n",
        "tests/test_b.py": (
            "import attr\n\n\n@attr.s(frozen=True, slots=True)\nclass F:\n    x = attr.ib()\n"
        ),
    },
    "excluded": {
        "pyproject.toml": (
            '[tool.qualitykit.policy.rules.QK-DUP-001]\nexclude = ["tests/legacy/"]\n'
        ),
        "tests/test_a.py": CLOCK_A,
        "tests/legacy/test_b.py": CLOCK_B,
    },
}


def scan(root: Path, *, only: tuple[str, ...] = ()) -> PolicyReport:
    """The policy with the repository's own ``[tool.qualitykit.policy]``, as the CLI reads it."""
    project = PolicyProject.load(root, only=only)
    config = parse_policy(project.table("tool", "qualitykit", "policy"))
    return run_policy(project, config)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_duplicate_is_red_naming_rule_file_and_line(tmp_path: Path, case: Case) -> None:
    write_repo(tmp_path, case.red)
    line = line_of(case.red[case.file], case.marker)

    report = scan(tmp_path)

    assert [(f.rule, f.file, f.line) for f in report.findings] == [(case.rule, case.file, line)]
    for name in case.red:
        if name.endswith(".py"):
            assert name in report.findings[0].message
    assert "conftest.py" in report.findings[0].fix


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_shared_version_is_green(tmp_path: Path, case: Case) -> None:
    write_repo(tmp_path, case.green)

    assert scan(tmp_path).findings == ()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_reasoned_allow_is_green(tmp_path: Path, case: Case) -> None:
    line = line_of(case.red[case.file], case.marker)
    write_repo(tmp_path, {**case.red, case.file: with_allow(case.red[case.file], line, case.rule)})

    assert scan(tmp_path).findings == ()


@pytest.mark.parametrize("shape", list(CLEAN))
def test_what_is_no_double_is_green(tmp_path: Path, shape: str) -> None:
    write_repo(tmp_path, CLEAN[shape])

    assert scan(tmp_path).findings == ()


def test_one_finding_per_group_listing_every_location(tmp_path: Path) -> None:
    """Seven copies are one finding with seven places, not seven findings."""
    copies = {f"tests/test_{n}.py": "\n" * n + CLOCK_A for n in range(7)}
    write_repo(tmp_path, copies)

    report = scan(tmp_path)

    assert len(report.findings) == 1
    places = ", ".join(f"tests/test_{n}.py:{n + 1}" for n in range(7))
    assert report.findings[0].message == (
        f"class `FakeClock` is defined 7 times in tests: {places}"
    )


def test_staged_file_gets_the_finding_at_its_own_copy(tmp_path: Path) -> None:
    """At the commit stage only the staged files are in scope: the finding moves to the
    staged copy rather than being dropped for lying in a file the commit does not touch."""
    write_repo(tmp_path, {"tests/test_a.py": CLOCK_A, "tests/test_b.py": "\n" + CLOCK_B})

    report = scan(tmp_path, only=("tests/test_b.py",))

    assert [(f.file, f.line) for f in report.findings] == [("tests/test_b.py", 2)]


def test_min_statements_sets_the_structure_threshold(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            "pyproject.toml": "[tool.qualitykit.policy.rules.QK-DUP-001]\nmin-statements = 10\n",
            "tests/test_a.py": WRITE_CONFIG,
            "tests/test_b.py": WRITE_SETTINGS,
        },
    )
    assert scan(tmp_path).findings == ()

    (tmp_path / "pyproject.toml").write_text(
        "[tool.qualitykit.policy.rules.QK-DUP-001]\nmin-statements = 1\n", encoding="utf-8"
    )
    (tmp_path / "tests/test_c.py").write_text("def one():\n    return 1\n", encoding="utf-8")
    (tmp_path / "tests/test_d.py").write_text("def two():\n    return 2\n", encoding="utf-8")

    assert len(scan(tmp_path).findings) == 2


def test_bad_option_is_one_line_and_exit_2(repo: Repo) -> None:
    repo.configure("[tool.qualitykit.policy.rules.QK-DUP-001]\nmin-statements = 0\n")

    done = repo.qualitykit("policy")

    assert done.returncode == 2, done.stdout
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "rules.QK-DUP-001.min-statements" in done.stderr
