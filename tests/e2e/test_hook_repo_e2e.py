"""qualitykit as a pre-commit hook repository: ``.pre-commit-hooks.yaml`` used by another repo.

A project that lists ``repo: <qualitykit's URL>`` gets hooks of ``language: python``:
pre-commit clones qualitykit and pip-installs it (with every tool the gate runs, from PyPI) into
an environment of its own. The hook repository here is a snapshot of this checkout's working
tree (what pip needs to build the package, and the hooks file), committed in tmp, and each test
runs ``pre-commit run`` with a config that names it at its HEAD (what ``pre-commit try-repo``
writes). Both tests share one pre-commit store, as a user's machine does: the hook environment
is installed once (about a minute of pip), not once per test as try-repo's throwaway store
would. The PATH of every run holds only the system's directories: the hooks find their tools
in pre-commit's environment or fail.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from e2e.fixture_repo import (
    ALL_STAGES,
    SYSTEM_PATH,
    VENV_BIN,
    FixtureRepo,
    build_fixture,
    run,
    user_environment,
)

# One xdist worker runs both tests (make test-slow: --dist loadgroup), so they share the store.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("pre-commit-hook-repo")]

PROJECT = Path(__file__).resolve().parents[2]
# Built from pieces so that this file holds no conflict marker itself.
CONFLICT = "\n".join(("text", "<" * 7 + " HEAD", "ours", "=" * 7, "theirs", ">" * 7 + " b", ""))


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository holding this checkout's package, pyproject, README and hooks file."""
    snapshot = tmp_path_factory.mktemp("hook-repo")
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(PROJECT / name, snapshot / name)
    shutil.copytree(
        PROJECT / "tools" / "qualitykit",
        snapshot / "tools" / "qualitykit",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    home = tmp_path_factory.mktemp("hook-home")
    repo = FixtureRepo(root=snapshot, env=user_environment(home, PATH=SYSTEM_PATH))
    repo.git("init", "-q", "-b", "main")
    repo.git("add", "-A")
    repo.git("commit", "-q", "--no-verify", "-m", "snapshot of qualitykit")
    return snapshot


@pytest.fixture(scope="module")
def hook_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pre-commit's store (PRE_COMMIT_HOME) of this module's runs: one hook environment."""
    return tmp_path_factory.mktemp("pre-commit-store")


def run_hook(
    project: FixtureRepo, hook_repo: Path, store: Path, hook: str, *args: str
) -> tuple[int, str]:
    """``pre-commit run <hook> <args>`` in ``project``, the hook from ``hook_repo``'s HEAD.

    The config is try-repo's (the repository by path, its HEAD as rev, the one hook), written
    outside the project, so the project's tree holds nothing but the fixture.
    """
    head = run(["git", "rev-parse", "HEAD"], hook_repo, project.env)
    assert head.returncode == 0, head.explain()
    repos = [{"repo": str(hook_repo), "rev": head.stdout.strip(), "hooks": [{"id": hook}]}]
    config = project.root.parent / "hook-config.yaml"
    config.write_text(json.dumps({"repos": repos}), encoding="utf-8")  # JSON is YAML
    env = {**project.env, "PATH": SYSTEM_PATH, "PRE_COMMIT_HOME": str(store)}
    argv = [str(VENV_BIN / "pre-commit"), "run", "--config", str(config), hook, *args]
    result = run(argv, project.root, env, timeout=900)
    return result.returncode, result.explain()


def test_the_policy_hook_installs_from_the_hook_repo_and_judges_files(
    hook_repo: Path, hook_store: Path, tmp_path: Path
) -> None:
    """pip installs qualitykit into pre-commit's env; of two files, the conflict is reported."""
    project = build_fixture(tmp_path / "project", tmp_path / "home")
    project.write("notes.txt", CONFLICT)
    project.git("add", "notes.txt")
    code, output = run_hook(
        project, hook_repo, hook_store, "qualitykit-policy", "--files", "README.md", "notes.txt"
    )
    assert code == 1, output
    assert "qualitykit policy (staged files)" in output, output
    assert "notes.txt:2: QK-TXT-001" in output, output
    assert "README.md:" not in output, output
    assert "policy: 2 files" in output, output


def test_the_gate_hook_runs_every_default_step_with_the_hook_envs_tools(
    hook_repo: Path, hook_store: Path, tmp_path: Path
) -> None:
    """The pre-push gate hook passes on a clean repository, every step run by the hook's env."""
    project = build_fixture(tmp_path / "project", tmp_path / "home")
    code, output = run_hook(
        project, hook_repo, hook_store, "qualitykit-gate", "--hook-stage", "pre-push"
    )
    assert code == 0, output
    statuses = {name: step["status"] for name, step in project.summary().items()}
    assert statuses == dict.fromkeys(ALL_STAGES, "pass"), output
