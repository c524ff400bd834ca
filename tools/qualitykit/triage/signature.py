"""Cluster signatures: what makes two failures the same root cause, stable across machines.

A signature is the exception type, its message with the parts that vary from run to run
stripped (numbers, addresses, paths, quoted values, UUIDs, timestamps) and the innermost
traceback frame in the project's own code, as a path relative to the project root. Its short
hash is the cluster id, identical across runs, machines and checkout paths.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING

from qualitykit.triage.models import Frame

if TYPE_CHECKING:
    from pathlib import Path

    from qualitykit.triage.models import Failure

ID_LENGTH = 10
_MAX_MESSAGE = 200
# Order matters: whole objects and quoted values before the numbers inside them.
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"<[^<>]* at 0x[0-9a-fA-F]+>"), "<obj>"),
    (
        re.compile(
            r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
        ),
        "<uuid>",
    ),
    (
        re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"),
        "<time>",
    ),
    (re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\""), "<str>"),
    (re.compile(r"0x[0-9a-fA-F]+"), "<hex>"),
    (re.compile(r"(?:(?<=\s)|^)(?:[A-Za-z]:)?[/\\][^\s,;)\]}]*"), "<path>"),
    (re.compile(r"(?<![A-Za-z_])[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"), "<n>"),
    (re.compile(r"\s+"), " "),
)
# Frames in these are the tools', not the project's.
# lib/python3.11/: the standard library of a POSIX install (a project folder named
# python3_compat is still the project's).
_STDLIB_DIR = re.compile(r"python\d(?:\.\d+)?")
_EXTERNAL_PARTS = frozenset({"site-packages", "dist-packages", "_pytest", "pluggy", ".venv"})


def normalise_message(message: str) -> str:
    """The message's first line with every run-specific part replaced by a placeholder."""
    lines = message.strip().splitlines()
    text = lines[0] if lines else ""
    for pattern, placeholder in _RULES:
        text = pattern.sub(placeholder, text)
    return text.strip()[:_MAX_MESSAGE]


def project_path(file: str, root: Path) -> str | None:
    """``file`` relative to ``root`` (POSIX), or None when it is not the project's code.

    Absolute paths from another checkout (a CI artifact) are matched by their longest tail
    that exists under ``root``; the standard library, site-packages and pytest are not ours.
    """
    posix = file.replace("\\", "/")
    path = PureWindowsPath(file) if PureWindowsPath(file).drive else PurePosixPath(posix)
    parts = [part for part in path.parts if part not in {"/", "\\"} and not part.endswith(":\\")]
    if not path.is_absolute():
        # pytest prints paths under its rootdir relative to it: the project's own.
        return None if not parts or parts[0] == ".." or _external(parts) else "/".join(parts)
    if PurePosixPath(posix).is_relative_to(root.as_posix()):
        # Only what lies below the root says whose code it is: a checkout under a directory
        # named ``python3`` or ``_pytest`` is still the project.
        relative = PurePosixPath(posix).relative_to(root.as_posix())
        return None if _external(list(relative.parts)) else relative.as_posix()
    if _external(parts):
        return None
    for start in range(1, len(parts)):
        tail = "/".join(parts[start:])
        if (root / tail).is_file():
            return tail
    return None


def _external(parts: list[str]) -> bool:
    """Whether a path of these parts is in an installed package, pytest or the stdlib."""
    return bool(_EXTERNAL_PARTS & set(parts)) or any(_STDLIB_DIR.fullmatch(p) for p in parts[:-1])


def root_frame(failure: Failure, root: Path) -> Frame | None:
    """The innermost frame in project code, its file relative to ``root``."""
    for frame in reversed(failure.frames):
        relative = project_path(frame.file, root)
        if relative is not None:
            return Frame(file=relative, line=frame.line, function=frame.function)
    return None


def signature(failure: Failure, root: Path) -> str:
    """The text two failures of one root cause share (line numbers are not part of it)."""
    frame = root_frame(failure, root)
    where = f"{frame.file}::{frame.function or ''}" if frame is not None else "<outside>"
    message = normalise_message(failure.exception.message)
    return "\n".join((failure.exception.type or failure.kind, message, where))


def cluster_id(text: str) -> str:
    """A short, stable hash of a signature."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:ID_LENGTH]
