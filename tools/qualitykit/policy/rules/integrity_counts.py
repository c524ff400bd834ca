"""Gate integrity against ``--base``: suppressions rising per file.

``# noqa``, ``# type: ignore``, ``# pyright: ignore``, ``pragma: no cover`` (real comments,
read with ``tokenize``) and skip/xfail marks (read from the AST) are counted in the base and
the work-tree version of every Python file changed since the base. A rise is reported at each
suppression on a changed line. A suppression with a reasoned allow for the rule is not counted.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections import Counter
from fnmatch import fnmatch
from typing import TYPE_CHECKING

from typing_extensions import override

from qualitykit.fingerprints import normalise_code_line
from qualitykit.policy import yamlnodes as y
from qualitykit.policy.allows import text_allows
from qualitykit.policy.pathglobs import spec
from qualitykit.policy.project import as_strings
from qualitykit.policy.rule import Hit, Rule

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from qualitykit.policy.project import PolicyProject
    from qualitykit.policy.rule import RuleOptions

_PYTHON = (".py", ".pyi")
_SKIP_NAMES = frozenset({"skip", "skipif", "xfail", "skipIf", "skipUnless", "expectedFailure"})
_SKIP_OWNERS = frozenset({"pytest", "mark", "unittest"})


def comment_lines(text: str, pattern: re.Pattern[str]) -> list[int]:
    """Lines whose comment matches ``pattern`` (string literals never count)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    # qualitykit: allow[QK-EXC-002] untokenizable text has no comments to count
    except (tokenize.TokenError, SyntaxError):
        return []
    return [
        token.start[0]
        for token in tokens
        if token.type == tokenize.COMMENT and pattern.search(token.string)
    ]


def skip_lines(text: str) -> list[int]:
    """Lines of ``pytest.mark.skip/skipif/xfail``, ``pytest.skip(...)``, ``unittest.skip*``."""
    try:
        tree = ast.parse(text)
    # qualitykit: allow[QK-EXC-002] unparseable text has no marks to count
    except (SyntaxError, ValueError):
        return []
    found: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in _SKIP_NAMES:
            owner = node.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if name in _SKIP_OWNERS:
                found.append(node.lineno)
    return found


def _pre_commit_exclude(project: PolicyProject) -> re.Pattern[str] | None:
    if project.pre_commit is None:
        return None
    text = y.scalar(y.get(project.yaml_node(project.pre_commit), "exclude"))
    try:
        return re.compile(text) if text else None
    except re.error:  # qualitykit: allow[QK-EXC-002] an invalid pattern excludes nothing
        return None


def declared_unchecked(project: PolicyProject, *, coverage: bool) -> Callable[[str], bool]:
    """Whether the project declares a file not its own code to check.

    Ruff's `exclude` and `extend-exclude`, pre-commit's top-level `exclude` and, with
    ``coverage``, coverage's `omit`: a suppression in a vendored module or in a formatter's
    test data suppresses nothing.
    """
    ruff = project.table("tool", "ruff")
    globs = [*as_strings(ruff.get("exclude")), *as_strings(ruff.get("extend-exclude"))]
    ruff_spec = spec(tuple(glob.removeprefix("./") for glob in globs))
    omitted: object = project.table("tool", "coverage", "run").get("omit") if coverage else None
    omit = [omitted] if isinstance(omitted, str) else as_strings(omitted)
    excluded = _pre_commit_exclude(project)

    def unchecked(name: str) -> bool:
        return (
            ruff_spec.match_file(name)
            or (excluded is not None and excluded.search(name) is not None)
            or any(fnmatch(name, pattern) for pattern in omit)
        )

    return unchecked


class SuppressionCount(Rule):
    """One kind of suppression, counted per changed Python file against the base."""

    family = "integrity"
    needs_base = True

    def __init__(
        self, rule_id: str, kind: str, finder: Callable[[str], list[int]], fix: str
    ) -> None:
        """A rule for ``kind``, whose occurrences ``finder`` lists by line."""
        self.id = rule_id
        self.kind = kind
        self.title = f"more {kind} than on the base"
        self.finder = finder
        self.fix = fix

    def _count(self, name: str, text: str | None) -> list[int]:
        if text is None:
            return []
        allowed = {
            line
            for allow in text_allows(name, text)
            if self.id in allow.rules
            for line in allow.covers
        }
        return [line for line in self.finder(text) if line not in allowed]

    def _texts(self, name: str, text: str | None) -> Counter[str]:
        lines = (text or "").splitlines()
        return Counter(normalise_code_line(lines[n - 1]) for n in self._count(name, text))

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        base = project.base
        if base is None:
            return
        unchecked = declared_unchecked(project, coverage=self.id == "QK-INT-073")
        files = [n for n in base.modified if n.endswith(_PYTHON) and not unchecked(n)]
        before = {name: self._texts(name, base.text(name)) for name in files}
        after = {name: self._texts(name, project.text(name)) for name in files}
        # A suppressed line that left one file and arrived in another moved (tests split into
        # modules): it is not a new suppression.
        moved: Counter[str] = Counter()
        for name in files:
            moved.update(before[name] - after[name])
        for name in files:
            added = after[name] - before[name]
            if after[name].total() <= before[name].total() or not project.in_scope(name):
                continue
            fresh = added - moved
            moved -= added
            if fresh:
                yield from self._report(project, name, fresh, (before[name], after[name]))

    def _report(
        self,
        project: PolicyProject,
        name: str,
        fresh: Counter[str],
        counts: tuple[Counter[str], Counter[str]],
    ) -> Iterator[Hit]:
        base = project.base
        changed: frozenset[int] = base.changed.get(name, frozenset()) if base else frozenset()
        ref = base.ref if base is not None else ""
        lines = project.lines(name)
        message = f"{self.kind} in {name}: {counts[0].total()} → {counts[1].total()} since {ref}"
        occurrences = self._count(name, project.text(name))
        new = [
            line
            for line in occurrences
            if line in changed and normalise_code_line(lines[line - 1]) in fresh
        ]
        for line in new or occurrences[:1]:
            yield Hit(name, line, message)


def _comment(pattern: str) -> Callable[[str], list[int]]:
    compiled = re.compile(pattern)
    return lambda text: comment_lines(text, compiled)


RULES: tuple[Rule, ...] = (
    SuppressionCount(
        "QK-INT-070", "`# noqa`", _comment(r"#\s*noqa\b"), "fix what ruff reports instead"
    ),
    SuppressionCount(
        "QK-INT-071",
        "`# type: ignore`",
        _comment(r"#\s*type:\s*ignore\b"),
        "fix the type error instead",
    ),
    SuppressionCount(
        "QK-INT-072",
        "`# pyright: ignore`",
        _comment(r"#\s*pyright:\s*ignore\b"),
        "fix the type error instead",
    ),
    SuppressionCount(
        "QK-INT-073",
        "`pragma: no cover`",
        _comment(r"pragma:\s*no\s*cover\b"),
        "test the code instead of excluding it",
    ),
    SuppressionCount(
        "QK-INT-074", "skip/xfail marks", skip_lines, "make the test pass instead of skipping it"
    ),
)
