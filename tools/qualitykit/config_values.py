"""The value checks behind the configuration's types: strings, paths and patterns.

Each check runs at load time and raises ``ValueError`` with a short reason (never the whole
value: it may be 300 kB long or hold a NUL byte), which the configuration turns into one line
naming the key. A value that passes can be an argument, a path or a pathspec pattern later
without crashing the step that uses it.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import pathspec

from qualitykit.config_table import show
from qualitykit.files import STATE_DIR

# Linux caps one argument at 128 kB (MAX_ARG_STRLEN) and all of argv + environment at ~2 MB;
# no path, pattern or option needs more than a few hundred characters.
MAX_STRING = 4096
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Where qualitykit keeps its state and git its repository: never a configured file.
_RESERVED = frozenset({STATE_DIR, ".git"})


def check_text(value: str) -> str:
    """Any string that can be an argument: no NUL byte, at most ``MAX_STRING`` characters."""
    if "\x00" in value:
        raise ValueError("contains a NUL byte, which no argument or path can hold")
    if len(value) > MAX_STRING:
        raise ValueError(f"is {len(value)} characters long (at most {MAX_STRING})")
    return value


def check_word(value: str) -> str:
    """A non-blank :func:`check_text` string (a program, a name, a regular expression)."""
    check_text(value)
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def check_root_path(value: str) -> str:
    """A file or directory relative to the project root and inside it (``.`` allowed)."""
    check_word(value)
    if _CONTROL.search(value):
        raise ValueError(f"{show(value)} contains a control character")
    if "\\" in value:
        raise ValueError(f"{show(value)} contains a backslash: separate directories with /")
    if value.startswith("/"):
        raise ValueError(f"{show(value)} is absolute: write it relative to the project root")
    if value.startswith("-"):
        raise ValueError(f"{show(value)} starts with '-': an option, not a path (use args)")
    if ".." in PurePosixPath(value).parts:
        raise ValueError(f"{show(value)} leaves the project ('..')")
    return value


def check_file_path(value: str) -> str:
    """A :func:`check_root_path` that names a file qualitykit may write (not a directory)."""
    check_root_path(value)
    parts = PurePosixPath(value).parts
    if value.endswith("/") or not parts or parts[-1] == ".":
        raise ValueError(f"{show(value)} names a directory, not a file")
    if parts[0] in _RESERVED:
        raise ValueError(f"{show(value)} is inside {parts[0]}/, which is not the project's")
    return value


def check_glob(value: str) -> str:
    """A gitignore-style pattern pathspec accepts (not ``!`` alone, nor a trailing backslash)."""
    check_word(value)
    if _CONTROL.search(value):
        raise ValueError(f"{show(value)} contains a control character")
    try:
        pathspec.GitIgnoreSpec.from_lines([value])
    except ValueError:
        raise ValueError(f"{show(value)} is not a valid gitignore-style pattern") from None
    return value


def check_regex(value: str) -> str:
    """A Python regular expression (searched in cosmic-ray's operator names)."""
    check_word(value)
    try:
        re.compile(value)
    except (re.error, RecursionError, OverflowError) as error:
        raise ValueError(f"{show(value)} is not a regular expression: {error}") from None
    return value
