"""The report's two curves as inline SVG, drawn by pygal (no hand-built SVG).

The charts carry only numbers and our own titles, never viewer text. pygal's external scripts
(tooltips from its website) are left out: the page must open with no network.
"""

from __future__ import annotations

import pygal
from pygal.style import CleanStyle

from .live_report import Curve

WIDTH, HEIGHT = 800, 260
MAJOR_LABELS = 8
"""About how many times along the x axis are written."""


def curve_svg(title: str, curve: Curve) -> str:
    """One curve as an ``<svg>`` element (no XML declaration) to put inside an HTML page."""
    chart = pygal.Line(
        js=[],
        disable_xml_declaration=True,
        show_legend=False,
        width=WIDTH,
        height=HEIGHT,
        style=CleanStyle,
        fill=True,
        show_dots=len(curve.values) <= 60,
        dots_size=2,
        show_minor_x_labels=False,
        x_labels_major_every=max(1, len(curve.values) // MAJOR_LABELS),
        truncate_label=-1,
        include_x_axis=True,
        explicit_size=False,
        no_data_text="no data",
    )
    chart.title = title
    chart.x_labels = curve.labels()
    chart.add(title, [round(value, 1) for value in curve.values])
    svg: str = chart.render(is_unicode=True)
    return svg
