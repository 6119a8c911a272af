"""Diagrams on the pages: the `potongan` filter draws the "where we are" crop of a diagram's SVG."""

from __future__ import annotations

from flask import Blueprint
from markupsafe import Markup

from engine.views.diagram_crop import crop

bp = Blueprint("diagrams", __name__)


@bp.app_template_filter("potongan")
def potongan(svg: str, title: str = "") -> Markup:
    """The crop of a diagram drawn by the engine (built with lxml: every name in it is escaped)."""
    return Markup(crop(str(svg), title))
