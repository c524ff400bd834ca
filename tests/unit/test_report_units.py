"""The report's pure parts: forge URLs, the embedded JSON's escaping, the SVG charts."""

from __future__ import annotations

import json
import re

import pytest

from qualitykit.report.forge import forge_for
from qualitykit.report.render import embed_json
from qualitykit.report.svg import bar_chart, sparkline

COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    ("url", "prefix"),
    [
        ("git@github.com:owner/name.git", f"https://github.com/owner/name/blob/{COMMIT}/"),
        ("https://github.com/owner/name", f"https://github.com/owner/name/blob/{COMMIT}/"),
        (
            "https://x-access-token:ghs_secret@github.com/owner/name.git",
            f"https://github.com/owner/name/blob/{COMMIT}/",
        ),
        (
            "ssh://git@gitlab.com:2222/group/sub/name.git",
            f"https://gitlab.com/group/sub/name/-/blob/{COMMIT}/",
        ),
        ("git@GitHub.Example.ORG:o/n.git", f"https://github.example.org/o/n/blob/{COMMIT}/"),
        ("https://bitbucket.org/owner/name.git", None),
        ("file:///srv/git/name.git", None),
        ("/srv/git/name.git", None),
        ("https://github.com/just-owner", None),
        ("https://github.com/owner/na me", None),
    ],
)
def test_forge_from_remote(url: str, prefix: str | None) -> None:
    """GitHub and GitLab remotes in every spelling; credentials and ports never kept."""
    forge = forge_for(url, COMMIT)
    assert (forge.prefix if forge else None) == prefix


def test_forge_needs_a_commit_id() -> None:
    """Links point at a commit id (HEAD's), so they stay right when the branch moves on."""
    assert forge_for("git@github.com:o/n.git", "main") is None


def test_blob_link_quotes_the_path() -> None:
    """Spaces and ``#`` in a path are quoted: the anchor is the line, not part of the name."""
    forge = forge_for("git@github.com:o/n.git", COMMIT)
    assert forge is not None
    assert forge.blob("a dir/x#y.py", 3).endswith("/a%20dir/x%23y.py#L3")
    assert forge.blob("a.py", None).endswith("/a.py")


def test_embedded_json_cannot_close_its_element() -> None:
    """``</script>``, ``<!--`` and ``&`` are escapes in the text, the same data once parsed."""
    data = {"m": ["</script><script>alert(1)</script>", "<!-- x", "a & b", "\u2028"]}
    text = str(embed_json(data))
    assert "<" not in text
    assert ">" not in text
    assert "&" not in text
    assert json.loads(text) == data


def test_bar_chart_escapes_labels_and_scales() -> None:
    """The longest bar is the largest value; a label is text, never markup."""
    svg = str(bar_chart([("<b>x</b>", 1.0), ("y", 4.0)], "t"))
    assert "<b>" not in svg
    assert "&lt;b&gt;x&lt;/b&gt;" in svg
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]
    assert widths[1] == pytest.approx(4 * widths[0])


def test_sparkline_gaps_and_flat_series() -> None:
    """A run without a figure breaks the line; equal values draw a flat line mid-height."""
    svg = str(sparkline([1.0, None, 2.0, 3.0], "t"))
    assert svg.count("<polyline") == 2
    flat = str(sparkline([5.0, 5.0], "t"))
    assert 'points="4.0,20.0 236.0,20.0"' in flat
    assert "<polyline" not in str(sparkline([None, None], "t"))
