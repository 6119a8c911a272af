"""The "where we are" crop of a drawn diagram: the same SVG with its viewBox around the open
elements (its `data-focus`), at a size whose text stays readable on a phone.

A phone shows the crop before the whole diagram: at about 360 px of screen for `WIDTH` units of
drawing, the diagram's 13-unit text is about 15 px tall, and never under 12 px on a 300 px box.
"""

from __future__ import annotations

from lxml import etree

from engine.views.diagram import SVG

WIDTH = 300.0  # drawing units across the crop
HEIGHT = 240.0  # at least; more when the open elements are stacked
MOST_HEIGHT = 560.0


def crop(svg: str, title: str = "") -> str:
    """The crop of `svg` (as `diagram.render` drew it), or "" when nothing in it is open."""
    root = etree.fromstring(svg.encode("utf-8"))
    focus = root.get("data-focus")
    if not focus:
        return ""
    x, y, w, h = (float(v) for v in focus.split())
    height = min(max(HEIGHT, h + 80), MOST_HEIGHT)
    left = x + w / 2 - WIDTH / 2
    top = y + h / 2 - height / 2 if h + 80 <= MOST_HEIGHT else y - 40
    root.set("viewBox", f"{left:.0f} {top:.0f} {WIDTH:.0f} {height:.0f}")
    root.set("width", f"{WIDTH:.0f}")
    root.set("height", f"{height:.0f}")
    root.set("class", "bpmn-crop")
    _rename_arrow(root)
    found = root.find(f"{{{SVG}}}title")
    if found is not None and title:
        found.text = title
    return etree.tostring(root, encoding="unicode")


def _rename_arrow(root: etree._Element) -> None:
    """The copy's arrow head gets an id of its own: two elements of a page may not share one."""
    for marker in root.iter(f"{{{SVG}}}marker"):
        old = marker.get("id", "")
        marker.set("id", old + "-potongan")
        for line in root.iter(f"{{{SVG}}}polyline"):
            if line.get("marker-end") == f"url(#{old})":
                line.set("marker-end", f"url(#{old}-potongan)")
