"""QK-MOCK-001 on real git repositories: each directory's mode (`ban`, `boundary`, `autospec`),
the most specific pattern winning, the allowlist with reasons and expiry dates."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import pytest

from integration.policy_cases import line_of, where, with_allow
from integration.policy_mocks_cases import scan
from qualitykit.policy.config import PolicyTableError, parse_policy
from qualitykit.steps.policy import holds_date

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Repo

RULE = "QK-MOCK-001"
TABLE = f"[tool.qualitykit.policy.rules.{RULE}]\n"
BAN = TABLE + 'dirs = { "tests/**" = "ban" }\n'
BOUNDARY = TABLE + 'dirs = { "tests/**" = "boundary" }\nboundary = ["requests.get", "time.time"]\n'
AUTOSPEC = TABLE + 'dirs = { "tests/**" = "autospec" }\n'
TEST = "tests/test_x.py"

BANNED = [
    ("from unittest.mock import patch\n", None),
    ("import mock\n", None),
    ("from pytest_mock import MockerFixture\n", None),
    ("from unittest import mock as m\n", None),
    ("import unittest.mock\n", None),
    ("def test_env(monkeypatch):\n    monkeypatch.setenv('A', '1')\n", "def test_env"),
    ("import pytest\n\n\n@pytest.fixture\ndef clock(mocker):\n    return mocker\n", "def clock"),
    ("class TestX:\n    def test_m(self, monkeypatch):\n        pass\n", "def test_m"),
    (
        (
            "import pytest\n\n\ndef test_c():\n    with pytest.MonkeyPatch.context() as mp:\n"
            "        mp.setenv('A', '1')\n"
        ),
        "MonkeyPatch",
    ),
    (
        (
            "import unittest\n\n\ndef test_p():\n    with unittest.mock.patch('os.getcwd'):\n"
            "        pass\n"
        ),
        "unittest.mock.patch",
    ),
]


@pytest.mark.parametrize(("code", "marker"), BANNED)
def test_ban_mode_reports_each_mock_use(tmp_path: Path, code: str, marker: str | None) -> None:
    report = scan(tmp_path, BAN, {TEST: code})

    assert where(report) == {(RULE, TEST, line_of(code, marker))}, report.findings
    assert '(`tests/**` = "ban")' in report.findings[0].message


@pytest.mark.parametrize(("code", "marker"), BANNED[:1] + BANNED[5:6])
def test_ban_mode_reasoned_inline_allow_is_green(
    tmp_path: Path, code: str, marker: str | None
) -> None:
    allowed = with_allow(code, line_of(code, marker), RULE)

    assert scan(tmp_path, BAN, {TEST: allowed}).findings == ()


def test_ban_mode_green_without_mocks_and_outside_its_directories(tmp_path: Path) -> None:
    """A string that reads like an import is no import; code outside `dirs` is not checked."""
    files = {
        TEST: 'CODE = "from unittest.mock import patch"\n\n\ndef test_s():\n    assert CODE\n',
        "src/pkg/helpers.py": "from unittest import mock\n",
    }

    assert scan(tmp_path, BAN, files).findings == ()


def test_the_most_specific_pattern_decides_the_mode(tmp_path: Path) -> None:
    """Listed first or last, `tests/integration/**` beats `tests/**`; `off` exempts a tree."""
    config = TABLE + (
        'dirs = { "tests/integration/**" = "boundary", "tests/**" = "ban", "tests/e2e/**" = "off" }'
        '\nboundary = ["time.time"]\n'
    )
    code = (
        "import time\n\n\ndef test_t(monkeypatch):\n"
        "    monkeypatch.setattr(time, 'time', lambda: 0.0)\n"
    )
    files = {"tests/integration/test_i.py": code, "tests/unit/test_u.py": code}
    files["tests/e2e/test_e.py"] = code

    report = scan(tmp_path, config, files)

    assert where(report) == {(RULE, "tests/unit/test_u.py", 4)}, report.findings


BOUNDARY_GREEN = [
    (
        "import time as clock\n\n\ndef test_t(monkeypatch):\n"
        "    monkeypatch.setattr(clock, 'time', lambda: 0.0)\n"
    ),
    "from unittest.mock import patch\n\n\n@patch('requests.get')\ndef test_g(get):\n    pass\n",
    "def test_w(mocker):\n    mocker.patch('pkg.client.requests.get')\n",
    (
        "import requests\nfrom unittest import mock\n\n\ndef test_o():\n"
        "    with mock.patch.object(requests, 'get', autospec=True):\n        pass\n"
    ),
]


@pytest.mark.parametrize("code", BOUNDARY_GREEN)
def test_boundary_mode_allows_the_configured_targets(tmp_path: Path, code: str) -> None:
    assert scan(tmp_path, BOUNDARY, {TEST: code}).findings == ()


BOUNDARY_RED = [
    (
        "import requests\n\n\ndef test_p(mocker):\n    mocker.patch.object(requests, 'post')\n",
        "mocker.patch",
        "requests.post",
    ),
    ("def test_e(monkeypatch):\n    monkeypatch.setenv('HOME', '/x')\n", "setenv", "os.environ"),
    (
        "def test_s(monkeypatch):\n    monkeypatch.setattr('pkg.core.fetch', None)\n",
        "setattr",
        "pkg.core.fetch",
    ),
    (
        (
            "from unittest.mock import patch\n\nTARGET = 'time.time'\n\n\ndef test_v():\n"
            "    with patch(TARGET):\n        pass\n"
        ),
        "with patch",
        "TARGET",
    ),
]


@pytest.mark.parametrize(("code", "marker", "target"), BOUNDARY_RED)
def test_boundary_mode_reports_other_targets(
    tmp_path: Path, code: str, marker: str, target: str
) -> None:
    report = scan(tmp_path, BOUNDARY, {TEST: code})

    assert where(report) == {(RULE, TEST, line_of(code, marker))}, report.findings
    expected = f"patches `{target}`, not a boundary (requests.get, time.time)"
    assert expected in report.findings[0].message


AUTOSPEC_GREEN = [
    (
        "from unittest.mock import patch\nfrom pkg import core\n\n\ndef test_a():\n"
        "    with patch.object(core, 'fetch', autospec=True):\n        pass\n"
    ),
    "def test_b(mocker):\n    mocker.patch('os.getcwd', autospec=True)\n",
    (
        "from unittest.mock import MagicMock\nfrom pkg.core import fetch\n\n\ndef test_c():\n"
        "    assert MagicMock(spec_set=fetch)\n"
    ),
    "import os\n\n\ndef test_d(mocker):\n    mocker.patch.object(os, 'getcwd', new=lambda: '/')\n",
    "def test_e(monkeypatch):\n    monkeypatch.setenv('HOME', '/x')\n",
]


@pytest.mark.parametrize("code", AUTOSPEC_GREEN)
def test_autospec_mode_accepts_specced_patches(tmp_path: Path, code: str) -> None:
    assert scan(tmp_path, AUTOSPEC, {TEST: code}).findings == ()


AUTOSPEC_RED = [
    (
        "def test_a(mocker):\n    mocker.patch('os.getcwd')\n",
        "mocker.patch",
        "without autospec=True",
    ),
    (
        (
            "from unittest.mock import patch\n\n\n@patch('pkg.core.fetch', autospec=True)\n"
            "def test_b(fetch):\n    pass\n"
        ),
        "@patch",
        "string target `pkg.core.fetch` into the project's own package",
    ),
    (
        (
            "from unittest.mock import MagicMock\n\nDOUBLE = MagicMock()\n\n\ndef test_c():\n"
            "    assert DOUBLE\n"
        ),
        "DOUBLE =",
        "builds a MagicMock without spec",
    ),
    (
        "from pkg import core\n\n\ndef test_d(mocker):\n    mocker.patch.object(core, 'fetch')\n",
        "mocker.patch",
        "patches `pkg.core.fetch` without autospec",
    ),
    (
        "def test_e(monkeypatch):\n    monkeypatch.setattr('pkg.core.fetch', lambda: 2)\n",
        "setattr",
        "string target `pkg.core.fetch`",
    ),
]


@pytest.mark.parametrize(("code", "marker", "message"), AUTOSPEC_RED)
def test_autospec_mode_reports_unspecced_patches(
    tmp_path: Path, code: str, marker: str, message: str
) -> None:
    report = scan(tmp_path, AUTOSPEC, {TEST: code})

    assert where(report) == {(RULE, TEST, line_of(code, marker))}, report.findings
    assert message in report.findings[0].message


def test_a_spec_less_mock_as_replacement_is_one_finding(tmp_path: Path) -> None:
    code = (
        "from unittest.mock import MagicMock, patch\n\n\ndef test_f():\n"
        "    with patch('os.getcwd', MagicMock()):\n        pass\n"
    )

    report = scan(tmp_path, AUTOSPEC, {TEST: code})

    assert [(f.line, "without autospec" in f.message) for f in report.findings] == [(5, True)]


def test_autospec_mode_takes_the_own_packages_from_the_option(tmp_path: Path) -> None:
    config = AUTOSPEC + 'packages = ["app"]\n'
    code = (
        "def test_a(mocker):\n    mocker.patch('pkg.core.fetch', autospec=True)\n"
        "    mocker.patch('app.core.fetch', autospec=True)\n"
    )

    assert where(scan(tmp_path, config, {TEST: code})) == {(RULE, TEST, 3)}


ALLOW = TABLE + (
    'dirs = { "tests/**" = "ban" }\nallow = [\n'
    '  { path = "tests/legacy/**", what = "monkeypatch", reason = "TV-1", expires = 2999-01-31 },\n'
    '  { path = "tests/old.py", reason = "rewritten in TV-2", expires = 2001-01-31 },\n'
    "]\n"
)


def test_allowlist_entry_allows_what_it_names_where_it_says(tmp_path: Path) -> None:
    code = "from unittest import mock\n\n\ndef test_l(monkeypatch):\n    assert mock\n"

    report = scan(tmp_path, ALLOW, {"tests/legacy/test_l.py": code})

    # Only the import: the entry names `monkeypatch`; the expired entry is reported too.
    assert where(report) == {(RULE, "tests/legacy/test_l.py", 1), (RULE, "pyproject.toml", 9)}


def test_expired_allowlist_entry_is_a_finding_and_allows_nothing(tmp_path: Path) -> None:
    """An entry past its date fails at its line in pyproject.toml and no longer allows."""
    report = scan(tmp_path, ALLOW, {"tests/old.py": "import mock\n"})

    assert where(report) == {(RULE, "pyproject.toml", 9), (RULE, "tests/old.py", 1)}
    expired = next(f for f in report.findings if f.file == "pyproject.toml")
    assert "'tests/old.py' expired on 2001-01-31 (rewritten in TV-2)" in expired.message


def test_reasonless_allowlist_entry_is_one_line_and_exit_2(repo: Repo) -> None:
    repo.configure(
        TABLE + 'allow = [{ path = "tests/x.py", reason = " ", expires = 2027-01-31 }]\n'
    )

    done = repo.qualitykit("policy")

    assert done.returncode == 2, done.stdout
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert f"rules.{RULE}.allow[0]: say why this use is allowed" in done.stderr


def test_expired_entry_written_as_an_array_of_tables_is_found_at_its_path(tmp_path: Path) -> None:
    """`[[….allow]]` tables have no `allow` key line: the entry's `path` line is the place."""
    config = (
        TABLE + 'dirs = { "tests/old.py" = "ban" }\n\n'
        f"[[tool.qualitykit.policy.rules.{RULE}.allow]]\n"
        'path = "tests/old.py"\nreason = "rewritten in TV-2"\nexpires = 2001-01-31\n'
    )

    report = scan(tmp_path, config, {})

    assert where(report) == {(RULE, "pyproject.toml", 9)}, report.findings


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"dirs": {"tests/**": "forbid"}},
            f"rules.{RULE}.dirs: Invalid enum value 'forbid'",
        ),
        (
            {"allow": [{"path": "tests/x.py", "reason": "TV-3"}]},
            f"rules.{RULE}.allow[0]: Object missing required field `expires`",
        ),
        ({"allow": [{"path": "", "reason": "TV-3", "expires": "2027-01-31"}]}, "allow[0].path"),
        ({"boundaries": ["time.time"]}, f"rules.{RULE}.boundaries: unknown key"),
    ],
    ids=["unknown-mode", "no-expiry", "no-path", "unknown-key"],
)
def test_bad_mocks_options_name_the_key(options: dict[str, object], message: str) -> None:
    with pytest.raises(PolicyTableError, match=re.escape(message)):
        parse_policy({"rules": {RULE: options}})


def test_a_configuration_with_an_expiry_date_is_dated() -> None:
    """The gate step never caches a dated verdict (tests/regression/test_policy_dated_cache.py)."""
    entry = {"path": "tests/x.py", "reason": "TV-4", "expires": dt.date(2999, 1, 31)}
    dated = parse_policy({"rules": {RULE: {"allow": [entry]}}})
    undated = parse_policy({"rules": {RULE: {"dirs": {"tests/**": "ban"}}}})

    assert (holds_date(dated.rules), holds_date(undated.rules)) == (True, False)
