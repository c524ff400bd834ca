"""Links to the forge: ``origin``'s GitHub or GitLab URL → blob URLs at the checked-out commit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from qualitykit.changes import run_git

if TYPE_CHECKING:
    from pathlib import Path

# scp-like git URLs: ``git@github.com:owner/name.git``
_SCP = re.compile(r"^[^@/:]+@(?P<host>[^:/]+):(?P<path>[^:].*)$")


@dataclass(frozen=True)
class Forge:
    """Where a file of this commit is shown: ``blob(path, line)`` is its page on the forge."""

    prefix: str  # e.g. https://github.com/owner/name/blob/<commit>/

    def blob(self, path: str, line: int | None) -> str:
        """The URL of ``path`` (at ``line`` when known)."""
        anchor = f"#L{line}" if line else ""
        return f"{self.prefix}{quote(path)}{anchor}"


def forge_for(url: str, commit: str) -> Forge | None:
    """The forge of remote ``url`` when it is GitHub or GitLab; credentials are never kept."""
    scp = _SCP.match(url)
    if scp is not None:
        host, path = scp["host"], scp["path"]
    else:
        parts = urlsplit(url)
        if parts.scheme not in {"https", "http", "ssh", "git"} or not parts.hostname:
            return None
        host, path = parts.hostname, parts.path  # hostname drops user:token@ and the port
    path = path.strip("/").removesuffix(".git")
    if not re.fullmatch(r"[\w.-]+(/[\w.-]+)+", path) or not re.fullmatch(r"[0-9a-f]{7,64}", commit):
        return None
    host = host.lower()
    if host == "github.com" or host.startswith("github."):
        return Forge(f"https://{host}/{path}/blob/{commit}/")
    if host == "gitlab.com" or host.startswith("gitlab."):
        return Forge(f"https://{host}/{path}/-/blob/{commit}/")
    return None


def git_head(root: Path) -> str | None:
    """The checked-out commit, None without one (no git, no commit yet)."""
    done = run_git(root, "rev-parse", "--verify", "--quiet", "HEAD")
    return done.stdout.decode().strip() or None if done.returncode == 0 else None


def origin_forge(root: Path, commit: str | None) -> Forge | None:
    """The forge of ``origin`` at ``commit``; None without a remote, a commit or a known forge."""
    if commit is None:
        return None
    done = run_git(root, "remote", "get-url", "origin")
    if done.returncode != 0:
        return None
    return forge_for(done.stdout.decode("utf-8", "replace").strip(), commit)
