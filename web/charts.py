"""Small bar charts drawn on the server as SVG (no chart library): one bar a row, its label above
it and its number at its end, each row a link to the list it counts. The drawing is 360 units
wide, about a phone's width, so its 13-unit text stays at least 12 px tall there."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 360
ROW = 40  # units per row: a label line and a bar
BAR = 14


def bars(title: str, rows: Sequence[tuple[str, int, str]], colour: str = "#0b3d2e") -> Markup:
    """An SVG bar chart of (label, number, link) rows, titled `title` for screen readers."""
    most = max((n for _, n, _ in rows), default=0) or 1
    height = ROW * len(rows) + 4
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="group" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    ]
    for i, (label, n, href) in enumerate(rows):
        top = i * ROW
        length = max(round((WIDTH - 60) * n / most), 2 if n else 0)
        parts.append(
            f'<a href="{escape(href)}"><text x="0" y="{top + 14}" font-size="13" '
            f'font-family="system-ui, sans-serif" fill="#111">{escape(label)}</text>'
            f'<rect x="0" y="{top + 20}" width="{length}" height="{BAR}" rx="3" fill="{colour}"/>'
            f'<text x="{length + 6}" y="{top + 32}" font-size="13" font-weight="700" '
            f'font-family="system-ui, sans-serif" fill="#111">{n}</text></a>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
