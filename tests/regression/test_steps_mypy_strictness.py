"""Regression: mypy runs with the project's own strictness; ``--strict`` only fills a gap."""

from __future__ import annotations

from typing import TYPE_CHECKING

from conftest import CLEAN_PYPROJECT

if TYPE_CHECKING:
    from conftest import Repo

UNTYPED = (
    '"""Untyped, which only --strict rejects."""\n\n\ndef triple(value):\n    return value * 3\n'
)
LENIENT_MYPY = '[tool.mypy]\nstrict = true\nmypy_path = "src"\n'


def with_mypy_table(repo: Repo, table: str, qualitykit: str = "") -> None:
    text = CLEAN_PYPROJECT.format(qualitykit='gate = ["mypy"]\n' + qualitykit)
    repo.write("pyproject.toml", text.replace(LENIENT_MYPY, table))
    repo.write("src/pkg/untyped.py", UNTYPED)


def test_the_projects_own_mypy_config_wins(repo: Repo) -> None:
    """A project whose ``[tool.mypy]`` is not strict was checked with ``--strict`` anyway.

    It broke: the step always passed ``--strict``, which overrides the project's choices
    (here untyped functions are allowed). Our defaults fill gaps only.
    """
    with_mypy_table(repo, '[tool.mypy]\nmypy_path = "src"\n')

    run = repo.gate()

    assert run.returncode == 0, run.stderr
    assert "--strict" not in repo.summary()["mypy"]["command"]


def test_strict_when_the_project_has_no_mypy_config(repo: Repo) -> None:
    with_mypy_table(repo, "")

    run = repo.gate()

    assert run.returncode == 1, run.stderr
    assert repo.summary()["mypy"]["status"] == "fail"
    assert "--strict" in repo.summary()["mypy"]["command"]


def test_strict_when_the_setting_asks_for_it(repo: Repo) -> None:
    with_mypy_table(
        repo, '[tool.mypy]\nmypy_path = "src"\n', "[tool.qualitykit.steps.mypy]\nstrict = true\n"
    )

    run = repo.gate()

    assert run.returncode == 1, run.stderr
    assert repo.summary()["mypy"]["status"] == "fail"


def test_a_mypy_ini_is_the_projects_config(repo: Repo) -> None:
    with_mypy_table(repo, "")
    repo.write("mypy.ini", "[mypy]\nmypy_path = src\n")

    run = repo.gate()

    assert run.returncode == 0, run.stderr


def test_a_config_file_named_in_args_is_the_projects_config(repo: Repo) -> None:
    """``--config-file=ci/mypy.ini`` in ``args`` is the project's config, and an input.

    It was neither: ``--strict`` was added over it, and editing it left the cached PASS
    standing (only the fixed config file names were keyed). Any project file named in a
    step's ``args`` is now part of its cache key.
    """
    with_mypy_table(
        repo, "", '[tool.qualitykit.steps.mypy]\nargs = ["--config-file=ci/mypy.ini"]\n'
    )
    repo.write("ci/mypy.ini", "[mypy]\nmypy_path = src\n")

    run = repo.gate()

    assert run.returncode == 0, run.stderr
    assert "--strict" not in repo.summary()["mypy"]["command"]

    repo.write("ci/mypy.ini", "[mypy]\nmypy_path = src\nstrict = True\n")
    again = repo.gate()

    assert again.returncode == 1, again.stderr
    assert repo.summary()["mypy"]["status"] == "fail"


def test_a_module_with_a_stub_beside_it_is_checked_once(repo: Repo) -> None:
    """parse 1.22 ships ``parse/__init__.py`` and ``parse/__init__.pyi``: the step errored.

    Both files went to mypy, which stops with "Duplicate module named" and checks nothing
    (exit 2): a real project could never get a mypy verdict. The stub is what mypy reads for
    that module, as on import; the module itself is not passed again.
    """
    with_mypy_table(repo, '[tool.mypy]\nmypy_path = "src"\n')
    repo.write("src/pkg/untyped.pyi", "def triple(value: int) -> int: ...\n")

    run = repo.gate()

    assert run.returncode == 0, run.stdout + run.stderr
    command = repo.summary()["mypy"]["command"]
    assert "src/pkg/untyped.pyi" in command
    assert "src/pkg/untyped.py" not in command
