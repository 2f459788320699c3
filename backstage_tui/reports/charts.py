"""The report's curves, and the stats' trends, as inline SVG drawn by pygal (no hand-built SVG).

The charts carry only numbers and our own titles, never viewer text. pygal's external scripts
(tooltips from its website) are left out: the page must open with no network.
"""

from __future__ import annotations

from collections.abc import Sequence

import pygal
from pygal.style import CleanStyle

from .live_report import Curve

WIDTH, HEIGHT = 800, 260
MAJOR_LABELS = 8
"""About how many times along the x axis are written."""


def curve_svg(title: str, curve: Curve) -> str:
    """One curve as an ``<svg>`` element (no XML declaration) to put inside an HTML page."""
    return series_svg(title, curve.labels(), [round(value, 1) for value in curve.values])


def series_svg(
    title: str,
    labels: Sequence[str],
    values: Sequence[float | int | None],
    *,
    bars: bool = False,
) -> str:
    """Values over labelled points (a None leaves a gap) as an ``<svg>`` element: a filled line,
    or bars (`bars`: counts such as lives a week). The curves of one live and the trends across
    lives (`stats_html`) are drawn alike."""
    options = {
        "js": [],
        "disable_xml_declaration": True,
        "show_legend": False,
        "width": WIDTH,
        "height": HEIGHT,
        "style": CleanStyle,
        "show_minor_x_labels": False,
        "x_labels_major_every": max(1, len(values) // MAJOR_LABELS),
        "truncate_label": -1,
        "include_x_axis": True,
        "explicit_size": False,
        "no_data_text": "no data",
    }
    chart = (
        pygal.Bar(**options)
        if bars
        else pygal.Line(**options, fill=True, show_dots=len(values) <= 60, dots_size=2)
    )
    chart.title = title
    chart.x_labels = list(labels)
    chart.add(title, list(values))
    svg: str = chart.render(is_unicode=True)
    return svg
