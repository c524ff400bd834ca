"""Fault injection: every way a step can go wrong makes the gate exit 1 and name that step.

Each case builds a real repository (the ``repo`` fixture), injects one fault, runs the real
``qualitykit gate`` and checks three things: the exit code, the step's status in
``.qualitykit/summary.json`` and the final ``gate failed: …`` line. A neighbouring step that is
not at fault must still pass, so the gate names the culprit and only the culprit.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Repo


@dataclass(frozen=True)
class Fault:
    """One injected fault: the gate's steps, files to write, and what the gate must say."""

    step: str
    status: str  # "fail": the tool found problems; "error": the tool itself failed
    gate: tuple[str, ...]
    files: dict[str, str] = field(default_factory=dict[str, str])
    extra_config: str = ""
    says: str = ""  # a fragment of the step's summary (or of a finding)


WORKFLOW_OK = """\
name: ci
on:
  push:
permissions: {}
jobs:
  test:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          persist-credentials: false
      - run: echo ok
"""

BROKEN_TEST = "from pkg import double\n\n\ndef test_broken() -> None:\n    assert double(2) == 5\n"
TYPE_ERROR = '"""Extra."""\n\n\ndef name() -> int:\n    """A name."""\n    return "x"\n'
DIES = "import os\n\n\ndef test_exit() -> None:\n    os._exit(0)\n"

NO_TODO = '["python", "-c", "import sys; sys.exit(\'TODO\' in open(\'NOTES.md\').read())"]'

FAULTS: dict[str, Fault] = {
    "lint error": Fault(
        "ruff-lint",
        "fail",
        ("ruff-lint", "ruff-format"),
        {"src/pkg/extra.py": '"""Extra."""\n\nimport os\n'},
        says="F401",
    ),
    "format diff": Fault(
        "ruff-format",
        "fail",
        ("ruff-format", "ruff-lint"),
        {"src/pkg/extra.py": '"""Extra."""\n\nVALUE = [1,2,3]\n'},
        says="would be reformatted",
    ),
    "mypy error": Fault(
        "mypy",
        "fail",
        ("mypy", "ruff-lint"),
        {"src/pkg/extra.py": TYPE_ERROR},
        says="return-value",
    ),
    "pyright error": Fault(
        "pyright",
        "fail",
        ("pyright", "ruff-lint"),
        {"src/pkg/extra.py": TYPE_ERROR},
        says="reportReturnType",
    ),
    "dead code": Fault(
        "vulture",
        "fail",
        ("vulture", "ruff-lint"),
        {"src/pkg/extra.py": '"""Extra."""\n\n\ndef _never_called() -> int:\n    return 1\n'},
        says="_never_called",
    ),
    "failing regression test": Fault(
        "regression",
        "fail",
        ("regression", "ruff-lint"),
        {"tests/regression/test_more.py": BROKEN_TEST},
        says="test_broken",
    ),
    "test file with 0 tests": Fault(
        "regression",
        "error",
        ("regression", "ruff-lint"),
        {"tests/regression/test_core.py": "VALUE = 1\n"},
        says="no tests collected",
    ),
    "no test file at all": Fault(
        "regression",
        "error",
        ("regression", "ruff-lint"),
        extra_config='regression = ["tests/empty"]',
        files={"tests/empty/README.md": "no tests here\n"},
        says="checked 0 files",
    ),
    "tool missing from the environment": Fault(
        "vanished",
        "error",
        ("vanished", "ruff-lint"),
        extra_config=(
            '[tool.qualitykit.commands.vanished]\ncommand = ["qk-no-such-tool", "--check"]'
        ),
        says="tool not found",
    ),
    "tool crashes on a corrupt config": Fault(
        "ruff-lint",
        "error",
        ("ruff-lint", "vulture"),
        {"ruff.toml": "line-length = [this is not toml\n"},
        says="tool failed",
    ),
    "mypy crashes on a config it cannot use": Fault(
        "mypy",
        "error",
        ("mypy", "ruff-format"),
        {"mypy.ini": "[mypy]\npython_version = 2.7\n"},
        says="tool failed",
    ),
    "killed by a signal": Fault(
        "selfkill",
        "error",
        ("selfkill", "ruff-lint"),
        extra_config=(
            "[tool.qualitykit.commands.selfkill]\n"
            'command = ["python", "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"]'
        ),
        says="killed by SIGKILL",
    ),
    "over its timeout": Fault(
        "sleepy",
        "error",
        ("sleepy", "ruff-lint"),
        extra_config=(
            "[tool.qualitykit.commands.sleepy]\n"
            'command = ["python", "-c", "import time; time.sleep(60)"]\ntimeout = 1'
        ),
        says="timed out after 1s",
    ),
    "unparseable tool output (corrupt JUnit report)": Fault(
        "regression",
        "error",
        ("regression", "ruff-lint"),
        {
            "tests/regression/conftest.py": (
                "import pathlib\n\n\n"
                "def pytest_unconfigure(config):\n"
                "    report = config.option.xmlpath\n"
                "    if report:\n"
                "        pathlib.Path(report).write_text('<testsuites><oops')\n"
            )
        },
        says="does not parse",
    ),
    "test run dies mid-way (no report)": Fault(
        "regression",
        "error",
        ("regression", "ruff-lint"),
        {"tests/regression/test_exit.py": DIES},
        says="wrote no JUnit report",
    ),
    "broken workflow file": Fault(
        "actionlint",
        "fail",
        ("actionlint", "ruff-lint"),
        {".github/workflows/ci.yml": WORKFLOW_OK.replace("echo ok", "echo ${{ nothing.here }}")},
        says="undefined variable",
    ),
    "insecure workflow": Fault(
        "zizmor",
        "fail",
        ("zizmor", "ruff-lint"),
        {
            ".github/workflows/ci.yml": WORKFLOW_OK.replace(
                "        with:\n          persist-credentials: false\n", ""
            )
        },
        says="artipacked",
    ),
    "Makefile that does not parse": Fault(
        "makefile",
        "fail",
        ("makefile", "ruff-lint"),
        {"Makefile": "all:\n    echo spaces, not a tab\n"},
        says="missing separator",
    ),
    "a step that checks 0 files": Fault(
        "ruff-lint",
        "error",
        ("ruff-lint", "ruff-format"),
        extra_config='[tool.qualitykit.steps.ruff-lint]\npaths = ["nothing-here"]',
        says="checked 0 files",
    ),
    "failing generic command": Fault(
        "no-todo",
        "fail",
        ("no-todo", "ruff-lint"),
        {"NOTES.md": "TODO\n"},
        extra_config=(
            f'[tool.qualitykit.commands.no-todo]\ncommand = {NO_TODO}\ninputs = ["NOTES.md"]'
        ),
        says="exit code 1",
    ),
}


def configure(repo: Repo, fault: Fault) -> None:
    gate = "gate = [" + ", ".join(f'"{name}"' for name in fault.gate) + "]"
    top, _, tables = fault.extra_config.partition("[tool.")
    repo.configure(gate + "\n" + top + ("\n[tool." + tables if tables else ""))
    if any(name in {"actionlint", "zizmor"} for name in fault.gate):
        repo.write(".github/workflows/ci.yml", WORKFLOW_OK)
    if "makefile" in fault.gate:
        repo.write("Makefile", "all:\n\t@echo ok\n")
    for name, text in fault.files.items():
        repo.write(name, text)


@pytest.mark.parametrize("kind", list(FAULTS))
def test_fault_makes_the_gate_fail_naming_its_step(repo: Repo, kind: str) -> None:
    fault = FAULTS[kind]
    configure(repo, fault)

    run = repo.gate()

    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines()[-1] == f"gate failed: {fault.step}", run.stderr
    summary = repo.summary()
    assert set(summary) == set(fault.gate)
    assert summary[fault.step]["status"] == fault.status, summary[fault.step]
    said = summary[fault.step]["summary"] + " ".join(
        finding["message"] + " " + (finding["code"] or "")
        for finding in summary[fault.step]["findings"]
    )
    assert fault.says in said, said
    neighbours = {name: summary[name]["status"] for name in fault.gate if name != fault.step}
    assert set(neighbours.values()) == {"pass"}, neighbours


def test_the_suite_covers_at_least_fourteen_kinds() -> None:
    assert len(FAULTS) >= 14
    assert {fault.status for fault in FAULTS.values()} == {"fail", "error"}


def test_a_timed_out_step_leaves_no_process_behind(repo: Repo) -> None:
    pid_file = repo.root / "child.pid"
    repo.configure(
        'gate = ["sleepy"]\n'
        "[tool.qualitykit.commands.sleepy]\n"
        'command = ["python", "-c", "import os, subprocess, time, pathlib; '
        "child = subprocess.Popen(['sleep', '60']); "
        f'pathlib.Path({str(pid_file)!r}).write_text(str(child.pid)); time.sleep(60)"]\n'
        "timeout = 2\n"
    )

    run = repo.gate()

    assert run.returncode == 1, run.stderr
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.kill(child, signal.SIGKILL)
        pytest.fail(f"the grandchild {child} outlived the gate's timeout")


def test_only_the_faulty_steps_are_named_when_several_fail(repo: Repo) -> None:
    repo.configure('gate = ["ruff-lint", "ruff-format", "regression"]')
    repo.write("src/pkg/extra.py", '"""Extra."""\n\nimport os\n')
    repo.write("tests/regression/test_more.py", BROKEN_TEST)

    run = repo.gate()

    assert run.returncode == 1
    assert run.stderr.strip().splitlines()[-1] == "gate failed: ruff-lint, regression"
    assert repo.summary()["ruff-format"]["status"] == "pass"
