"""Conventional Commits and branch names (family ``commits``, ids ``QK-GIT-0xx``).

These rules read commit messages and the branch name, not the project's files: they run in
``qualitykit policy commit-msg FILE`` (the commit-msg hook) and ``qualitykit policy commits
--range BASE..HEAD`` (CI), never in the file check. Every rule of the family shares one options
model, so ``[tool.qualitykit.policy.rules.commits]`` configures them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import msgspec
from typing_extensions import override

from qualitykit.policy.rule import Hit, Rule, RuleOptions

if TYPE_CHECKING:
    from collections.abc import Iterator

DEFAULT_TYPES = (
    "feat",
    "fix",
    "docs",
    "style",
    "refactor",
    "perf",
    "test",
    "build",
    "ci",
    "chore",
    "revert",
)
EXAMPLE = "feat(policy): add banned-API rule"
BRANCH_EXAMPLE = "feat/policy-banned-api"
_HEADER = re.compile(
    r"^(?P<type>[A-Za-z][\w-]*)(?:\((?P<scope>[^()]*)\))?(?P<bang>!)?: (?P<description>.*)$"
)
_NO_DESCRIPTION = re.compile(r"^[A-Za-z][\w-]*(?:\([^()]*\))?!?:\s*$")
_NO_SPACE = re.compile(r"^[A-Za-z][\w-]*(?:\([^()]*\))?!?:\S")
_SPACE_BEFORE = re.compile(r"^[A-Za-z][\w-]*(?:\([^()]*\))?!?\s+:")
_AUTOSQUASH = re.compile(r"^(?:fixup|squash|amend)! ")
# What `git merge` and `git pull` write; the hook cannot see the parents, a range can.
_MERGE = re.compile(r"^Merge (?:branch|branches|remote-tracking branch|tag|commit|pull request) ")
_TYPE_NAME = re.compile(r"^[a-z][a-z0-9-]*$")


class CommitOptions(RuleOptions, frozen=True):
    """``[tool.qualitykit.policy.rules.commits]`` (or one rule's table, for that rule)."""

    types: tuple[str, ...] = DEFAULT_TYPES
    # Empty: any scope.
    scopes: tuple[str, ...] = ()
    require_scope: bool = False
    max_subject_length: Annotated[int, msgspec.Meta(ge=20)] = 72
    # A regular expression the whole branch name must match; None: `<type>/<scope>-<desc>`
    # with the configured types.
    branch_pattern: str | None = None
    exempt_branches: tuple[str, ...] = ("main", "master")
    # `fixup!`/`squash!`/`amend!` commits in a range (a branch that is squash-merged).
    allow_fixup: bool = False

    def __post_init__(self) -> None:
        """Types are lowercase words (at least one); the branch pattern compiles."""
        bad = [name for name in self.types if not _TYPE_NAME.match(name)]
        if not self.types or bad:
            what = f"expected lowercase type names, got {bad[0]!r}" if bad else "no type allowed"
            raise ValueError(f"types: {what}")
        if self.branch_pattern is not None:
            try:
                re.compile(self.branch_pattern)
            except re.error as error:
                msg = f"branch-pattern: not a regular expression ({error})"
                raise ValueError(msg) from None

    def branch_regex(self) -> re.Pattern[str]:
        """The configured branch pattern, or ``<type>/<scope>-<desc>`` with the types."""
        if self.branch_pattern is not None:
            return re.compile(self.branch_pattern)
        types = "|".join(re.escape(name) for name in self.types)
        return re.compile(rf"(?:{types})/[a-z0-9][a-z0-9._]*-[a-z0-9][a-z0-9._-]*")


@dataclass(frozen=True)
class Message:
    """A commit message to check: where it is (a commit or a file), its text, its origin."""

    where: str
    text: str
    # True in the commit-msg hook (local work), False for a range's commits (CI).
    hook: bool

    @property
    def header(self) -> str:
        """The first line."""
        return self.text.split("\n", 1)[0]

    @property
    def autosquash(self) -> bool:
        """A ``fixup!``/``squash!``/``amend!`` commit, folded away by ``rebase --autosquash``."""
        return bool(_AUTOSQUASH.match(self.header))

    @property
    def checked_header(self) -> str:
        """The header the format rules judge: an autosquash prefix stripped in the hook."""
        header = self.header
        while self.hook and _AUTOSQUASH.match(header):
            header = _AUTOSQUASH.sub("", header, count=1)
        return header

    @property
    def skipped(self) -> bool:
        """Messages no rule judges: git's own merge messages in the hook."""
        return self.hook and bool(_MERGE.match(self.header))


def _fix(what: str) -> str:
    return f"{what}, e.g. `{EXAMPLE}`"


class CommitRule(Rule):
    """A rule about a commit message or the branch name (not about files)."""

    family = "commits"
    on_files = False
    options = CommitOptions

    def check_message(self, message: Message, options: CommitOptions) -> Iterator[Hit]:
        """The rule's findings in one commit message."""
        del message, options
        return iter(())

    def check_branch(self, name: str, options: CommitOptions) -> Iterator[Hit]:
        """The rule's findings in the branch name."""
        del name, options
        return iter(())


def _unparsed_problem(header: str) -> str:
    if not header.strip():
        return "the message is empty"
    if _NO_DESCRIPTION.match(header):
        return "no description after `: `"
    if _NO_SPACE.match(header):
        return "no space after the colon"
    if _SPACE_BEFORE.match(header):
        return "a space before the colon"
    return "no `type:` or `type(scope):` prefix"


def _header_problem(header: str) -> str | None:
    match = _HEADER.match(header)
    if match is None:
        return _unparsed_problem(header)
    if match["scope"] is not None and not re.fullmatch(r"[\w./-]+", match["scope"]):
        return f"scope {match['scope']!r} is empty or has spaces"
    description = match["description"]
    if not description.strip() or description[0].isspace():
        return "no description after `: `"
    return None


class HeaderFormat(CommitRule):
    """The header is not ``type(scope)!: description``, or no blank line follows it."""

    id = "QK-GIT-001"
    title = "commit header not in Conventional Commits form"
    fix = _fix("write `type(scope): description` (scope optional, `!` marks a breaking change)")

    @override
    def check_message(self, message: Message, options: CommitOptions) -> Iterator[Hit]:
        if message.skipped or (message.autosquash and not message.hook):
            return
        problem = _header_problem(message.checked_header)
        if problem is not None:
            yield Hit(message.where, 1, f"{problem}: `{message.header}`")
        lines = message.text.split("\n")
        if len(lines) > 1 and lines[1].strip():
            text = f"no blank line between the header and the body: `{lines[1]}`"
            fix = "leave line 2 empty; the body starts on line 3"
            yield Hit(message.where, 2, text, fix)


def _parsed(message: Message) -> re.Match[str] | None:
    """The header's parts, for the rules that judge them (None: not theirs to judge)."""
    if message.skipped or (message.autosquash and not message.hook):
        return None
    header = message.checked_header
    return _HEADER.match(header) if _header_problem(header) is None else None


class HeaderType(CommitRule):
    """The type is not one of the configured types."""

    id = "QK-GIT-002"
    title = "commit type not allowed"
    fix = _fix("use one of the configured types")

    @override
    def check_message(self, message: Message, options: CommitOptions) -> Iterator[Hit]:
        match = _parsed(message)
        if match is None or match["type"] in options.types:
            return
        kind = match["type"]
        allowed = ", ".join(options.types)
        if kind.lower() in options.types:
            text = f"type {kind!r} must be lowercase ({kind.lower()!r}): `{message.header}`"
        else:
            text = f"type {kind!r} is not one of {allowed}: `{message.header}`"
        yield Hit(message.where, 1, text, _fix(f"start with one of {allowed}"))


class HeaderScope(CommitRule):
    """The scope is not one of the configured scopes, or is missing when one is required."""

    id = "QK-GIT-003"
    title = "commit scope not allowed or missing"
    fix = _fix("use one of the configured scopes")

    @override
    def check_message(self, message: Message, options: CommitOptions) -> Iterator[Hit]:
        match = _parsed(message)
        if match is None:
            return
        scope = match["scope"]
        allowed = ", ".join(options.scopes) if options.scopes else "any scope"
        if scope is None:
            if options.require_scope:
                text = f"no scope (one of {allowed}): `{message.header}`"
                yield Hit(message.where, 1, text, _fix("add `(scope)` after the type"))
        elif options.scopes and scope not in options.scopes:
            text = f"scope {scope!r} is not one of {allowed}: `{message.header}`"
            yield Hit(message.where, 1, text, _fix(f"use one of {allowed}"))


class HeaderLength(CommitRule):
    """The header is longer than ``max-subject-length`` characters."""

    id = "QK-GIT-004"
    title = "commit header too long"
    fix = _fix("shorten the header; details go in the body, after a blank line")

    @override
    def check_message(self, message: Message, options: CommitOptions) -> Iterator[Hit]:
        if message.skipped or (message.autosquash and not message.hook):
            return
        length = len(message.header)
        if length > options.max_subject_length:
            limit = options.max_subject_length
            text = f"the header has {length} characters (at most {limit}): `{message.header}`"
            yield Hit(message.where, 1, text)


class Autosquash(CommitRule):
    """A ``fixup!``/``squash!``/``amend!`` commit in a range: it was meant to be folded away."""

    id = "QK-GIT-005"
    title = "fixup!/squash! commit left in the branch"
    fix = "run `git rebase -i --autosquash BASE` (or set `allow-fixup = true` for squash merges)"

    @override
    def check_message(self, message: Message, options: CommitOptions) -> Iterator[Hit]:
        if message.autosquash and not message.hook and not options.allow_fixup:
            yield Hit(message.where, 1, f"an autosquash commit is left: `{message.header}`")


class BranchName(CommitRule):
    """The branch name does not match the pattern (default ``<type>/<scope>-<desc>``)."""

    id = "QK-GIT-006"
    title = "branch name not in the configured form"
    fix = f"rename the branch (`git branch -m NEW`), e.g. `{BRANCH_EXAMPLE}`"

    @override
    def check_branch(self, name: str, options: CommitOptions) -> Iterator[Hit]:
        if name in options.exempt_branches:
            return
        regex = options.branch_regex()
        if regex.fullmatch(name) is None:
            form = (
                f"the pattern {regex.pattern!r}"
                if options.branch_pattern is not None
                else "`<type>/<scope>-<description>`"
            )
            yield Hit(f"branch {name}", 1, f"branch {name!r} does not match {form}")


RULES: tuple[Rule, ...] = (
    HeaderFormat(),
    HeaderType(),
    HeaderScope(),
    HeaderLength(),
    Autosquash(),
    BranchName(),
)
