"""Regression: virtual environments, caches and build output are never project files."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

from qualitykit.files import project_files

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Repo

BROKEN = "import os\nthis is not python\n"


def test_an_unignored_virtualenv_is_not_the_project(repo: Repo) -> None:
    """A ``.venv`` missing from ``.gitignore`` made every step check the installed packages.

    It broke: git lists untracked files that are not ignored, so ruff saw 8,630 files, mypy
    crashed on a shadowed typeshed and vulture ran 212 s. A directory holding ``pyvenv.cfg``
    (any name), a tagged cache (``CACHEDIR.TAG``) and ``__pycache__``/``.tox``/``.nox``/
    ``*.egg-info`` are never project files, listed by git or not.
    """
    repo.write("env/pyvenv.cfg", "home = /usr/bin\n")
    repo.write("env/lib/python3.11/site-packages/pkg/broken.py", BROKEN)
    repo.write("mycache/CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n")
    repo.write("mycache/broken.py", BROKEN)
    repo.write(".tox/py311/broken.py", BROKEN)
    repo.write("conda/conda-meta/history", "==> 2026-01-01 <==\n")
    repo.write("conda/lib/broken.py", BROKEN)
    repo.write("src/fixture.egg-info/SOURCES.txt", "x\n")
    repo.configure('gate = ["ruff-lint"]')

    run = repo.gate()

    assert run.returncode == 0, run.stderr
    assert repo.summary()["ruff-lint"]["counts"]["files"] == 3
    files = project_files(repo.root)
    assert not [
        name
        for name in files
        if name.startswith(("env/", "mycache/", ".tox/", "conda/", "src/fixture.egg"))
    ]


def test_build_output_counts_only_when_git_tracks_it(repo: Repo) -> None:
    """Untracked ``build/`` and ``dist/`` are output; a tracked file there is the project's."""
    repo.write("build/lib/pkg/core.py", BROKEN)
    repo.write("dist/pkg.whl.py", BROKEN)
    repo.write("tools/build/helper.py", '"""Kept: tracked."""\n')
    repo.git("add", "tools/build/helper.py")

    files = project_files(repo.root)

    assert "tools/build/helper.py" in files
    assert not [name for name in files if name.startswith(("build/", "dist/"))]
    assert "src/pkg/core.py" in files


def test_a_failing_git_is_an_error_not_a_directory_walk(repo: Repo) -> None:
    """git present but ``ls-files`` failing (a corrupt index) silently walked the directory.

    It broke: the walk sees what git would ignore, so the gate checked another file set
    without saying so. Inside a git repository a git failure is now exit 2 naming it.
    """
    repo.git("add", "-A")
    (repo.root / ".git" / "index").write_bytes(b"DIRC this is not an index")

    run = repo.gate()

    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    (line,) = run.stderr.strip().splitlines()
    assert "git ls-files failed" in line, line


def test_outside_git_the_directory_is_walked(tmp_path: Path) -> None:
    """No repository at all: every file below the root, still without virtual environments."""
    outside = subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree"],
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    assert outside.returncode != 0
    for name in ("pyproject.toml", "src/a.py", ".venv/pyvenv.cfg", ".venv/lib/b.py", "dist/c.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("", encoding="utf-8")

    assert project_files(tmp_path) == ["pyproject.toml", "src/a.py"]
