"""`render_html`: the live's report as one self-contained HTML page (no network, charts inline).

jinja2 with autoescape on for every value: each name, title and question is a stranger's text.
The only markup not escaped is the charts' SVG, which pygal drew from numbers (`charts.py`).
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from .. import APP_NAME, __version__
from ..safetext import display
from .charts import curve_svg
from .live_report import LiveReport

TEMPLATE = "live_report.html.j2"


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader(__package__ or "backstage_tui.reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(report: LiveReport) -> str:
    charts = [
        ("Viewers", Markup(curve_svg("Viewers", report.viewers_curve))),  # noqa: S704 - pygal's SVG of numbers
        (
            "Comments a minute",
            Markup(curve_svg("Comments a minute", report.comments_curve)),  # noqa: S704
        ),
    ]
    return (
        _environment()
        .get_template(TEMPLATE)
        .render(
            title=display(report.title, 200) if report.title else "Untitled live",
            tags=[display(tag, 40) for tag in report.tags],
            sections=report.sections(),
            charts=charts,
            app=f"{APP_NAME} {__version__}",
        )
    )
