"""QK-BAN-001 on real git repositories: every spelling of a banned API is found through the
module's imports, a local name that shadows the import is not, per-path bans stay in their
paths, and the configured message is what the finding says."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from integration.policy_cases import line_of, where, with_allow
from integration.policy_mocks_cases import scan
from qualitykit.policy.config import PolicyTableError, parse_policy

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Repo

RULE = "QK-BAN-001"
TABLE = f"[tool.qualitykit.policy.rules.{RULE}]\n"
CONFIG = TABLE + (
    'apis = { "torch.save" = "use safetensors.torch.save_file", "pickle" = "untrusted input" }\n'
    'paths = { "tests/**" = { "time.sleep" = "use the fake clock fixture" } }\n'
)
MODULE = "src/pkg/m.py"
SAFETENSORS = "use safetensors.torch.save_file"

RED = [
    ("import torch\n\ntorch.save(model, 'm.pt')\n", "torch.save(", "`torch.save`"),
    ("import torch as t\n\nt.save(model, 'm.pt')\n", "t.save(", "`t.save` is `torch.save`"),
    ("from torch import save\n\nsave(model, 'm.pt')\n", "save(model", "`save` is `torch.save`"),
    ("from torch import save as s\n\ns(model, 'm.pt')\n", "s(model", "`s` is `torch.save`"),
    ("import torch.nn\n\ntorch.save(model, 'm.pt')\n", "torch.save(", "`torch.save`"),
    ("import torch\n\nHOOKS = {'save': torch.save}\n", "HOOKS", "`torch.save`"),
    (
        (
            "try:\n    import torch\nexcept ImportError:\n    torch = None\n\n"
            "torch.save(model, 'm.pt')\n"
        ),
        "torch.save(",
        "`torch.save`",
    ),
    (
        (
            "import torch\n\n\nclass M:\n    torch = None\n\n    def f(self):\n"
            "        return torch.save\n"
        ),
        "return torch.save",
        "`torch.save`",
    ),
]


@pytest.mark.parametrize(("code", "marker", "shown"), RED)
def test_banned_api_is_found_through_its_imports(
    tmp_path: Path, code: str, marker: str, shown: str
) -> None:
    report = scan(tmp_path, CONFIG, {MODULE: code})

    assert where(report) == {(RULE, MODULE, line_of(code, marker))}, report.findings
    assert report.findings[0].message == f"{shown}, banned here: {SAFETENSORS}"
    assert report.findings[0].fix == SAFETENSORS


def test_banning_a_module_bans_its_names(tmp_path: Path) -> None:
    code = "import pickle\n\ndata = pickle.loads(b'')\n"

    report = scan(tmp_path, CONFIG, {MODULE: code})

    assert where(report) == {(RULE, MODULE, 3)}
    assert report.findings[0].message == "`pickle.loads`, in `pickle`, banned here: untrusted input"


def test_a_path_ban_applies_only_in_its_paths(tmp_path: Path) -> None:
    code = "import time\n\n\ndef test_t():\n    time.sleep(1)\n"

    report = scan(tmp_path, CONFIG, {"tests/test_t.py": code, MODULE: code})

    assert where(report) == {(RULE, "tests/test_t.py", 5)}
    assert report.findings[0].fix == "use the fake clock fixture"


GREEN = [
    "def save(torch):\n    torch.save(1)\n",
    "import torch\n\n\ndef f(torch):\n    torch.save(1)\n",
    "import torch\n\n\ndef f():\n    torch = Model()\n    torch.save(1)\n",
    "import torch\n\nxs = [torch.save for torch in models]\n",
    "import torch\n\nlayer = torch.nn.Linear(1, 1)\n",
    "import time\n\ntime.sleep(1)\n",
    "from .torch import save\n\nsave(1)\n",
    'DOC = "torch.save(model)"\n',
]


@pytest.mark.parametrize("code", GREEN)
def test_a_name_that_is_not_the_api_is_green(tmp_path: Path, code: str) -> None:
    """Parameters, locals and comprehension variables shadow the import; strings are no use."""
    assert scan(tmp_path, CONFIG, {MODULE: code}).findings == ()


def test_reasoned_inline_allow_is_green(tmp_path: Path) -> None:
    code = RED[0][0]
    allowed = with_allow(code, line_of(code, "torch.save("), RULE)

    assert scan(tmp_path, CONFIG, {MODULE: allowed}).findings == ()


def test_unconfigured_rule_finds_nothing(tmp_path: Path) -> None:
    assert scan(tmp_path, "", {MODULE: RED[0][0]}).findings == ()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"apis": {"torch.save": " "}}, "'torch.save' needs a message"),
        ({"paths": {"tests/**": {"time.sleep(": "x"}}}, "'time.sleep(' is not a dotted name"),
        ({"api": {"torch.save": "x"}}, f"rules.{RULE}.api: unknown key"),
    ],
    ids=["empty-message", "bad-name-in-paths", "unknown-key"],
)
def test_bad_banned_options_name_the_key(options: dict[str, object], message: str) -> None:
    with pytest.raises(PolicyTableError, match=re.escape(message)):
        parse_policy({"rules": {RULE: options}})


def test_bad_banned_api_name_is_one_line_and_exit_2(repo: Repo) -> None:
    repo.configure(TABLE + 'apis = { "torch save" = "use safetensors" }\n')

    done = repo.qualitykit("policy")

    assert done.returncode == 2, done.stdout
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "rules.QK-BAN-001.apis: 'torch save' is not a dotted name" in done.stderr
