"""qualitykit's pre-commit hooks, installed in a fixture repository and run by git itself.

The hook configuration is qualitykit's own .pre-commit-config.yaml with one change: its
entries call the tools through this test run's virtualenv instead of ``uv run --frozen``.
The fixture has no uv project or uv.lock of its own, so ``uv run --frozen`` would have to
create and sync an environment for it (a download). Local ``language: system`` hooks need no
network: pre-commit installs nothing for them.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from e2e.fixture_repo import CORE, MAKEFILE, VENV_BIN, VENV_PYTHON, Run

if TYPE_CHECKING:
    from e2e.fixture_repo import FixtureRepo

PROJECT_HOOKS = Path(__file__).resolve().parents[2] / ".pre-commit-config.yaml"
UV_RUN = "uv run --frozen "
FORMAT_HOOK = "ruff format --check (staged files)"
LINT_HOOK = "ruff check --no-fix (staged files)"

# Formatted, but ruff's C408 (dict() where a literal reads better).
LINT_ERROR_CORE = CORE.replace(
    "    return value * 2\n",
    '    doubled = dict(value=value * 2)\n    return doubled["value"]\n',
)
# Lint-clean, but the formatter would put spaces around the operator.
FORMAT_ERROR_CORE = CORE.replace("value * 2", "value*2")
CLEAN_EDIT_CORE = CORE.replace("Twice ``value``.", "``value`` doubled.")


def fixture_hooks() -> str:
    """The project's hook configuration with entries pointed at this virtualenv."""
    config: dict[str, Any] = yaml.safe_load(PROJECT_HOOKS.read_text(encoding="utf-8"))
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    for hook in hooks:
        entry: str = hook["entry"]
        if entry.startswith(UV_RUN):
            tool, _, args = entry.removeprefix(UV_RUN).partition(" ")
            hook["entry"] = f"{shlex.quote(str(VENV_BIN / tool))} {args}"
        elif entry == "make quality":
            hook["entry"] = f"make quality PYTHON={shlex.quote(VENV_PYTHON)}"
        else:
            pytest.fail(f"hook {hook['id']}: unexpected entry {entry!r}; teach this test about it")
        assert hook["language"] == "system", hook
    names = {hook["name"] for hook in hooks}
    assert {FORMAT_HOOK, LINT_HOOK} <= names, names
    header = (
        "# qualitykit's hooks with the tools of the test's virtualenv instead of\n"
        "# `uv run --frozen`: this fixture has no uv project or lock of its own.\n"
    )
    return header + yaml.safe_dump(config, sort_keys=False)


@pytest.fixture
def hooked(project: FixtureRepo) -> FixtureRepo:
    """The fixture with the hooks committed and installed for commit and push."""
    project.write(".pre-commit-config.yaml", fixture_hooks())
    project.git("add", ".pre-commit-config.yaml")
    project.git("commit", "-q", "--no-verify", "-m", "hooks")
    install = project.run(
        str(VENV_BIN / "pre-commit"),
        "install",
        "--hook-type",
        "pre-commit",
        "--hook-type",
        "pre-push",
    )
    assert install.returncode == 0, install.explain()
    for hook_type in ("pre-commit", "pre-push"):
        assert (project.root / ".git" / "hooks" / hook_type).is_file(), hook_type
    return project


def head(repo: FixtureRepo) -> str:
    return repo.git("rev-parse", "HEAD").strip()


def hook_verdict(run: Run, name: str) -> str | None:
    """pre-commit's verdict for one hook (``Passed``, ``Failed``, ``Skipped``), if it ran."""
    pattern = re.compile(rf"^{re.escape(name)}\.+(?:\(.*\))?(Passed|Failed|Skipped)$")
    for line in run.lines():
        match = pattern.match(line)
        if match:
            return match[1]
    return None


def commit(repo: FixtureRepo, name: str, text: str) -> Run:
    repo.write(name, text)
    repo.git("add", name)
    return repo.run("git", "commit", "-m", f"edit {name}")


@pytest.mark.parametrize(
    ("text", "failing", "passing", "message"),
    [
        pytest.param(LINT_ERROR_CORE, LINT_HOOK, FORMAT_HOOK, "C408", id="lint-error"),
        pytest.param(FORMAT_ERROR_CORE, FORMAT_HOOK, LINT_HOOK, "src/pkg/core.py", id="format"),
    ],
)
def test_commit_with_a_problem_is_rejected(
    hooked: FixtureRepo, text: str, failing: str, passing: str, message: str
) -> None:
    before = head(hooked)

    run = commit(hooked, "src/pkg/core.py", text)

    assert run.returncode != 0, run.explain()
    assert hook_verdict(run, failing) == "Failed", run.explain()
    assert hook_verdict(run, passing) == "Passed", run.explain()
    assert message in run.output, run.explain()
    assert head(hooked) == before
    assert hooked.git("status", "--porcelain") == "M  src/pkg/core.py\n"


def test_clean_commit_is_accepted(hooked: FixtureRepo) -> None:
    before = head(hooked)

    run = commit(hooked, "src/pkg/core.py", CLEAN_EDIT_CORE)

    assert run.returncode == 0, run.explain()
    assert hook_verdict(run, FORMAT_HOOK) == "Passed", run.explain()
    assert hook_verdict(run, LINT_HOOK) == "Passed", run.explain()
    assert hooked.git("rev-parse", "HEAD~1").strip() == before
    assert hooked.git("show", "HEAD:src/pkg/core.py") == CLEAN_EDIT_CORE


def test_push_runs_the_gate(hooked: FixtureRepo, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    hooked.git("init", "-q", "--bare", str(remote))
    hooked.git("remote", "add", "origin", str(remote))
    # Lint-clean and formatted, so the commit hooks accept it; only the regression test fails.
    assert commit(hooked, "src/pkg/core.py", CORE.replace("* 2", "* 3")).returncode == 0

    rejected = hooked.run("git", "push", "-q", "origin", "main")

    assert rejected.returncode != 0, rejected.explain()
    assert hook_verdict(rejected, "make quality (the full gate)") == "Failed", rejected.explain()
    # coverage runs the same tests, and the badge needs coverage: both go red with regression.
    assert "gate failed: regression, coverage, badge" in rejected.lines(), rejected.explain()
    assert hooked.git("ls-remote", "origin") == ""

    assert commit(hooked, "src/pkg/core.py", CORE).returncode == 0
    accepted = hooked.run("git", "push", "-q", "origin", "main")

    assert accepted.returncode == 0, accepted.explain()
    assert hook_verdict(accepted, "make quality (the full gate)") == "Passed", accepted.explain()
    assert hooked.git("ls-remote", "origin", "refs/heads/main").split()[0] == head(hooked)


POLICY_HOOK = "qualitykit policy (staged files)"


def test_commit_that_weakens_the_gate_is_rejected_by_the_policy_hook(hooked: FixtureRepo) -> None:
    """The commit stage runs the policy on the staged files only, through pre-commit itself."""
    before = head(hooked)
    makefile = MAKEFILE.replace(
        "\t$(PYTHON) -m qualitykit gate\n", "\t$(PYTHON) -m qualitykit gate || true\n"
    )

    run = commit(hooked, "Makefile", makefile)

    assert run.returncode != 0, run.explain()
    assert hook_verdict(run, POLICY_HOOK) == "Failed", run.explain()
    assert "Makefile:10: QK-INT-010" in run.output, run.explain()
    assert head(hooked) == before


def test_policy_hook_passes_a_clean_commit(hooked: FixtureRepo) -> None:
    run = commit(hooked, "src/pkg/core.py", CLEAN_EDIT_CORE)

    assert run.returncode == 0, run.explain()
    assert hook_verdict(run, POLICY_HOOK) == "Passed", run.explain()


COMMIT_MSG_HOOK = "qualitykit policy commit-msg (Conventional Commits)"


def test_commit_msg_hook_rejects_a_message_that_is_no_conventional_commit(
    hooked: FixtureRepo,
) -> None:
    """git runs the commit-msg hook with its message file, which pre-commit passes on."""
    install = hooked.run(str(VENV_BIN / "pre-commit"), "install", "--hook-type", "commit-msg")
    assert install.returncode == 0, install.explain()
    hooked.write("src/pkg/core.py", CLEAN_EDIT_CORE)
    hooked.git("add", "src/pkg/core.py")
    before = head(hooked)

    rejected = hooked.run("git", "commit", "-m", "edited the core")
    accepted = hooked.run("git", "commit", "-m", "docs(core): say what the function returns")

    assert rejected.returncode != 0, rejected.explain()
    assert hook_verdict(rejected, COMMIT_MSG_HOOK) == "Failed", rejected.explain()
    assert "QK-GIT-001 no `type:` or `type(scope):` prefix: `edited the core`" in rejected.output
    assert accepted.returncode == 0, accepted.explain()
    assert hook_verdict(accepted, COMMIT_MSG_HOOK) == "Passed", accepted.explain()
    assert hooked.git("rev-parse", "HEAD~1").strip() == before
