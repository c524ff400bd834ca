"""Regression: a policy verdict that depends on the day is never reused from the cache."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Repo

DATED_ALLOWLIST = """\
[tool.qualitykit.policy.rules.QK-MOCK-001]
dirs = { "tests/**" = "ban" }
allow = [{ path = "tests/legacy/**", reason = "rewritten in TV-1", expires = 2999-01-31 }]
"""


def test_a_policy_with_an_expiry_date_is_checked_again_every_run(repo: Repo) -> None:
    """The policy step's cache key is the files' content; a mock allowlist entry expires with
    no file changed. A PASS cached the day before the expiry was reused after it: a stale pass
    of an allowlist that the rule reports as expired (the gate would never see it fail)."""
    repo.configure(DATED_ALLOWLIST)
    first = repo.qualitykit("check", "policy")
    assert first.returncode == 0, first.stdout + first.stderr

    again = repo.qualitykit("check", "policy")

    assert again.returncode == 0, again.stdout + again.stderr
    assert "(cached)" not in again.stderr, again.stderr
