"""Command-line cases of the malformed-input suite: corrupt state, bad usage, odd repositories.

Each case is a project directory, an argv and what must come out: exit 2 with one stderr line
holding every fragment, or exit 0 where the bad file is only a cache (the command reruns).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from integration.malformed_cases import config_cases, pyproject

DRIVER = Path(__file__).with_name("cli_fork.py")

QUICK = {"gate": ["quick"], "commands": {"quick": {"command": ["true"], "inputs": ["*.py"]}}}
COMMANDS: tuple[tuple[str, ...], ...] = (
    ("gate",),
    ("gate", "--no-cache"),
    ("check", "quick"),
    ("summary",),
    ("steps",),
)


@dataclass(frozen=True)
class CliCase:
    """One run of the command line and what it must do."""

    name: str
    cwd: Path
    argv: tuple[str, ...]
    code: int = 2
    fragments: tuple[str, ...] = ()
    summary_written: bool = field(default=False)  # exit 0: summary.json must be whole JSON


def environment() -> dict[str, str]:
    """The environment of every run: no CI job summary, so the fast path may apply."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env.pop("CI", None)
    return env


def run_forked(cases: list[CliCase], scratch: Path) -> list[dict[str, Any]]:
    """Each case in its own forked process running ``qualitykit.cli.main`` (see cli_fork)."""
    scratch.mkdir(parents=True, exist_ok=True)
    spec = [{"cwd": str(case.cwd), "argv": list(case.argv)} for case in cases]
    (scratch / "cases.json").write_text(json.dumps(spec), encoding="utf-8")
    subprocess.run(
        [sys.executable, str(DRIVER), str(scratch / "cases.json"), str(scratch / "results.json")],
        env=environment(),
        check=True,
        timeout=900,
    )
    results: list[dict[str, Any]] = json.loads((scratch / "results.json").read_text("utf-8"))
    return results


def run_fresh(case: CliCase) -> dict[str, Any]:
    """The case through a fresh ``python -m qualitykit`` process."""
    done = subprocess.run(
        [sys.executable, "-m", "qualitykit", *case.argv],
        cwd=case.cwd,
        env=environment(),
        capture_output=True,
        text=True,
        errors="replace",
        check=False,
        timeout=300,
    )
    return {"code": done.returncode, "stdout": done.stdout, "stderr": done.stderr}


def _line_problem(case: CliCase, stderr: str) -> str | None:
    lines = stderr.strip().splitlines()
    if len(lines) != 1 or not lines[0].startswith("qualitykit: error: "):
        return f"not one error line: {stderr[-400:]!r}"
    missing = [fragment for fragment in case.fragments if fragment not in lines[0]]
    return f"{missing} not named in: {lines[0][:300]}" if missing else None


def problem(case: CliCase, result: dict[str, Any]) -> str | None:
    """What is wrong with ``result`` for ``case``; None when it is right."""
    stderr: str = result["stderr"]
    if "Traceback" in stderr or "Traceback" in result["stdout"]:
        return f"traceback: {stderr[-400:]}"
    if result["code"] != case.code:
        return f"exit {result['code']}, expected {case.code}: {stderr[-300:]}"
    leftovers = [str(path) for path in case.cwd.rglob("*.tmp")] if case.cwd != Path("/") else []
    if leftovers:
        return f"half-written files left: {leftovers}"
    if case.code == 2:
        return _line_problem(case, stderr)
    if case.summary_written:
        summary = case.cwd / ".qualitykit" / "summary.json"
        if not json.loads(summary.read_text(encoding="utf-8"))["steps"]:
            return "summary.json lists no step"
    return None


def _project(directory: Path, text: str | bytes) -> Path:
    directory.mkdir(parents=True)
    data = text.encode("utf-8") if isinstance(text, str) else text
    (directory / "pyproject.toml").write_bytes(data)
    (directory / "a.py").write_text("x = 1\n", encoding="utf-8")
    return directory


def config_cli_cases(base: Path) -> list[CliCase]:
    """Every catalogued bad configuration, under a rotating command."""
    cases: list[CliCase] = []
    for index, (name, data, fragment) in enumerate(config_cases()):
        cwd = _project(base / f"config-{index}", pyproject(data))
        argv = COMMANDS[index % len(COMMANDS)]
        cases.append(CliCase(f"config {name} {argv}", cwd, argv, 2, ("pyproject.toml", fragment)))
    return cases


ODD_PYPROJECTS: dict[str, bytes] = {
    "binary": b"\x00\xff\xfe\x89PNG",
    "not UTF-8": '[tool.qualitykit]\nsource = ["caf\xe9"]\n'.encode("latin-1"),
    "UTF-8 BOM": b"\xef\xbb\xbf[tool.qualitykit]\n",
    "invalid TOML": b"[tool.qualitykit\nsource = \n",
    "NUL in TOML": b'[tool.qualitykit]\nsource = ["a\x00"]\n',
    "qualitykit a string": b'[tool]\nqualitykit = "on"\n',
    "qualitykit an int": b"[tool]\nqualitykit = 1\n",
    "qualitykit an array": b"[tool]\nqualitykit = [1]\n",
    "qualitykit an array of tables": b"[[tool.qualitykit]]\njobs = 1\n",
    "tool an int": b"tool = 1\n",
    "tool an array": b'tool = ["qualitykit"]\n',
    "nested too deep": b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n",
    "empty gate": b"[tool.qualitykit]\ngate = []\n",
}


def odd_repo_cases(base: Path) -> list[CliCase]:
    """Projects whose pyproject.toml, uv.lock or root cannot be used."""
    cases: list[CliCase] = []
    for index, (name, data) in enumerate(ODD_PYPROJECTS.items()):
        for turn in range(2):
            argv = COMMANDS[(index + turn) % len(COMMANDS)]
            cwd = _project(base / f"odd-{index}-{turn}", data)
            cases.append(CliCase(f"pyproject {name} {argv}", cwd, argv, 2, ("pyproject.toml",)))
    for turn, argv in enumerate(COMMANDS):
        cwd = base / f"odd-dir-{turn}"
        (cwd / "pyproject.toml").mkdir(parents=True)
        cases.append(CliCase(f"pyproject a directory {argv}", cwd, argv, 2, ("pyproject.toml",)))
    lock_cases = {"binary": b"\xff\x00", "invalid": b"[[package\n", "a directory": None}
    for name, lock in lock_cases.items():
        cwd = _project(base / f"lock-{name}", pyproject({"gate": ["ruff-lint"]}))
        if lock is None:
            (cwd / "uv.lock").mkdir()
        else:
            (cwd / "uv.lock").write_bytes(lock)
        cases.append(CliCase(f"uv.lock {name}", cwd, ("check", "ruff-lint"), 2, ("uv.lock",)))
    cases.append(CliCase("no pyproject up to /", Path("/"), ("steps",), 2, ("filesystem root",)))
    return cases


STATE_FILES = (
    "summary.json",
    "summary.md",
    "gate.sarif",
    "gate-fastpath.json",
    "results/quick.json",
    "logs/quick.log",
)
CORRUPTIONS: dict[str, bytes | None] = {
    "binary": b"\x00\xff\xfe\x01",
    "not UTF-8": b'{"step": "caf\xe9"}',
    "truncated": b'{"steps": [{"step": "qu',
    "another schema": b'{"unexpected": 1}',
    "a JSON list": b"[1, 2]",
    "empty": b"",
    "nested too deep": b"[" * 100_000,
    "a directory": None,
    "parent a file": None,
}


def _corrupt(state: Path, name: str, corruption: str) -> str:
    """Apply ``corruption`` to ``state/name``; return what the error must name."""
    path = state / name
    if corruption == "a directory":
        path.unlink()
        path.mkdir()
        return path.name
    if corruption == "parent a file":
        shutil.rmtree(path.parent)
        path.parent.write_bytes(b"in the way\n")
        return path.parent.name
    data = CORRUPTIONS[corruption]
    assert data is not None
    path.write_bytes(data)
    return path.name


def _expected_code(name: str, corruption: str, argv: tuple[str, ...]) -> int:
    blocked = corruption in {"a directory", "parent a file"}
    state_itself = corruption == "parent a file" and "/" not in name  # .qualitykit is a file
    if argv == ("summary",):
        return 2 if name.startswith("results/") or state_itself else 0
    if argv == ("gate",):  # the replay reads the record and writes summary.json, gate.sarif
        replay_blocked = name in {"summary.json", "gate.sarif", "gate-fastpath.json"} and blocked
        return 2 if replay_blocked or state_itself else 0
    return 2 if blocked else 0


def state_cases(template: Path, base: Path) -> list[CliCase]:
    """Every state file x every corruption x every command that reads or writes state."""
    cases: list[CliCase] = []
    for name in STATE_FILES:
        for corruption in CORRUPTIONS:
            for argv in COMMANDS[:4]:
                cwd = base / f"state-{len(cases)}"
                shutil.copytree(template, cwd, symlinks=True)
                named = _corrupt(cwd / ".qualitykit", name, corruption)
                code = _expected_code(name, corruption, argv)
                cases.append(
                    CliCase(
                        f"{name} {corruption} {argv}",
                        cwd,
                        argv,
                        code,
                        (named,),
                        summary_written=code == 0 and argv[0] == "gate",
                    )
                )
    return cases


def template_project(base: Path) -> Path:
    """A project with the state of one passing gate run (the corrupt-state cases copy it)."""
    template = _project(base / "template", pyproject(QUICK))
    result = run_forked([CliCase("template", template, ("gate",), 0)], base / "template-run")
    assert result[0]["code"] == 0, result[0]
    return template


USAGE: tuple[tuple[tuple[str, ...], str], ...] = (
    ((), "COMMAND"),
    (("nope",), "nope"),
    (("a\nb",), "invalid choice"),
    (("steps", "--root", "a\nb"), "--root"),
    (("--nope", "steps"), "--nope"),
    (("gate", "--nope"), "--nope"),
    (("gate", "--jobs"), "--jobs"),
    (("gate", "--jobs", "x"), "--jobs"),
    (("gate", "--jobs", "0"), "--jobs"),
    (("gate", "--jobs", "-3"), "--jobs"),
    (("gate", "--steps", "nope"), "nope"),
    (("gate", "--steps", "quick,nope"), "nope"),
    (("gate", "--root"), "--root"),
    (("check",), "step"),
    (("check", "nope"), "nope"),
    (("check", "quick", "extra"), "extra"),
    (("summary", "--nope"), "--nope"),
    (("steps", "extra"), "extra"),
    (("coverage",), "ACTION"),
    (("coverage", "nope"), "nope"),
    (("coverage", "ratchet"), "--update"),
    (("coverage", "diff"), "--base"),
    (("coverage", "diff", "--base", "HEAD", "--fail-under", "abc"), "--fail-under"),
    (("mutation",), "ACTION"),
    (("mutation", "nope"), "nope"),
    (("mutation", "merge"), "sessions"),
    (("mutation", "report", "--format", "pdf"), "--format"),
    (("mutation", "run", "--workers", "x"), "--workers"),
    (("mutation", "run", "--base", "main"), "--changed"),
)
ROOTED: tuple[tuple[str, ...], ...] = (
    ("gate",),
    ("check", "quick"),
    ("summary",),
    ("steps",),
    ("coverage", "ratchet", "--update"),
    ("coverage", "diff", "--base", "HEAD"),
    ("coverage", "badge"),
    ("mutation", "run"),
    ("mutation", "merge", "s.sqlite"),
    ("mutation", "report"),
)


def usage_cases(base: Path) -> list[CliCase]:
    """Argument errors, and every command's ``--root`` missing or a file."""
    project = _project(base / "usage", pyproject(QUICK))
    cases = [CliCase(f"usage {argv}", project, argv, 2, (frag,)) for argv, frag in USAGE]
    (base / "a-file").write_text("not a directory\n", encoding="utf-8")
    for argv in ROOTED:
        for where in ("missing", "missing/deeper", "a-file"):
            root = str(base / where)
            cases.append(
                CliCase(f"--root {where} {argv}", project, (*argv, "--root", root), 2, ("--root",))
            )
    return cases
