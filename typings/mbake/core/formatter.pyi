from mbake.config import Config

class FormatterResult:
    content: str
    changed: bool
    errors: list[str]
    warnings: list[str]

class MakefileFormatter:
    def __init__(self, config: Config) -> None: ...
    def format(self, content: str) -> FormatterResult: ...
