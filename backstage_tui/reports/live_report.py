"""`LiveReport`: how a live went, one object for the summary screen, the Markdown and the HTML page.

It is computed from the session's events by folding them through the console's own reducers
(`ConsoleState`: stats, moderation, viewers, and the polls, questions and guests once they are
there), plus a small tally of what only a report needs (names for the top lists, diamonds per
gifter, the viewers and comments curves). So the report of a live, built when it ends, and the
report of the same log read back later are the same (`from_events`, `from_log`).

The object holds raw text (names, titles, questions as typed): each renderer sanitises it for its
medium (`sections` gives display-safe rows for all three).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..events import Comment, Event, Gift, Question, User, Viewers
from ..session.collector import collector_paused
from ..session.header import SessionHeader
from ..session.reader import SessionReader
from ..session.report import clock
from ..state import ConsoleState
from ..state.moderation import done_key
from .sections import Section, report_sections

TOP_N = 5
"""How many viewers the top chatters and top gifters list."""
BUCKET_S = 10.0
"""The curves are tallied in buckets of this many seconds of the session's clock..."""
MAX_POINTS = 120
"""...then merged so no curve has more points than this (a chart, a sparkline across a screen)."""


@dataclass(frozen=True)
class Ranked:
    """A viewer in a top list: who, and how many (messages, or diamonds)."""

    name: str
    handle: str
    count: int
    gifts: int = 0
    """For a gifter: how many gifts made those diamonds."""

    @property
    def who(self) -> str:
        """Raw: the display name and @handle, as the feed writes a viewer."""
        if self.handle and self.name and self.name != self.handle:
            return f"{self.name} @{self.handle}"
        return f"@{self.handle}" if self.handle else self.name


@dataclass(frozen=True)
class ModerationCount:
    """Actions of one kind with one effect (``hide`` · ``local``)."""

    kind: str
    effect: str
    count: int
    by_rules: int = 0
    """Of them, taken by the auto-moderation rules."""
    undone: int = 0


@dataclass(frozen=True)
class ReviewCounts:
    """What became of the messages the rules held for review."""

    approved: int = 0
    denied: int = 0
    lapsed: int = 0
    """Let go unreviewed by a full queue (it keeps the newest `REVIEW_QUEUE_MAX`)."""
    waiting: int = 0
    """Still in the queue when the live ended."""

    @property
    def held(self) -> int:
        return self.approved + self.denied + self.lapsed + self.waiting


@dataclass(frozen=True)
class PollResult:
    question: str
    options: tuple[tuple[str, int], ...]
    """(option, votes), in the poll's order."""
    platform: bool = False
    """Run by the platform's own app (TikTok's), not from chat."""

    @property
    def voters(self) -> int:
        return sum(votes for _, votes in self.options)


@dataclass(frozen=True)
class GuestTime:
    name: str
    seconds: float


@dataclass(frozen=True)
class Curve:
    """One value per `step_s` seconds of the live, from its start."""

    step_s: float
    values: tuple[float, ...]

    def labels(self) -> list[str]:
        """Each point's time from the start of the live, ``H:MM:SS``."""
        return [clock(i * self.step_s) for i in range(len(self.values))]


@dataclass
class LiveReport:
    source: str = ""
    title: str = ""
    tags: tuple[str, ...] = ()
    started: datetime | None = None
    app_version: str = ""
    log_path: Path | None = None
    duration_s: float = 0.0
    events: int = 0
    peak_viewers: int = 0
    average_viewers: float = 0.0
    comments: int = 0
    questions: int = 0
    likes: int = 0
    gifts: int = 0
    diamonds: int = 0
    follows: int = 0
    shares: int = 0
    joins: int = 0
    top_chatters: tuple[Ranked, ...] = ()
    top_gifters: tuple[Ranked, ...] = ()
    moderation: tuple[ModerationCount, ...] = ()
    review: ReviewCounts = field(default_factory=ReviewCounts)
    polls: tuple[PollResult, ...] = ()
    """Every poll of the live, oldest first, with its results."""
    questions_answered: int = 0
    guests: tuple[GuestTime, ...] = ()
    """Who was on screen with the host, and for how long in all."""
    viewers_curve: Curve = field(default_factory=lambda: Curve(BUCKET_S, ()))
    comments_curve: Curve = field(default_factory=lambda: Curve(BUCKET_S, ()))
    """Comments a minute over the live."""
    gaps: int = 0
    malformed: int = 0
    problems: tuple[str, ...] = ()
    """Damaged lines of the log, passed over (from a reader)."""

    @property
    def moderation_total(self) -> int:
        return sum(row.count for row in self.moderation)

    # -- building --

    @classmethod
    def from_events(
        cls,
        events: Iterable[Event],
        header: SessionHeader | None = None,
        *,
        log_path: Path | None = None,
    ) -> LiveReport:
        """The report of these events (a whole session, in order)."""
        fold = ReportFold()
        fold.apply_all(events)
        return fold.report(header, log_path=log_path)

    @classmethod
    def from_reader(cls, reader: SessionReader) -> LiveReport:
        """The report of a session log being read (damaged lines are skipped and listed)."""
        fold = ReportFold()
        with collector_paused():
            for batch in reader.batches():
                fold.apply_all(batch)
        report = fold.report(reader.header, log_path=reader.path)
        report.problems = tuple(str(problem) for problem in reader.problems)
        return report

    @classmethod
    def from_log(cls, path: Path) -> LiveReport:
        """The report of a saved session log (`SessionLogError` when it is not one)."""
        return cls.from_reader(SessionReader(path))

    # -- what every renderer shows --

    def sections(self, *, with_log: bool = True) -> list[Section]:
        """The report as headed rows of display-safe text, in the order every renderer shows them
        (see `sections.py`); `with_log`: the log's path among them."""
        return report_sections(self, with_log=with_log)


class ReportFold:
    """The console's reducers plus what only a report needs, folded over the same events."""

    def __init__(self) -> None:
        self.state = ConsoleState()
        self.names: dict[str, User] = {}
        self.gifters: dict[str, list[int]] = {}
        """User id to [diamonds, gifts], counted at a streak's end as the stats count them."""
        self.comment_buckets: dict[int, int] = {}
        self.viewer_buckets: dict[int, int] = {}
        """The highest viewer count reported in each bucket."""

    def apply_all(self, events: Iterable[Event]) -> None:
        state = self.state
        for event in events:
            state.apply(event)
            self._tally(event)

    def _tally(self, event: Event) -> None:
        if event.type not in _TALLIED:
            return
        first = self.state.stats.first_ts
        bucket = int((event.ts - first) // BUCKET_S) if first is not None else 0
        if isinstance(event, Comment | Question):
            self.names[event.user.id] = event.user
            if isinstance(event, Comment):
                self.comment_buckets[bucket] = self.comment_buckets.get(bucket, 0) + 1
        elif isinstance(event, Gift):
            self.names[event.user.id] = event.user
            if event.streak_end:
                tally = self.gifters.setdefault(event.user.id, [0, 0])
                tally[0] += event.diamonds * event.repeat_count
                tally[1] += event.repeat_count
        elif isinstance(event, Viewers):
            self.viewer_buckets[bucket] = max(self.viewer_buckets.get(bucket, 0), event.count)

    def report(self, header: SessionHeader | None, *, log_path: Path | None = None) -> LiveReport:
        state = self.state
        stats = state.stats
        duration = stats.uptime_s
        buckets = max(1, math.floor(duration / BUCKET_S) + 1)
        merge = max(1, math.ceil(buckets / MAX_POINTS))
        step = BUCKET_S * merge
        comments_curve = [0.0] * math.ceil(buckets / merge)
        for bucket, count in self.comment_buckets.items():
            if 0 <= bucket < buckets:
                comments_curve[bucket // merge] += count * 60.0 / step
        viewers_curve = [0.0] * len(comments_curve)
        last = 0
        for bucket in range(buckets):
            # The count holds until the next report of it: carried across quiet buckets.
            seen = self.viewer_buckets.get(bucket)
            last = seen if seen is not None else last
            point = bucket // merge
            viewers_curve[point] = max(viewers_curve[point], float(seen if seen else last))
        return LiveReport(
            source=header.source if header else "",
            title=header.title if header else "",
            tags=tuple(header.tags) if header else (),
            started=header.started if header else None,
            app_version=header.app_version if header else "",
            log_path=log_path,
            duration_s=duration,
            events=stats.events,
            peak_viewers=stats.peak_viewers,
            # Each count weighted by how long it held, as the summary line keeps it.
            average_viewers=stats.average_viewers or 0.0,
            comments=stats.comments,
            questions=state.questions.asked,
            likes=stats.likes,
            gifts=stats.gifts,
            diamonds=stats.diamonds,
            follows=stats.follows,
            shares=stats.shares,
            joins=stats.joins,
            top_chatters=self._top_chatters(),
            top_gifters=self._top_gifters(),
            moderation=_moderation_counts(state),
            review=_review_counts(state),
            polls=_polls(state),
            questions_answered=_questions_answered(state),
            guests=_guests(state),
            viewers_curve=Curve(step, tuple(viewers_curve)),
            comments_curve=Curve(step, tuple(comments_curve)),
            gaps=stats.gaps,
            malformed=stats.malformed,
        )

    def _ranked(self, user_id: str, count: int, gifts: int = 0) -> Ranked:
        user = self.names.get(user_id)
        if user is None:
            return Ranked(user_id, "", count, gifts)
        return Ranked(user.name, user.handle, count, gifts)

    def _top_chatters(self) -> tuple[Ranked, ...]:
        messages = self.state.viewers.messages
        top = sorted(messages.items(), key=lambda item: (-item[1], item[0]))[:TOP_N]
        return tuple(self._ranked(user_id, count) for user_id, count in top)

    def _top_gifters(self) -> tuple[Ranked, ...]:
        top = sorted(self.gifters.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))
        return tuple(
            self._ranked(user_id, diamonds, gifts)
            for user_id, (diamonds, gifts) in top[:TOP_N]
            if diamonds or gifts
        )


_TALLIED = frozenset({"comment", "question", "gift", "viewers"})


def _review_counts(state: ConsoleState) -> ReviewCounts:
    automod = state.automod
    return ReviewCounts(automod.approved, automod.denied_count, automod.lapsed_count,
                        automod.held_count)  # fmt: skip


def _moderation_counts(state: ConsoleState) -> tuple[ModerationCount, ...]:
    rows: dict[tuple[str, str], list[int]] = {}
    for entry in state.moderation.log:
        if entry.type in ("undo", "todo_done"):
            continue  # counted on the action they refer to (undone) or not at all
        row = rows.setdefault((entry.type, entry.effect), [0, 0, 0])
        row[0] += 1
        row[1] += entry.by == "automod"
        row[2] += bool(entry.undone_by)
    return tuple(
        ModerationCount(kind, effect, count, by_rules, undone)
        for (kind, effect), (count, by_rules, undone) in sorted(
            rows.items(), key=lambda item: (-item[1][0], item[0])
        )
    )


# -- polls, questions and guests: read from their own reducers --


def _polls(state: ConsoleState) -> tuple[PollResult, ...]:
    return tuple(
        PollResult(
            poll.question,
            tuple(zip(poll.options, poll.counts, strict=True)),
            platform=bool(poll.platform),
        )  # fmt: skip
        for poll in state.polls.results()
    )


def _questions_answered(state: ConsoleState) -> int:
    """Questions marked answered (`MarkDone` on the Questions list), not undone."""
    prefix = done_key("question", "")
    return sum(1 for key in state.moderation.done if key.startswith(prefix))


def _guests(state: ConsoleState) -> tuple[GuestTime, ...]:
    return tuple(
        GuestTime(guest.user.name or guest.user.handle or guest.user.id, guest.total_s)
        for guest in state.guest_summary()
    )
