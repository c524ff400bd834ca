"""``qualitykit triage``'s env.json: the variables that change a run, never a secret."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.conftest import Repo


def test_env_json_never_copies_secrets(repo: Repo) -> None:
    """env.json records what changes a run, never a token: bundles are passed around."""
    done = repo.qualitykit(
        "triage",
        env={
            "CI": "true",
            "PYTHONHASHSEED": "0",
            "CI_JOB_TOKEN": "s3cret-job",
            "PYTHON_KEYRING_PASSWORD": "s3cret-keyring",
        },
    )
    assert done.returncode == 0, done.stderr
    (bundle,) = (repo.root / "reports").iterdir()
    env = json.loads((bundle / "env.json").read_text(encoding="utf-8"))["env"]
    assert env["CI"] == "true"
    assert env["PYTHONHASHSEED"] == "0"
    assert "s3cret" not in (bundle / "env.json").read_text(encoding="utf-8")
