"""Charts as inline SVG, drawn here so the page needs no script library and no network.

Every text is escaped; numbers are rounded to fixed decimals so the same inputs give the same
bytes.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from markupsafe import Markup

if TYPE_CHECKING:
    from collections.abc import Sequence

_BAR_HEIGHT = 18
_GAP = 6
_LABEL_WIDTH = 130
_CHART_WIDTH = 640
_VALUE_WIDTH = 70


def bar_chart(rows: Sequence[tuple[str, float]], title: str) -> Markup:
    """Horizontal bars, one per ``(label, seconds)``, longest bar = the largest value."""
    largest = max((value for _, value in rows), default=0.0) or 1.0
    span = _CHART_WIDTH - _LABEL_WIDTH - _VALUE_WIDTH
    height = len(rows) * (_BAR_HEIGHT + _GAP) + _GAP
    parts = [
        (
            f'<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" '
            f'width="{_CHART_WIDTH}" height="{height}" viewBox="0 0 {_CHART_WIDTH} {height}">'
        ),
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, value) in enumerate(rows):
        y = _GAP + index * (_BAR_HEIGHT + _GAP)
        width = max(1.0, span * value / largest)
        text_y = y + _BAR_HEIGHT - 5
        parts += [
            f'<text x="{_LABEL_WIDTH - 6}" y="{text_y}" text-anchor="end">{escape(label)}</text>',
            (
                f'<rect x="{_LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{_BAR_HEIGHT}">'
                f"<title>{escape(label)}: {value:.2f}s</title></rect>"
            ),
            f'<text x="{_LABEL_WIDTH + width + 4:.1f}" y="{text_y}">{value:.2f}s</text>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped


def sparkline(values: Sequence[float | None], title: str, *, width: int = 240) -> Markup:
    """A line through ``values`` (gaps where a run has no figure), last point marked."""
    height = 40
    known = [value for value in values if value is not None]
    low, high = (min(known), max(known)) if known else (0.0, 1.0)
    spread = (high - low) or 1.0
    step = (width - 8) / max(1, len(values) - 1)
    points: list[tuple[float, float]] = []
    segments: list[list[tuple[float, float]]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            segments.append([])
            continue
        # One value (or all equal): a flat line through the middle, not along the bottom.
        share = (value - low) / spread if high > low else 0.5
        point = (4 + index * step, height - 4 - (height - 8) * share)
        segments[-1].append(point)
        points.append(point)
    parts = [
        (
            f'<svg class="spark" role="img" xmlns="http://www.w3.org/2000/svg" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        ),
        f"<title>{escape(title)}</title>",
    ]
    for segment in segments:
        if segment:
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
            parts.append(f'<polyline fill="none" points="{coords}"/>')
    if points:
        x, y = points[-1]
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped
