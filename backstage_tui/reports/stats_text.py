"""`render_stats_text`: the creator's lives over time as plain lines for a terminal.

Tables (a row a live, a row a week, then all lives), a bar chart of lives a week and a sparkline of
every number across the lives and across the weeks, in plain text: nothing here needs Textual, and
the lines fit `width` columns (80 by default). Titles come from logs, so they go through
`safetext.display` and are cut to the room left on their line.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..safetext import display
from ..session.report import clock
from ..session.stats import (
    LIVE_FIELDS,
    LIVES_FIELD,
    PERIOD_FIELDS,
    LiveStats,
    PeriodStats,
    StatField,
    StatsReport,
    Value,
    live_value,
)
from .sections import sparkline

WIDTH = 80
"""The width the output fits when the terminal's is not known (a pipe, a file)."""
NO_VALUE = "-"
"""A number the logs cannot tell (an old summary's average viewers, a week without lives)."""
UNCLEAN_MARK = "!"
"""Before the title of a live whose log did not close cleanly (its numbers are folded)."""
BAR = "█"
LABEL_WIDTH = 19
"""The label column of the charts."""
TITLE_MIN = 12
"""Room kept for a live's title, however narrow the terminal."""


def format_value(value: Value, stat: StatField) -> str:
    if value is None:
        return NO_VALUE
    if stat.kind == "duration":
        return clock(value)
    if stat.kind == "decimal":
        return f"{value:,.1f}"
    return f"{round(value):,}"


def _columns(headings: Sequence[str], rows: Sequence[Sequence[str]], left: int) -> list[str]:
    """Aligned columns two spaces apart: the first `left` ones to the left, the rest (numbers)
    to the right."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headings)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.ljust(widths[i]) if i < left else cell.rjust(widths[i])
            for i, cell in enumerate(cells)
        ).rstrip()

    return [line(headings), *(line(r) for r in rows)]


def _started(live: LiveStats) -> str:
    return live.started.astimezone().strftime("%Y-%m-%d %H:%M")


def lives_table(lives: Sequence[LiveStats], width: int = WIDTH) -> list[str]:
    """A row a live, oldest first; its title last, cut to what is left of `width`."""
    headings = ["started", *(f.heading for f in LIVE_FIELDS)]
    rows = [
        [_started(live), *(format_value(live_value(live, f), f) for f in LIVE_FIELDS)]
        for live in lives
    ]
    lines = _columns(headings, rows, left=1)
    room = max(TITLE_MIN, width - len(lines[0]) - 2)
    out = [f"{lines[0]}  title"]
    for line, live in zip(lines[1:], lives, strict=True):
        mark = UNCLEAN_MARK if not live.closed_cleanly else ""
        title = display(live.title, 200) or NO_VALUE
        title = mark + title
        if len(title) > room:
            title = title[: room - 1] + "…"
        out.append(f"{line}  {title}")
    return out


def weeks_table(report: StatsReport) -> list[str]:
    """A row a week (its Monday), then all lives together."""
    headings = ["week of", *(f.heading for f in PERIOD_FIELDS)]

    def row(label: str, period: PeriodStats) -> list[str]:
        return [label, *(format_value(period.value(f), f) for f in PERIOD_FIELDS)]

    rows = [row(str(week.start), week) for week in report.weeks]
    rows.append(row("all", report.overall))
    return _columns(headings, rows, left=1)


def bar_chart(labels: Sequence[str], values: Sequence[int], width: int = WIDTH) -> list[str]:
    """One bar a value, the longest filling the line; the value after its bar."""
    if not values:
        return []
    room = max(10, width - LABEL_WIDTH - len(f"{max(values):,}") - 1)
    top = max(values) or 1
    out = []
    for label, value in zip(labels, values, strict=True):
        bar = BAR * max(1, round(value * room / top)) + " " if value > 0 else ""
        out.append(f"{label:<{LABEL_WIDTH}}{bar}{value:,}")
    return out


def _span(values: Sequence[Value], stat: StatField) -> str:
    """The lowest and highest of `values` (those known)."""
    known = [v for v in values if v is not None]
    if not known:
        return NO_VALUE
    return f"{format_value(min(known), stat)} to {format_value(max(known), stat)}"


def trend_line(label: str, values: Sequence[Value], stat: StatField) -> str:
    """`label`, a sparkline of `values` (a blank for an unknown one) and their lowest and
    highest."""
    chars = sparkline([0.0 if v is None else float(v) for v in values])
    spark = "".join(" " if v is None else c for v, c in zip(values, chars, strict=True))
    return f"{label:<{LABEL_WIDTH}}{spark}  {_span(values, stat)}"


def _trends(
    heading: str, series: Sequence[tuple[StatField, Sequence[Value]]], width: int
) -> list[str]:
    """A sparkline a number, all of the same newest values (as many as the widest line lets
    fit in `width`), so a column of the chart is one live or one week."""
    total = len(series[0][1]) if series else 0
    widest_span = max((len(_span(values, stat)) for stat, values in series), default=0)
    room = max(8, width - LABEL_WIDTH - 2 - widest_span)
    shown = min(total, room)
    newest = f", the newest {shown} of {total}" if shown < total else ""
    return [
        f"{heading}{newest}",
        *(
            trend_line(stat.title.lower(), list(values)[total - shown :], stat)
            for stat, values in series
        ),  # fmt: skip
    ]


def summary_lines(report: StatsReport) -> tuple[list[str], str]:
    """What the report covers (two short lines), and a line on the lives whose logs did not
    close cleanly (``""`` when all did)."""
    lives, weeks = report.lives, report.weeks
    first, last = weeks[0].start, weeks[-1].start
    hours = format_value(report.overall.value(LIVE_FIELDS[0]), LIVE_FIELDS[0])
    count = f"{len(lives):,} {'live' if len(lives) == 1 else 'lives'}"
    covers = (
        [f"{count} in the week of {first}:"]
        if first == last
        else [f"{count} from the week of {first} to the week of {last} ({len(weeks):,} weeks):"]
    )
    covers.append(
        f"{report.lives_a_week:.1f} a week, live in {report.weeks_live:,} of {len(weeks):,} "
        f"{'week' if len(weeks) == 1 else 'weeks'}, {hours} live in all."
    )
    unclean = (
        f"{UNCLEAN_MARK} {report.unclean:,} did not close cleanly: their numbers are folded "
        "from their events"
        if report.unclean
        else ""
    )
    return covers, unclean


def render_stats_text(report: StatsReport, width: int = WIDTH) -> list[str]:
    """The whole report (at least one live): what it covers, the tables, then the charts."""
    lives, weeks = report.lives, report.weeks
    covers, unclean = summary_lines(report)
    out = [*covers, *([unclean] if unclean else [])]
    out += ["", "Lives, oldest first", *lives_table(lives, width)]
    out += ["", "Weeks, Monday to Sunday", *weeks_table(report)]
    out += ["", "Lives a week"]
    out += bar_chart(
        [str(week.start) for week in weeks],
        [len(week.lives) for week in weeks],
        width,
    )
    out += [""] + _trends(
        "Trends by live, oldest to newest",
        [(f, [live_value(live, f) for live in lives]) for f in LIVE_FIELDS],
        width,
    )
    out += [""] + _trends(
        "Trends by week, oldest to newest",
        [(f, [week.value(f) for week in weeks]) for f in (LIVES_FIELD, *LIVE_FIELDS)],
        width,
    )
    return out
