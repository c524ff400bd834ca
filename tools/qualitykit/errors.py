"""Errors that end a qualitykit command with exit code 2 and one line of explanation."""

from __future__ import annotations


class QualityKitError(Exception):
    """Bad usage, bad configuration or bad input: the CLI prints one line and exits 2."""

    exit_code = 2


class ConfigError(QualityKitError):
    """The ``[tool.qualitykit]`` configuration is malformed or unreadable."""


class ToolOutputError(Exception):
    """A tool printed output that does not parse: the step is an ``error``, never a pass.

    Not a :class:`QualityKitError`: it never reaches the user as an exit 2; the runner turns it
    into a step status naming what did not parse.
    """
