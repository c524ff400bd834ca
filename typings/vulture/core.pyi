from collections.abc import Iterable
from pathlib import Path

from vulture.utils import ExitCode

class Item:
    name: str
    typ: str
    filename: Path
    first_lineno: int
    last_lineno: int
    message: str
    confidence: int

class Vulture:
    exit_code: ExitCode
    def __init__(
        self,
        verbose: bool = False,
        ignore_names: list[str] | None = None,
        ignore_decorators: list[str] | None = None,
    ) -> None: ...
    def scavenge(self, paths: Iterable[str], exclude: list[str] | None = None) -> None: ...
    def scan(self, code: str, filename: str | Path = "") -> None: ...
    def get_unused_code(
        self, min_confidence: int = 0, sort_by_size: bool = False
    ) -> list[Item]: ...
