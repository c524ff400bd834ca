# Minimal stubs for the part of mbake's API qualitykit's adapter uses (mbake ships none).
from pathlib import Path

class Config:
    @classmethod
    def load_or_default(cls, config_path: Path | None = None, explicit: bool = False) -> Config: ...
