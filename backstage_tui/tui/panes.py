"""The right-hand panes: Pinned, Poll, Status.

They draw; they decide nothing. Each builds a Rich `Text` from the state (viewer text through
`safetext` first, never markup) and skips the update when the text is unchanged, so a flood that
only moves numbers costs one small repaint per frame and a quiet session costs nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from ..events import Comment, Question, User
from ..runtime import RuntimeStatus, SourceStatus
from ..safetext import display, display_name
from ..session.report import clock
from ..state import ConsoleState, GuestOnNow, StatsState
from .feed_lines import DIM, HIDDEN_MARK, HIDDEN_STYLE, PIN_MARK, ROLE_MARKS, user_label
from .keys import KeyHints
from .sparkline import sparkline

LABEL = Style(dim=True)
GOOD = Style(color="green", bold=True)
WARN = Style(color="yellow", bold=True)
BAD = Style(color="red", bold=True)
LOUD = Style(color="white", bgcolor="red", bold=True)
LABEL_WIDTH = 9
MAX_SPARK = 60
"""Minutes a Status sparkline shows at most, however wide the pane."""
COMPACT_BELOW = 30
"""A Status pane narrower than this (the side of an 80x24 terminal) is drawn compact."""


class TextPane(Static):
    """A `Static` that only repaints when its `Text` really changed."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, markup=False)
        self._shown: Text | None = None
        self._height: int | None = None

    def show(self, text: Text) -> None:
        if text == self._shown:  # Rich Text compares its characters and its spans
            return
        self._shown = text
        # The Status pane changes every frame under a flood, and a new layout each time is the
        # expensive part of its update. Only a change in height needs one, so measure the height
        # as Textual will draw it (the same conversion Static would make, done once here).
        content = Content.from_rich_text(text, console=self.app.console)
        width = self.content_region.width
        # As Textual measures it (`Widget._get_content_height` passes the styles the same way).
        height = content.get_height(self.styles, width) if width > 0 else None  # type: ignore[arg-type]
        self.update(content, layout=height is None or height != self._height)
        self._height = height


class PinnedPane(VerticalScroll, can_focus=False):
    """Pinned comments, newest first, wrapped; scrolls when there are many."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.body = TextPane(id="pinned-body")
        # The hint names the keys in force: looked up again only when the bindings change.
        self._keys = KeyHints(self)

    def compose(self) -> ComposeResult:
        yield self.body

    def refresh_from(self, state: ConsoleState) -> None:
        hint = "" if state.pins.pinned else how_to_pin(self._keys, self.screen)
        self.body.show(pinned_text(state, hint))


def how_to_pin(keys: KeyHints, screen: Screen[Any]) -> str:
    """``Select a message (k) and press p.``, with the keys in force on `screen`."""
    select, pin = keys.bound(screen, "feed.prev"), keys.bound(screen, "app.pin")
    if select is None or pin is None:
        return ""
    return f"Select a message ({select.keys[0]}) and press {pin.keys[0]}."


def pinned_text(state: ConsoleState, how_to_pin: str = "") -> Text:
    """The pins, newest first, numbered as `P`'s chooser numbers them, each with its author, its
    age on the session clock and, when it expires, the time it has left."""
    pins = state.pins.newest_first()
    if not pins:
        return Text(f"Nothing pinned.\n{how_to_pin}".rstrip(), style=DIM)
    text = Text()
    now = state.stats.last_ts
    for number, event in enumerate(pins):
        if number:
            text.append("\n\n")
        if len(pins) > 1:
            text.append(f"{number + 1} ", Style(bold=True, color="cyan"))
        _pinned_author(text, event)
        age = f" · {age_label(state.pins.age_s(event.id, now))}"
        left = state.pins.left_s(event.id, now)
        if left is not None:
            age += f", {age_label(left, ago=False)} left"
        text.append(age, DIM)
        text.append("\n")
        if state.moderation.is_hidden(event.id):
            text.append(HIDDEN_MARK, HIDDEN_STYLE)
        else:
            text.append(display(event.text))
    return text


def _first(text: Text) -> Text:
    """`text` with its last line moved to the top."""
    lines = text.split("\n")
    return Text("\n").join([lines[-1], *lines[:-1]])


def short_name(user: User, limit: int) -> str:
    """The viewer's sanitised name cut to `limit` characters with an ellipsis (no "(+N chars)")."""
    name = display_name(user.name or user.handle or user.id, 200)
    return name if len(name) <= limit else name[: limit - 1] + "…"


def short_clock(seconds: float) -> str:
    """``4:05`` under an hour, else ``1:04:05``: a guest's time on, in few characters."""
    total = int(seconds)
    if total < 3600:
        return f"{total // 60}:{total % 60:02d}"
    return clock(total)


def age_label(seconds: float, *, ago: bool = True) -> str:
    """``just now``, ``42 s``, ``5 min``, ``1 h 20 min``: how long, in a few characters."""
    if seconds < 5 and ago:
        return "just now"
    if seconds < 60:
        return f"{int(seconds)} s"
    # An age counts whole minutes gone; a time left, the minutes begun (119 s left: 2 min).
    whole = int(seconds // 60) if ago else math.ceil(seconds / 60)
    if whole < 60:
        return f"{whole} min"
    hours, minutes = divmod(whole, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def _pinned_author(text: Text, event: Comment | Question) -> None:
    """The pin's mark and author (the caller adds its age and text)."""
    text.append(PIN_MARK + " ")
    if isinstance(event, Question):
        text.append("? ", Style(bold=True, color="yellow"))
    for role, glyph, style, _ in ROLE_MARKS:
        if role in event.user.roles:
            text.append(glyph, style)
    text.append(user_label(event.user), Style(bold=True))


class StatusPane(TextPane):
    """The session's condition (the runtime's status snapshot) and its running counters."""

    def refresh_from(
        self,
        status: RuntimeStatus,
        stats: StatsState,
        *,
        view_skipped: int = 0,
        todo_open: int = 0,
        held: int = 0,
        review_key: str = "",
        questions_open: int = 0,
        questions_key: str = "",
        guests: Sequence[GuestOnNow] = (),
        todo_key: str = "",
    ) -> None:
        self.show(status_text(status, stats, view_skipped=view_skipped, todo_open=todo_open,
                              held=held, review_key=review_key, questions_open=questions_open,
                              questions_key=questions_key, guests=guests,
                              width=self.content_region.width, todo_key=todo_key))  # fmt: skip


def _row(
    text: Text,
    label: str,
    value: str | Text,
    style: Style | None = None,
    label_width: int = LABEL_WIDTH,
) -> None:
    """One row: its label in a column of `label_width` (0: the label and a space)."""
    if text:
        text.append("\n")
    if label_width:
        text.append(label.ljust(label_width), LABEL)
    elif label:
        text.append(f"{label} ", LABEL)
    if isinstance(value, Text):
        text.append_text(value)
    else:
        text.append(value, style or Style())


def _connection(error: str | None, finished: bool, link: str, detail: str = "") -> Text:
    if error:
        return Text("● error", BAD)
    if finished:
        return Text("■ stream ended", DIM)
    style = {"connected": GOOD, "connecting": WARN, "reconnecting": WARN}.get(link, BAD)
    text = Text(f"● {link}", style)
    if detail and link in ("reconnecting", "ended", "disconnected"):
        # When the next try is, or why it stopped: a network source's words ("in 4 s · refused").
        text.append(f" {display(detail, 120)}", DIM)
    return text


def _source_rows(text: Text, source: SourceStatus) -> None:
    """One source of several: its label, its link, and why it failed."""
    _row(text, "Source", display(source.label, 80))
    _row(text, "Link", _connection(source.error, source.finished, source.link, source.link_detail))
    if source.error:
        text.append("\n")
        text.append(display(source.error, 300), BAD)


def status_text(
    status: RuntimeStatus,
    stats: StatsState,
    *,
    view_skipped: int = 0,
    todo_open: int = 0,
    held: int = 0,
    review_key: str = "",
    questions_open: int = 0,
    questions_key: str = "",
    guests: Sequence[GuestOnNow] = (),
    width: int = 0,
    todo_key: str = "",
) -> Text:
    """Everything the status pane shows. Source labels, errors and paths are built as plain text:
    a path or an option value can contain anything, including ``[``. `held`: messages waiting in
    the review queue (a row only while there are some), `review_key` the key that opens it;
    `todo_open`: what waits on the In the app list (`todo_key` opens it); `questions_open`:
    questions not answered yet (`questions_key` opens the list); `guests`: who is on screen with
    the host.

    `width`: the pane's width in characters (0: unknown), for the sparklines (one block a minute,
    the newest on the right) and, under `COMPACT_BELOW` (the side of an 80x24 terminal), a compact
    form: labels not padded, one number a row, the log's path left out, so it all fits the height.
    """
    compact = 0 < width < COMPACT_BELOW
    label_width = 0 if compact else LABEL_WIDTH

    def row(label: str, value: str | Text, style: Style | None = None) -> None:
        _row(text, label, value, style, label_width)

    text = Text()
    if len(status.sources) > 1:
        for source in status.sources:
            _source_rows(text, source)
    else:
        # Compact: the source's label and its link speak for themselves without their labels.
        row("" if compact else "Source", display(status.source, 80))
        link = _connection(
            status.source_error, status.source_finished, status.link, stats.connection_detail
        )
        row("" if compact else "Link", link)
        if status.source_error:
            text.append("\n")
            text.append(display(status.source_error, 300), BAD)
    row("Uptime", clock(stats.uptime_s))
    if compact:
        row("Viewers", f"{stats.viewers:,}")
        row("Peak", f"{stats.peak_viewers:,}")
    else:
        row("Viewers", f"{stats.viewers:,} · peak {stats.peak_viewers:,}")
    spark = min(width - label_width, MAX_SPARK)
    if spark > 1 and stats.viewers_series:
        row("", sparkline(stats.viewers_series.recent(spark, stats.last_ts), from_zero=False))
    if compact:
        row("Chat", f"{stats.comments_per_minute:,}/min")
    else:
        row("Chat", f"{stats.comments_per_minute:,}/min · {stats.comments:,} total")
    if spark > 1 and stats.comments_series:
        row("", sparkline(stats.comments_series.recent(spark, stats.last_ts)))
    row("Likes", f"{stats.likes:,}")
    if compact:
        row("Gifts", f"{stats.gifts:,}")
        row("Diamonds", f"{stats.diamonds:,}")
    else:
        row("Gifts", f"{stats.gifts:,} · {stats.diamonds:,} 💎")
    if compact:
        row("Follows", f"{stats.follows:,}")
        row("Shares", f"{stats.shares:,}")
    else:
        row("Follows", f"{stats.follows:,} · shares {stats.shares:,}")
    if compact and guests:
        row("Guests", "")
    for number, guest in enumerate(guests):
        on = Text(short_name(guest.user, 9 if compact else 24), Style(bold=True))
        on.append(f" {short_clock(guest.on_for_s)}", DIM)
        row("" if compact or number else "Guests", on)
    if compact:
        todo = f"{todo_open:,}" + (f" ({todo_key})" if todo_key else "")
    else:
        todo = f"{todo_open:,} to do" + (f" ({todo_key})" if todo_key else "")
    row("In app", todo if todo_open else ("0" if compact else "nothing to do"),
        WARN if todo_open else DIM)  # fmt: skip
    if held:
        review = f"{held:,}" if compact else f"{held:,} held"
        row("Review", review + (f" ({review_key})" if review_key else ""), WARN)
    if compact:
        asked = f"{questions_open:,}"
    else:
        asked = f"{questions_open:,} to answer" if questions_open else "none open"
    row("Asked", asked + (f" ({questions_key})" if questions_key else ""),
        Style(bold=True) if questions_open else DIM)  # fmt: skip
    if not status.recording:
        replay = not status.source_records
        row("Log", "not recording (replay)" if replay else "not recording", DIM)
    else:
        row("Log", f"{status.events_recorded:,}" + ("" if compact else " events recorded"))
    if status.log_path is not None and not compact:
        text.append("\n")
        text.append(display(str(status.log_path), 300), DIM)
    if stats.gaps or stats.malformed:
        # A network source was away (events may be missing), or sent what it could not read.
        row("Trouble", f"gaps {stats.gaps:,} · unreadable {stats.malformed:,}", WARN)
    if view_skipped:
        row("Screen", f"{view_skipped:,} lines skipped (flood)", DIM)
    if status.source_problems:
        row("Damaged", f"{len(status.source_problems):,} lines skipped", WARN)
    if status.log_health == "failing":
        text.append("\n")
        text.append(f"⚠ LOG FAILING: {display(status.log_error or '', 300)}", LOUD)
        if compact:  # first, where the narrow pane cannot push it out of view
            text = _first(text)
        if status.events_unwritten:
            text.append(f"\n{status.events_unwritten:,} events not on disk (held in memory)", BAD)
    elif status.log_notice:
        text.append("\n")
        text.append(display(status.log_notice, 300), WARN)
    return text
