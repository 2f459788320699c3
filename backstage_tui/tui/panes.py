"""The right-hand panes: Pinned, Poll, Status.

They draw; they decide nothing. Each builds a Rich `Text` from the state (viewer text through
`safetext` first, never markup) and skips the update when the text is unchanged, so a flood that
only moves numbers costs one small repaint per frame and a quiet session costs nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from ..events import Comment, Question
from ..runtime import RuntimeStatus, SourceStatus
from ..safetext import display, display_name
from ..session.report import clock
from ..state import ConsoleState, GuestOnNow, StatsState
from .feed_lines import DIM, HIDDEN_MARK, HIDDEN_STYLE, PIN_MARK, ROLE_MARKS, user_label
from .keys import find_bound
from .sparkline import sparkline

LABEL = Style(dim=True)
GOOD = Style(color="green", bold=True)
WARN = Style(color="yellow", bold=True)
BAD = Style(color="red", bold=True)
LOUD = Style(color="white", bgcolor="red", bold=True)
LABEL_WIDTH = 9
MAX_SPARK = 60
"""Minutes a Status sparkline shows at most, however wide the pane."""


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
        self._how_to_pin: str | None = None

    def compose(self) -> ComposeResult:
        yield self.body

    def on_mount(self) -> None:
        # The hint names the keys in force: worked out again only when the bindings change.
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def _bindings_changed(self, _screen: object) -> None:
        self._how_to_pin = None

    def refresh_from(self, state: ConsoleState) -> None:
        if self._how_to_pin is None and not state.pins.pinned:
            self._how_to_pin = how_to_pin(self.screen)
        self.body.show(pinned_text(state, self._how_to_pin or ""))


def how_to_pin(screen: Screen[Any]) -> str:
    """``Select a message (k) and press p.``, with the keys in force on `screen`."""
    select, pin = find_bound(screen, "feed.prev"), find_bound(screen, "app.pin")
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


def age_label(seconds: float, *, ago: bool = True) -> str:
    """``just now``, ``42 s``, ``5 min``, ``1 h 20 min``: how long, in a few characters."""
    if seconds < 5 and ago:
        return "just now"
    if seconds < 60:
        return f"{int(seconds)} s"
    if seconds < 3600:
        return f"{int(seconds // 60)} min"
    hours, minutes = divmod(int(seconds // 60), 60)
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


class PollPane(TextPane):
    """Polls arrive in a later issue; until then, say so plainly."""

    def on_mount(self) -> None:
        self.show(Text("No poll running", style=DIM))


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
        # The sparklines take the width there is beside the labels, one minute a character.
        spark_width = max(self.content_region.width - LABEL_WIDTH, 0)
        self.show(status_text(status, stats, view_skipped=view_skipped, todo_open=todo_open,
                              held=held, review_key=review_key, questions_open=questions_open,
                              questions_key=questions_key, guests=guests,
                              spark_width=spark_width, todo_key=todo_key))  # fmt: skip


def _row(text: Text, label: str, value: str | Text, style: Style | None = None) -> None:
    if text:
        text.append("\n")
    text.append(label.ljust(LABEL_WIDTH), LABEL)
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
    spark_width: int = 0,
    todo_key: str = "",
) -> Text:
    """Everything the status pane shows. Source labels, errors and paths are built as plain text:
    a path or an option value can contain anything, including ``[``. `held`: messages waiting in
    the review queue (a row only while there are some), `review_key` the key that opens it;
    `todo_open`: what waits on the In the app list (`todo_key` opens it); `questions_open`:
    questions not answered yet (`questions_key` opens the list); `guests`: who
    is on screen with the host; `spark_width`: characters for each sparkline (0: none), one a
    minute, the newest on the right."""
    text = Text()
    if len(status.sources) > 1:
        for source in status.sources:
            _source_rows(text, source)
    else:
        _row(text, "Source", display(status.source, 80))
        link = _connection(
            status.source_error, status.source_finished, status.link, stats.connection_detail
        )
        _row(text, "Link", link)
        if status.source_error:
            text.append("\n")
            text.append(display(status.source_error, 300), BAD)
    _row(text, "Uptime", clock(stats.uptime_s))
    _row(text, "Viewers", f"{stats.viewers:,} · peak {stats.peak_viewers:,}")
    width = min(spark_width, MAX_SPARK)
    if width > 1 and stats.viewers_series:
        _row(text, "", sparkline(stats.viewers_series.recent(width, stats.last_ts),
                                 from_zero=False))  # fmt: skip
    _row(text, "Chat", f"{stats.comments_per_minute:,}/min · {stats.comments:,} total")
    if width > 1 and stats.comments_series:
        _row(text, "", sparkline(stats.comments_series.recent(width, stats.last_ts)))
    _row(text, "Likes", f"{stats.likes:,}")
    _row(text, "Gifts", f"{stats.gifts:,} · {stats.diamonds:,} 💎")
    _row(text, "Follows", f"{stats.follows:,} · shares {stats.shares:,}")
    for number, guest in enumerate(guests):
        on = Text(display_name(guest.user.name or guest.user.handle or guest.user.id, 24),
                  Style(bold=True))  # fmt: skip
        on.append(f" {clock(guest.on_for_s)}", DIM)
        _row(text, "" if number else "Guests", on)
    todo = f"{todo_open:,} to do" + (f" ({todo_key})" if todo_key else "")
    _row(text, "In app", todo if todo_open else "nothing to do", WARN if todo_open else DIM)
    if held:
        _row(text, "Review", f"{held:,} held" + (f" ({review_key})" if review_key else ""), WARN)
    asked = f"{questions_open:,} to answer" if questions_open else "none open"
    _row(text, "Asked", asked + (f" ({questions_key})" if questions_key else ""),
         Style(bold=True) if questions_open else DIM)  # fmt: skip
    if not status.recording:
        replay = not status.source_records
        _row(text, "Log", "not recording (replay)" if replay else "not recording", DIM)
    else:
        _row(text, "Log", f"{status.events_recorded:,} events recorded")
    if status.log_path is not None:
        text.append("\n")
        text.append(display(str(status.log_path), 300), DIM)
    if stats.gaps or stats.malformed:
        # A network source was away (events may be missing), or sent what it could not read.
        _row(text, "Trouble", f"gaps {stats.gaps:,} · unreadable {stats.malformed:,}", WARN)
    if view_skipped:
        _row(text, "Screen", f"{view_skipped:,} lines skipped (flood)", DIM)
    if status.source_problems:
        _row(text, "Damaged", f"{len(status.source_problems):,} lines skipped", WARN)
    if status.log_health == "failing":
        text.append("\n")
        text.append(f"⚠ LOG FAILING: {display(status.log_error or '', 300)}", LOUD)
        if status.events_unwritten:
            text.append(f"\n{status.events_unwritten:,} events not on disk (held in memory)", BAD)
    elif status.log_notice:
        text.append("\n")
        text.append(display(status.log_notice, 300), WARN)
    return text
