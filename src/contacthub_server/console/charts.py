"""Charts as inline SVG, drawn on the server: no script, no chart library, nothing fetched.

Two kinds, enough for the dashboard: columns over time (`columns`) and horizontal bars of a
composition (`bars`). Each bar carries ``data-label`` and ``data-value`` and a ``<title>`` (the
browser's tooltip), and every label is escaped. Sizes are in the SVG's own units; the stylesheet
scales the SVG to its card's width.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

#: The colours of the charts (the stylesheet's accent first).
ACCENT = "#0b63c5"
SECOND = "#7a5af8"
MUTED = "#98a2b3"
INK = "#1d2330"


def _nice_top(value: int) -> int:
    """A round number at least ``value`` for the top of the axis (1, 2, 5 times a power of 10)."""
    if value <= 0:
        return 1
    scale = 1
    while True:
        for step in (1, 2, 5):
            if step * scale >= value:
                return step * scale
        scale *= 10


def _number(value: int) -> str:
    return f"{value:,}"


def _tick(value: float) -> str:
    """An axis label: whole numbers as such, a half (the middle of a small axis) with its .5."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def columns(
    points: Sequence[tuple[str, int]],
    *,
    label: str,
    color: str = ACCENT,
    width: int = 640,
    height: int = 220,
) -> Markup:
    """Vertical bars, one per ``(label, value)`` in order, with a value axis and some labels."""
    left, right, top, bottom = 48, 8, 12, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_top(max((v for _, v in points), default=0))
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(label)}" viewBox="0 0 {width} {height}"'
        f' xmlns="http://www.w3.org/2000/svg" data-chart="{escape(label)}">',
        f"<title>{escape(label)}</title>",
    ]
    for fraction in (0, 0.5, 1):
        y = top + plot_h * (1 - fraction)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e4e7ec"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="{MUTED}">'
            f"{_tick(peak * fraction)}</text>"
        )
    count = max(1, len(points))
    slot = plot_w / count
    bar = max(1.0, slot * 0.8)
    every = max(1, round(count / 8))  # at most about eight labels under the axis
    for i, (name, value) in enumerate(points):
        x = left + i * slot + (slot - bar) / 2
        h = plot_h * value / peak
        title = f"{name}: {_number(value)}"
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}"'
            f' height="{h:.1f}" fill="{color}" data-label="{escape(name)}" data-value="{value}">'
            f"<title>{escape(title)}</title></rect>"
        )
        if i % every == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle"'
                f' font-size="11" fill="{MUTED}">{escape(name)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def bars(
    points: Sequence[tuple[str, int]],
    *,
    label: str,
    color: str = ACCENT,
    width: int = 600,
) -> Markup:
    """Horizontal bars, one per ``(label, value)`` in order, each with its count and share."""
    row, left, right, top = 26, 130, 110, 6
    height = top * 2 + row * max(1, len(points))
    total = sum(v for _, v in points)
    peak = max((v for _, v in points), default=0) or 1
    plot_w = width - left - right
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(label)}" viewBox="0 0 {width} {height}"'
        f' xmlns="http://www.w3.org/2000/svg" data-chart="{escape(label)}">',
        f"<title>{escape(label)}</title>",
    ]
    for i, (name, value) in enumerate(points):
        y = top + i * row
        w = plot_w * value / peak
        share = f"{100 * value / total:.1f}%" if total else "0%"
        shown = name if len(name) <= 18 else name[:17] + "…"
        parts.append(
            f'<text x="{left - 8}" y="{y + 17}" text-anchor="end" font-size="12" fill="{INK}">'
            f"{escape(shown)}</text>"
            f'<rect class="bar" x="{left}" y="{y + 5}" width="{max(w, 1.0) if value else 0:.1f}"'
            f' height="{row - 10}" rx="3" fill="{color}" data-label="{escape(name)}"'
            f' data-value="{value}"><title>{escape(f"{name}: {_number(value)} ({share})")}</title>'
            f"</rect>"
            f'<text x="{left + w + 6:.1f}" y="{y + 17}" font-size="12" fill="{MUTED}">'
            f"{_number(value)} · {share}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
