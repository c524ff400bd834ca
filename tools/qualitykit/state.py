"""One reader for every file qualitykit reads back: state under ``.qualitykit/`` and baselines.

A state file can be missing, a directory, binary, not UTF-8, truncated or of another schema.
Each of these ends in one of two ways, never a traceback:

- the file is only a cache (a step's last result, a replay record, a mutation cache): the
  reader returns ``None`` and the caller recomputes, as if the file were absent;
- the file is a record the user relies on (a committed baseline, the result a report is
  rendered from): :class:`~qualitykit.errors.QualityKitError` naming the file and what is
  wrong with it, which the CLI prints as one line with exit code 2.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel, ValidationError

from qualitykit.errors import QualityKitError

if TYPE_CHECKING:
    from pathlib import Path

ModelT = TypeVar("ModelT", bound=BaseModel)


class StateFileError(QualityKitError):
    """A state file exists but cannot be used (exit 2 naming the file)."""


_PLAIN_PROBLEMS: tuple[tuple[type[BaseException], str], ...] = (
    (IsADirectoryError, "is a directory, not a file"),
    (NotADirectoryError, "a parent of it is a file, not a directory"),
)


def _problem(error: BaseException) -> str:
    for kind, text in _PLAIN_PROBLEMS:
        if isinstance(error, kind):
            return text
    if isinstance(error, UnicodeDecodeError):
        return f"not UTF-8 text (byte {error.start})"
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "top level"
        return f"malformed ({where}: {first['msg']})"
    if isinstance(error, json.JSONDecodeError):
        return f"not JSON ({error.msg} at line {error.lineno} column {error.colno})"
    if isinstance(error, OSError):
        return f"cannot read: {error.strerror or error}"
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def read_text(path: Path, what: str, *, cache: bool) -> str | None:
    """The UTF-8 text of ``path``; None when it is missing (or unusable and only a ``cache``)."""
    try:
        return path.read_bytes().decode("utf-8")
    # qualitykit: allow[QK-EXC-002] a missing file is None by contract; other errors are raised
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        if cache:
            return None
        raise StateFileError(f"{path}: {what}: {_problem(error)}") from None


def read_json(path: Path, what: str, *, cache: bool) -> object | None:
    """The parsed JSON of ``path``, with the same rules as :func:`read_text`."""
    text = read_text(path, what, cache=cache)
    if text is None:
        return None
    try:
        data: object = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        if cache:
            return None
        raise StateFileError(f"{path}: {what}: {_problem(error)}") from None
    return data


def read_model(path: Path, model: type[ModelT], what: str, *, cache: bool) -> ModelT | None:
    """``path`` validated as ``model``, with the same rules as :func:`read_text`."""
    text = read_text(path, what, cache=cache)
    if text is None:
        return None
    try:
        return model.model_validate_json(text)
    except (ValidationError, ValueError, RecursionError) as error:
        if cache:
            return None
        raise StateFileError(f"{path}: {what}: {_problem(error)}") from None
