"""The creator's lives over time: what ``backstage sessions stats`` prints and charts.

One `LiveStats` a session log, then the same numbers summed up by week (Monday to Sunday, in the
creator's time zone) and over every live: how many lives a week, how long, peak and average
viewers, comments a minute, new followers and diamonds. The platform's own analytics show one live
at a time; this is the view across them ("stay consistent").

Each live is read as the session list reads it (`catalog.read_entry`: the header and the tail): a
log that closed cleanly holds its totals in its summary line, so a folder of hundreds of lives
answers at once. A log that did not close cleanly (a crash, a power cut) is folded line by line
through the console's stats reducer (`StatsState`, the very reducer whose numbers the summary
holds), streamed in batches, so memory stays bounded whatever its size.

Every number has one definition in `LIVE_FIELDS`: its JSON key, its column, its chart title and how
a week adds it up. The terminal table, ``--json`` and the HTML page all read that table.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, Literal

from ..state.stats import StatsState
from .catalog import SessionEntry, header_title, read_entry
from .collector import collector_paused
from .reader import SessionLogError, SessionReader

MIN_MINUTES = 1.0
"""A live shorter than a minute counts as one when its comments are put per minute (so a 5-second
test live does not show 600 comments a minute)."""


@dataclass(frozen=True)
class LiveStats:
    """One live's numbers. `average_viewers` is None when the log cannot tell (no viewer counts,
    or a summary written before it was kept)."""

    path: Path
    started: datetime
    title: str
    source: str
    closed_cleanly: bool
    duration_s: float
    events: int
    peak_viewers: int
    average_viewers: float | None
    comments: int
    follows: int
    diamonds: int

    @property
    def minutes(self) -> float:
        """The live's length in minutes for rates and weights (at least `MIN_MINUTES`)."""
        return max(self.duration_s / 60.0, MIN_MINUTES)

    @property
    def comments_per_minute(self) -> float:
        return self.comments / self.minutes


Combine = Literal["sum", "max", "weighted"]
"""How a week (or all lives) adds up a live's number: a total, the highest, or the mean weighted
by each live's length (an average of averages would let a 5-minute live count as much as a
3-hour one)."""
Kind = Literal["count", "duration", "decimal"]
"""How a number is written: ``1,234``, ``1:02:03``, ``12.3``."""


@dataclass(frozen=True)
class StatField:
    """One number of the stats, as every output shows it."""

    key: str
    """Its JSON key (and `LiveStats` attribute)."""
    heading: str
    """Its column in the terminal tables (short: they fit 80 columns)."""
    title: str
    """Its chart's title."""
    kind: Kind
    combine: Combine


LIVE_FIELDS: tuple[StatField, ...] = (
    StatField("duration_s", "duration", "Time live", "duration", "sum"),
    StatField("peak_viewers", "peak", "Peak viewers", "count", "max"),
    StatField("average_viewers", "avg", "Average viewers", "count", "weighted"),
    StatField("comments_per_minute", "com/min", "Comments a minute", "decimal", "weighted"),
    StatField("follows", "follows", "New followers", "count", "sum"),
    StatField("diamonds", "diamonds", "Diamonds", "count", "sum"),
)
"""The numbers of a live, in the order every output shows them."""
LIVES_FIELD = StatField("lives", "lives", "Lives a week", "count", "sum")
"""How many lives a week (or in all): the consistency the trends are about."""
PERIOD_FIELDS: tuple[StatField, ...] = (LIVES_FIELD, *LIVE_FIELDS)
"""The numbers of a week, and of every live together."""

Value = float | int | None


def live_value(live: LiveStats, stat: StatField) -> Value:
    value: Value = getattr(live, stat.key)
    return value


def combine(lives: Sequence[LiveStats], stat: StatField) -> Value:
    """The lives' number for a week or for all of them, as `stat.combine` says; None when none of
    the lives can tell it (a week without lives has no average)."""
    if stat is LIVES_FIELD:
        return len(lives)
    known = [(live, v) for live in lives if (v := live_value(live, stat)) is not None]
    if stat.combine == "sum":
        return sum(v for _, v in known)
    if not known:
        return None
    if stat.combine == "max":
        return max(v for _, v in known)
    weight = sum(live.minutes for live, _ in known)
    return sum(v * live.minutes for live, v in known) / weight


@dataclass(frozen=True)
class PeriodStats:
    """Lives taken together: one week (`start` its Monday) or all of them (`start` None)."""

    start: date | None
    lives: tuple[LiveStats, ...]
    values: dict[str, Value] = field(compare=False)

    @classmethod
    def of(cls, start: date | None, lives: Sequence[LiveStats]) -> PeriodStats:
        return cls(start, tuple(lives), {f.key: combine(lives, f) for f in PERIOD_FIELDS})

    def value(self, stat: StatField) -> Value:
        return self.values[stat.key]


@dataclass(frozen=True)
class StatsReport:
    """Every live read (oldest first), by week (every week from the first live's to the last
    one's, weeks without a live included: a gap is part of the trend), and all together."""

    lives: tuple[LiveStats, ...]
    weeks: tuple[PeriodStats, ...]
    overall: PeriodStats
    skipped: tuple[tuple[Path, str], ...] = ()
    """Files named like logs that could not be read (path, why)."""

    @property
    def lives_a_week(self) -> float:
        return len(self.lives) / len(self.weeks) if self.weeks else 0.0

    @property
    def weeks_live(self) -> int:
        """Weeks with at least one live: how consistent the creator has been."""
        return sum(bool(week.lives) for week in self.weeks)

    @property
    def unclean(self) -> int:
        return sum(not live.closed_cleanly for live in self.lives)

    def to_json(self) -> dict[str, Any]:
        """The report for scripts: plain JSON types, times in ISO 8601, numbers unrounded but for
        the rates (3 decimals), fields named as in `LIVE_FIELDS`."""
        return {
            "lives": [live_json(live) for live in self.lives],
            "weeks": [period_json(week) for week in self.weeks],
            "all": {
                **period_json(self.overall),
                "lives_a_week": round(self.lives_a_week, 3),
                "weeks": len(self.weeks),
                "weeks_live": self.weeks_live,
            },
            "skipped": [{"path": str(path), "why": why} for path, why in self.skipped],
        }


def _json_number(value: Value) -> Value:
    return round(value, 3) if isinstance(value, float) else value


def live_json(live: LiveStats) -> dict[str, Any]:
    return {
        "path": str(live.path),
        "started": live.started.isoformat(),
        "title": live.title,
        "source": live.source,
        "closed_cleanly": live.closed_cleanly,
        "events": live.events,
        "comments": live.comments,
        **{f.key: _json_number(live_value(live, f)) for f in LIVE_FIELDS},
    }


def period_json(period: PeriodStats) -> dict[str, Any]:
    head = {"week": period.start.isoformat()} if period.start is not None else {}
    return {**head, **{f.key: _json_number(period.value(f)) for f in PERIOD_FIELDS}}


# -- reading the logs --


def live_from_entry(entry: SessionEntry) -> LiveStats | None:
    """The live from the session list's entry when its summary holds the totals; else None."""
    totals = entry.totals
    if totals is None:
        return None
    return LiveStats(
        path=entry.path,
        started=entry.started,
        title=entry.title,
        source=entry.source,
        closed_cleanly=True,
        duration_s=totals.uptime_s,
        events=totals.events,
        peak_viewers=totals.peak_viewers,
        average_viewers=totals.average_viewers,
        comments=totals.comments,
        follows=totals.follows,
        diamonds=totals.diamonds,
    )


def fold_live(path: Path) -> LiveStats:
    """The live from every line of its log, through the stats reducer (`SessionLogError` when it
    is not a log). Damaged lines are passed over, as `sessions show` passes over them. It says
    the log did not close cleanly: folding reads no summary (`read_lives` knows better)."""
    reader = SessionReader(path)
    assert reader.header is not None
    stats = StatsState()
    with collector_paused():
        for batch in reader.batches():
            for event in batch:
                stats.apply(event)
    title, _ = header_title(reader.header)
    return LiveStats(
        path=Path(path),
        started=reader.header.started,
        title=title,
        source=reader.header.source,
        closed_cleanly=False,
        duration_s=stats.uptime_s,
        events=stats.events,
        peak_viewers=stats.peak_viewers,
        average_viewers=stats.average_viewers,
        comments=stats.comments,
        follows=stats.follows,
        diamonds=stats.diamonds,
    )


def read_lives(
    paths: Iterable[Path],
    *,
    since: datetime | None = None,
    full: bool = False,
    fold: Callable[[Path], LiveStats] = fold_live,
) -> tuple[list[LiveStats], list[tuple[Path, str]]]:
    """The lives of `paths` that started at or after `since`, oldest first, and the files that
    are not logs (path, why). `full`: fold every log, even one whose summary has the totals."""
    lives: list[LiveStats] = []
    skipped: list[tuple[Path, str]] = []
    for path in paths:
        try:
            entry = read_entry(path)
            if since is not None and entry.started < since:
                continue
            live = None if full else live_from_entry(entry)
            if live is None:
                # Folded because asked (`full`) or because the log has no summary: whether it
                # closed cleanly is still the list's answer.
                live = dataclasses.replace(fold(path), closed_cleanly=entry.closed_cleanly)
            lives.append(live)
        except SessionLogError as exc:
            skipped.append((path, str(exc)))
    lives.sort(key=lambda live: (live.started, live.path.name))
    return lives, skipped


# -- weeks --


def week_of(moment: datetime, tz: tzinfo | None = None) -> date:
    """The Monday of the week `moment` falls in, in `tz` (None: the local time zone)."""
    day = moment.astimezone(tz).date()
    return day - timedelta(days=day.weekday())


def build_report(
    lives: Sequence[LiveStats],
    skipped: Sequence[tuple[Path, str]] = (),
    *,
    tz: tzinfo | None = None,
) -> StatsReport:
    """Lives (any order) by week in `tz` (None: the local time zone) and all together."""
    ordered = sorted(lives, key=lambda live: (live.started, live.path.name))
    by_week: dict[date, list[LiveStats]] = {}
    for live in ordered:
        by_week.setdefault(week_of(live.started, tz), []).append(live)
    weeks: list[PeriodStats] = []
    if by_week:
        monday, last = min(by_week), max(by_week)
        while monday <= last:
            weeks.append(PeriodStats.of(monday, by_week.get(monday, [])))
            monday += timedelta(days=7)
    return StatsReport(
        lives=tuple(ordered),
        weeks=tuple(weeks),
        overall=PeriodStats.of(None, ordered),
        skipped=tuple(skipped),
    )
