"""Atomic writes: a temp file in the same directory, then rename; never a half-written file.

A directory where the file should be, or a file where one of its parent directories should be,
is a :class:`~qualitykit.errors.QualityKitError` naming the path (exit 2), never a traceback,
and leaves nothing behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from qualitykit.errors import QualityKitError


def _blocked(path: Path, error: OSError) -> QualityKitError:
    if path.is_dir():
        why = "is a directory, not a file"
    elif isinstance(error, (NotADirectoryError, FileExistsError)):
        why = "a parent of it is a file, not a directory"
    else:
        why = f"cannot write: {error.strerror or error}"
    return QualityKitError(f"{path}: {why}")


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old content or the new, never a mix."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
    except OSError as error:
        raise _blocked(path, error) from None
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
        Path(temp_name).replace(path)
    except OSError as error:
        Path(temp_name).unlink(missing_ok=True)
        raise _blocked(path, error) from None
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    write_bytes_atomic(path, text.encode("utf-8"))
