"""Task ledgers (family ``ledger``, ids ``QK-LED-0xx``; off until configured).

A ledger is a Markdown file of entries, each a heading such as
``### Done · tv-2026-03-14:PR123 · Cache keys on our own code`` followed by ``- Field: value``
lines. The rules check the configured ledgers: every entry heading has the configured form, the
required fields are there, dates are real calendar dates, and a finished entry names its real
pull request (no ``PR000``/``PR???``/``PR###`` once the status says the work is done).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, cast

from typing_extensions import override

from qualitykit.config_table import PYPROJECT
from qualitykit.policy.rule import Hit, Rule, RuleOptions

if TYPE_CHECKING:
    from collections.abc import Iterator

    from qualitykit.policy.project import PolicyProject

DEFAULT_HEADING = (
    r"### (?P<status>Open|Deferred|Done) · tv-(?P<date>\d{4}-\d{2}-\d{2})"
    r":PR(?P<pr>\d+|\?\?\?|###) · (?P<title>\S.*)"
)
_FORM = "`### (Open|Deferred|Done) · tv-YYYY-MM-DD:PR### · Title`"
_GROUPS = ("status", "date", "pr")
_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^(#{1,6})\s")
_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_PLACEHOLDER = re.compile(r"0+|\?+|#+")


class LedgerOptions(RuleOptions, frozen=True):
    """``[tool.qualitykit.policy.rules.ledger]``, shared by every ledger rule."""

    # The ledger files (paths or glob patterns, relative to the project root).
    paths: tuple[str, ...] = ()
    # A line starting with this is an entry heading.
    entry: str = "### "
    # What the whole heading must match; the groups status, date and pr are required.
    heading: str = DEFAULT_HEADING
    # `- Field:` lines every entry must have, with a value.
    fields: tuple[str, ...] = ()
    # Statuses that mean a pull request exists, so its number must be real.
    done_statuses: tuple[str, ...] = ("Done",)

    def __post_init__(self) -> None:
        """The heading pattern compiles and has its groups; the entry prefix is not blank."""
        try:
            pattern = re.compile(self.heading)
        except re.error as error:
            msg = f"heading: not a regular expression ({error})"
            raise ValueError(msg) from None
        missing = [name for name in _GROUPS if name not in pattern.groupindex]
        if missing:
            msg = f"heading: the pattern has no (?P<{missing[0]}>…) group"
            raise ValueError(msg)
        if not self.entry.strip():
            msg = "entry: an entry prefix cannot be blank"
            raise ValueError(msg)


@dataclass(frozen=True)
class Entry:
    """One ledger entry: its heading line, what the heading pattern found, its field lines."""

    line: int
    heading: str
    match: re.Match[str] | None
    body: tuple[tuple[int, str], ...]

    def value(self, name: str) -> str:
        """The value of the entry's ``- name:`` line (empty when absent)."""
        prefix = re.compile(rf"^\s*[-*]\s+{re.escape(name)}:(.*)$")
        for _, text in self.body:
            found = prefix.match(text)
            if found:
                return found[1].strip()
        return ""


def ledgers(project: PolicyProject, options: LedgerOptions) -> list[str]:
    """The project files the configured paths name."""
    return [name for name in project.files if any(fnmatchcase(name, p) for p in options.paths)]


def _level(text: str) -> int:
    """A Markdown heading's level (0: not a heading)."""
    found = _HEADING.match(text)
    return len(found[1]) if found else 0


def _ends_entry(text: str, level: int) -> bool:
    """A heading of the entry's level or above ends it; a deeper one is part of it."""
    found = _level(text)
    return bool(found) and (not level or found <= level)


def _parse(lines: list[str], options: LedgerOptions) -> list[Entry]:
    pattern = re.compile(options.heading)
    level = _level(options.entry)
    entries: list[Entry] = []
    current: tuple[int, str] | None = None
    body: list[tuple[int, str]] = []
    fenced = False

    def close() -> None:
        if current is not None:
            number, heading = current
            entries.append(Entry(number, heading, pattern.fullmatch(heading), tuple(body)))

    for number, text in enumerate(lines, start=1):
        if _FENCE.match(text):
            fenced = not fenced
        if not fenced and text.startswith(options.entry):
            close()
            current, body = (number, text.rstrip()), []
        elif not fenced and _ends_entry(text, level):
            close()
            current, body = None, []
        elif current is not None:
            body.append((number, text))
    close()
    return entries


def entries(project: PolicyProject, name: str, options: LedgerOptions) -> list[Entry]:
    """The entries of the ledger ``name`` (parsed once per project and options)."""
    key = f"ledger:{name}:{options.entry}:{options.heading}"
    return project.memo(key, lambda: _parse(project.lines(name), options))


class LedgerRule(Rule):
    """A rule over the configured ledgers."""

    family = "ledger"
    default = False
    options = LedgerOptions

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        chosen = cast("LedgerOptions", options)  # the registry validated it with LedgerOptions
        for name in ledgers(project, chosen):
            for entry in entries(project, name, chosen):
                yield from self.judge(name, entry, chosen)

    def judge(self, name: str, entry: Entry, options: LedgerOptions) -> Iterator[Hit]:
        """The rule's findings in one entry."""
        raise NotImplementedError


class EntryHeading(LedgerRule):
    """An entry heading not in the configured form; a configured ledger missing or empty."""

    id = "QK-LED-001"
    title = "ledger entry heading not in the configured form"
    fix = f"write the heading as {_FORM} (or the configured `heading` pattern)"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        chosen = cast("LedgerOptions", options)  # the registry validated it with LedgerOptions
        if not chosen.paths:
            yield Hit(PYPROJECT, 1, "the ledger rules are on but no ledger `paths` is set")
        found = ledgers(project, chosen)
        for pattern in chosen.paths:
            if not any(fnmatchcase(name, pattern) for name in found):
                yield Hit(PYPROJECT, 1, f"the configured ledger {pattern!r} is no project file")
        for name in found:
            if not entries(project, name, chosen):
                yield Hit(name, 1, f"no entry heading (no line starts with {chosen.entry!r})")
        yield from super().check(project, options)

    @override
    def judge(self, name: str, entry: Entry, options: LedgerOptions) -> Iterator[Hit]:
        if entry.match is None:
            yield Hit(name, entry.line, f"`{entry.heading}` is not an entry heading in the form")


class EntryFields(LedgerRule):
    """An entry without one of the required ``- Field:`` lines (or with it empty)."""

    id = "QK-LED-002"
    title = "ledger entry without a required field"
    fix = "add the missing `- Field: value` lines under the entry heading"

    @override
    def judge(self, name: str, entry: Entry, options: LedgerOptions) -> Iterator[Hit]:
        missing = [field for field in options.fields if not entry.value(field)]
        if missing:
            listed = ", ".join(f"`- {field}:`" for field in missing)
            yield Hit(name, entry.line, f"`{entry.heading}` has no {listed}")


def _invalid(year: str, month: str, day: str) -> bool:
    try:
        dt.date(int(year), int(month), int(day))
    # qualitykit: allow[QK-EXC-002] the ValueError is the answer: no such calendar date
    except ValueError:
        return True
    return False


class EntryDates(LedgerRule):
    """A date that is no calendar date (``2026-02-30``) in an entry's heading or fields."""

    id = "QK-LED-003"
    title = "invalid date in a ledger entry"
    fix = "write a real date (YYYY-MM-DD)"

    @override
    def judge(self, name: str, entry: Entry, options: LedgerOptions) -> Iterator[Hit]:
        for number, text in ((entry.line, entry.heading), *entry.body):
            for found in _DATE.finditer(text):
                if _invalid(*found.groups()):
                    yield Hit(name, number, f"{found[0]} is not a calendar date")


class PlaceholderPullRequest(LedgerRule):
    """A finished entry (status in ``done-statuses``) whose PR number is a placeholder."""

    id = "QK-LED-004"
    title = "placeholder PR number in a finished ledger entry"
    fix = "write the pull request's number (the entry is done, so the PR exists)"

    @override
    def judge(self, name: str, entry: Entry, options: LedgerOptions) -> Iterator[Hit]:
        if entry.match is None:
            return
        status, number = entry.match["status"], entry.match["pr"]
        if status in options.done_statuses and _PLACEHOLDER.fullmatch(number or ""):
            yield Hit(name, entry.line, f"status {status} with placeholder PR{number}")


RULES: tuple[Rule, ...] = (
    EntryHeading(),
    EntryFields(),
    EntryDates(),
    PlaceholderPullRequest(),
)
