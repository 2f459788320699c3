"""`render_stats_html`: the creator's lives over time as one self-contained HTML page.

The same numbers and charts as the terminal's ``sessions stats`` (`stats_text`): lives a week as
bars, every number of `LIVE_FIELDS` by week and by live as curves, and the two tables. Drawn with
the end-of-live report's chart helper and page style (`charts.series_svg`, ``_page.css``), jinja2
autoescaping every value: a live's title is whatever was typed into the end-of-live form, and may
come from a log someone else wrote. No script, no network.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from .. import APP_NAME, __version__
from ..safetext import display
from ..session.stats import (
    LIVE_FIELDS,
    LIVES_FIELD,
    PERIOD_FIELDS,
    StatField,
    StatsReport,
    Value,
    live_value,
)
from .charts import series_svg
from .html import _environment
from .stats_text import NO_VALUE, format_value, summary_lines

TEMPLATE = "stats.html.j2"
PAGE_TITLE = "Lives over time"


def _chart(stat: StatField, labels: list[str], values: Sequence[Value]) -> Markup:
    """`stat` over `labels` as a curve; durations in hours (a chart's axis has no H:MM:SS)."""
    if stat.kind == "duration":
        hours = [None if v is None else round(v / 3600, 2) for v in values]
        return _svg(series_svg(f"{stat.title} (hours)", labels, hours))
    return _svg(series_svg(stat.title, labels, values))


def _svg(svg: str) -> Markup:
    return Markup(svg)  # noqa: S704 - pygal's SVG of numbers and our own titles


def render_stats_html(report: StatsReport) -> str:
    weeks = [str(week.start) for week in report.weeks]
    lives = [live.started.astimezone().strftime("%Y-%m-%d %H:%M") for live in report.lives]
    covers, unclean = summary_lines(report)
    week_rows = [
        [label, *(format_value(period.value(f), f) for f in PERIOD_FIELDS)]
        for label, period in [*zip(weeks, report.weeks, strict=True), ("all", report.overall)]
    ]
    live_rows = [
        [
            started,
            *(format_value(live_value(live, f), f) for f in LIVE_FIELDS),
            "yes" if live.closed_cleanly else "no",
            display(live.title, 200) or NO_VALUE,
        ]
        for started, live in zip(lives, report.lives, strict=True)
    ]
    return (
        _environment()
        .get_template(TEMPLATE)
        .render(
            title=PAGE_TITLE,
            summary=" ".join(covers),
            unclean=unclean,
            lives_chart=_svg(
                series_svg(
                    LIVES_FIELD.title, weeks, [len(week.lives) for week in report.weeks], bars=True
                )
            ),
            week_charts=[
                (f.title, _chart(f, weeks, [week.value(f) for week in report.weeks]))
                for f in LIVE_FIELDS
            ],
            live_charts=[
                (f.title, _chart(f, lives, [live_value(live, f) for live in report.lives]))
                for f in LIVE_FIELDS
            ],
            week_headings=[
                ("Week of", False),
                *(("Lives" if f is LIVES_FIELD else f.title, True) for f in PERIOD_FIELDS),
            ],
            week_rows=week_rows,
            live_headings=[
                ("Started", False),
                *((f.title, True) for f in LIVE_FIELDS),
                ("Closed cleanly", False),
                ("Title", False),
            ],
            numeric_cells=[False, *(True for _ in LIVE_FIELDS), False, False],
            live_rows=live_rows,
            app=f"{APP_NAME} {__version__}",
        )
    )
