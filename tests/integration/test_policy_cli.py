"""``qualitykit policy`` and the ``policy`` gate step, run as the user runs them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from qualitykit.policy.findings import PolicyReport

if TYPE_CHECKING:
    from conftest import Repo

SWALLOWING_MAKEFILE = (
    "SHELL := bash\n.SHELLFLAGS := -eu -o pipefail -c\n\n.PHONY: test\n\ntest:\n\tpytest || true\n"
)
PIPING_WORKFLOW = (
    "name: ci\non: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n"
    "      - run: pytest | tee log\n"
)


def commit_all(repo: Repo, message: str) -> None:
    repo.git("add", "-A")
    repo.git("commit", "-qm", message)


def test_clean_project_passes(repo: Repo) -> None:
    done = repo.qualitykit("policy")

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("no findings")
    assert "policy: 6 files" in done.stdout


def test_violation_fails_naming_file_line_rule_and_fix(repo: Repo) -> None:
    repo.write("Makefile", SWALLOWING_MAKEFILE)

    done = repo.qualitykit("policy")

    assert done.returncode == 1, done.stdout + done.stderr
    assert (
        "Makefile:7: QK-INT-010 `|| true` swallows the exit code: `pytest || true`" in done.stdout
    )
    assert "fix: remove `|| true`" in done.stdout


def test_json_report(repo: Repo) -> None:
    repo.write("Makefile", SWALLOWING_MAKEFILE)

    done = repo.qualitykit("policy", "--json")

    report = PolicyReport.from_json(done.stdout)
    assert [(f.rule, f.file, f.line) for f in report.findings] == [("QK-INT-010", "Makefile", 7)]
    assert report.files == 7
    assert "QK-INT-010" in report.rules


def test_given_files_limit_the_check_to_them(repo: Repo) -> None:
    """The pre-commit hook passes the staged files: findings elsewhere are not theirs."""
    repo.write("Makefile", SWALLOWING_MAKEFILE)
    repo.write(".github/workflows/ci.yml", PIPING_WORKFLOW)

    only_workflow = repo.qualitykit("policy", "--json", ".github/workflows/ci.yml")
    only_module = repo.qualitykit("policy", "src/pkg/core.py")

    report = PolicyReport.from_json(only_workflow.stdout)
    assert [(f.rule, f.file) for f in report.findings] == [
        ("QK-INT-033", ".github/workflows/ci.yml")
    ]
    assert report.files == 1
    assert only_module.returncode == 0, only_module.stdout
    assert "policy: 1 files" in only_module.stdout


def test_no_project_file_checked_is_an_error(repo: Repo) -> None:
    repo.write("build/out.txt", "generated\n")
    repo.write(".gitignore", ".qualitykit/\n__pycache__/\nbuild/\n")

    done = repo.qualitykit("policy", "build/out.txt")

    assert done.returncode == 2
    assert done.stderr.strip() == (
        "qualitykit: error: policy checked 0 files: none of the given files is a project file"
    )


def test_bad_configuration_is_one_line_and_exit_2(repo: Repo) -> None:
    repo.configure('[tool.qualitykit.policy]\ndisable = ["QK-INT-01O"]\n')

    done = repo.qualitykit("policy")

    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "disable: unknown rule or family 'QK-INT-01O'" in done.stderr


def test_configuration_disables_a_rule_and_excludes_files(repo: Repo) -> None:
    repo.write("Makefile", SWALLOWING_MAKEFILE)
    repo.write(".github/workflows/ci.yml", PIPING_WORKFLOW)
    repo.configure(
        '[tool.qualitykit.policy]\ndisable = ["QK-INT-010"]\n\n'
        '[tool.qualitykit.policy.rules.QK-INT-033]\nexclude = [".github/"]\n'
    )

    done = repo.qualitykit("policy")

    assert done.returncode == 0, done.stdout


def test_unknown_base_is_one_line_and_exit_2(repo: Repo) -> None:
    commit_all(repo, "base")

    done = repo.qualitykit("policy", "--base", "no-such-ref")

    assert done.returncode == 2
    assert done.stderr.strip() == (
        "qualitykit: error: unknown base 'no-such-ref': no merge-base with HEAD"
    )


def test_base_lowered_coverage_floor_is_red(repo: Repo) -> None:
    repo.configure("[tool.qualitykit.coverage]\nfloor = 90\n")
    commit_all(repo, "base")
    repo.git("switch", "-qc", "feature")
    repo.configure("[tool.qualitykit.coverage]\nfloor = 85\n")
    commit_all(repo, "lower the floor")

    done = repo.qualitykit("policy", "--base", "main")

    assert done.returncode == 1, done.stdout + done.stderr
    assert "QK-INT-063 [tool.qualitykit.coverage] floor: 90 → 85" in done.stdout


def test_base_added_type_ignore_is_red(repo: Repo) -> None:
    commit_all(repo, "base")
    repo.git("switch", "-qc", "feature")
    core = (repo.root / "src/pkg/core.py").read_text(encoding="utf-8")
    repo.write(
        "src/pkg/core.py", core.replace("value * 2", "str(value)  # type: ignore[return-value]")
    )

    done = repo.qualitykit("policy", "--base", "main")

    assert done.returncode == 1, done.stdout + done.stderr
    assert (
        "src/pkg/core.py:6: QK-INT-071 `# type: ignore` in src/pkg/core.py: 0 → 1 since main"
        in done.stdout
    )


def test_base_removed_pre_commit_hook_is_red(repo: Repo) -> None:
    hooks = (
        "repos:\n  - repo: local\n    hooks:\n"
        "      - id: ruff\n        name: ruff\n        entry: ruff\n        language: system\n"
        "      - id: mypy\n        name: mypy\n        entry: mypy\n        language: system\n"
        "        stages: [pre-push]\n"
    )
    repo.write(".pre-commit-config.yaml", hooks)
    commit_all(repo, "base")
    repo.git("switch", "-qc", "feature")
    repo.write(".pre-commit-config.yaml", hooks.split("      - id: mypy", maxsplit=1)[0])
    commit_all(repo, "drop the mypy hook")

    done = repo.qualitykit("policy", "--base", "main")

    assert done.returncode == 1, done.stdout + done.stderr
    assert (
        ".pre-commit-config.yaml:1: QK-INT-062 pre-commit hook 'mypy' removed "
        "(was in stages ['pre-push'])" in done.stdout
    )


def test_gate_step_fails_with_typed_findings(repo: Repo) -> None:
    repo.write("Makefile", SWALLOWING_MAKEFILE)

    done = repo.qualitykit("check", "policy", "--json")

    assert done.returncode == 1, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "fail"
    assert result["counts"]["files"] == 7
    (finding,) = result["findings"]
    assert (finding["code"], finding["file"], finding["line"]) == ("QK-INT-010", "Makefile", 7)
    assert "fix: remove `|| true`" in finding["message"]


def test_gate_step_passes_clean_project_and_counts_files(repo: Repo) -> None:
    done = repo.qualitykit("check", "policy", "--json")

    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "pass"
    assert result["counts"]["files"] == 6


def test_gate_step_with_a_configured_base_is_never_reused(repo: Repo) -> None:
    """What a ref points at is not file content: against a base, the step reruns every time."""
    repo.configure('[tool.qualitykit.policy]\nbase = "main"\n')
    commit_all(repo, "base")
    first = repo.qualitykit("check", "policy", "--json")

    again = repo.qualitykit("check", "policy", "--json")

    assert first.returncode == again.returncode == 0, again.stdout + again.stderr
    assert json.loads(again.stdout)["cached"] is False
    assert json.loads(repo.qualitykit("check", "policy", "--json").stdout)["cached"] is False


def test_gate_step_without_a_base_reuses_its_pass(repo: Repo) -> None:
    repo.qualitykit("check", "policy")

    again = repo.qualitykit("check", "policy", "--json")

    assert json.loads(again.stdout)["cached"] is True
