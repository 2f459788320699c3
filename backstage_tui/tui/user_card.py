"""`UserCard`: one viewer at a glance, opened with `enter` on a selected message.

Roles and badges, first seen, their messages this session (the newest still in the feed's buffer),
every action taken on them, notes, whether they are muted, watched or blocked, and the past sessions
they wrote in (from the search index, read in a worker thread: `past_sessions_text`). It is a screen,
not a dialog, so the console's own action keys (`t`, `b`, `m`, `w`, `n`, `s`, `u`, ...) work on it
as on the feed, on the message it was opened from; it redraws when the state changes. Viewer text
enters it as `Text` after `safetext`, never as markup.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, tzinfo
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from ..events import Comment, Question, User
from ..safetext import display, display_name
from ..session.search_index import PastSession
from ..state import ConsoleState
from ..state.moderation import duration_label

PastFinder = Callable[[str], list[PastSession]]
"""A viewer's handle to the past sessions they wrote in (blocking: run in a worker)."""

CARD_MESSAGES = 10
"""The newest messages of the viewer the card lists."""
REFRESH_S = 0.25
HEADING = Style(bold=True, underline=True)
LABEL = Style(dim=True)
ALERT = Style(color="red", bold=True)


def card_text(state: ConsoleState, user: User, tz: tzinfo | None = None) -> Text:
    """Everything the card shows about `user`, from the state."""
    moderation, viewers = state.moderation, state.viewers
    uid = user.id
    text = Text()
    text.append(display_name(user.name or user.handle or uid, 80), Style(bold=True))
    if user.handle:
        text.append(f"  @{display(user.handle, 60)}", LABEL)
    roles: list[str] = list(user.roles)
    if uid in moderation.roster and "moderator" not in roles:
        roles.append("moderator (this console)")
    text.append("\nroles    ", LABEL)
    text.append(", ".join(roles) or "viewer")
    if user.badges:
        text.append("\nbadges   ", LABEL)
        text.append(display(", ".join(user.badges), 200))
    seen = viewers.first_seen.get(uid)
    text.append("\nfirst    ", LABEL)
    text.append(_clock(seen, tz) if seen is not None else "not seen this session")
    text.append("\nmessages ", LABEL)
    text.append(f"{viewers.messages.get(uid, 0):,} this session")

    text.append("\nnow      ", LABEL)
    text.append_text(_standing(state, uid))

    notes = moderation.notes.get(uid, ())
    if notes:
        text.append("\n\nNotes\n", HEADING)
        text.append("\n".join(f"• {display(note, 300)}" for _, note in notes))

    actions = [e for e in moderation.log if e.user is not None and e.user.id == uid]
    text.append("\n\nActions\n", HEADING)
    if not actions:
        text.append("none", LABEL)
    for entry in actions:
        line = f"{_clock(entry.ts, tz)}  {entry.type}"
        if entry.detail and entry.type != "note":
            line += f" {display(entry.detail, 60)}"
        line += f" · {entry.effect} · {display_name(entry.by, 30)}"
        if entry.reason:
            line += f" · {display(entry.reason, 40)}"
        if entry.undone_by:
            line += " · undone"
        text.append(line + "\n")

    mine = [e for e in state.feed.items if isinstance(e, Comment | Question) and e.user.id == uid]
    text.append("\nMessages", HEADING)
    text.append(" (the newest still in the feed)\n", LABEL)
    shown = mine[-CARD_MESSAGES:]
    if not shown:
        text.append("none in the feed", LABEL)
    for event in shown:
        hidden = moderation.is_hidden(event.id)
        text.append(f"{_clock(event.ts, tz)}  ", LABEL)
        if hidden:
            text.append("⊘ ", ALERT)
        text.append(display(event.text, 300) + "\n")
    return text


def past_sessions_text(past: list[PastSession] | str | None, tz: tzinfo | None = None) -> Text:
    """The card's past sessions: None while they are looked up, a list, or why they are not."""
    text = Text("\n\nPast sessions\n", HEADING)
    if past is None:
        text.append("looking them up…", LABEL)
    elif isinstance(past, str):
        text.append(display(past, 300), LABEL)
    elif not past:
        text.append("none found", LABEL)
    for session in past if isinstance(past, list) else ():
        when = session.started.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        name = display(session.title, 60) if session.title else display(session.log.name, 60)
        text.append(f"{when}  ", LABEL)
        text.append(f"{name}  {session.messages:,} messages")
        if session.last_text:
            text.append(f"  last: {display(session.last_text, 80)}", LABEL)
        text.append("\n")
    return text


def _standing(state: ConsoleState, uid: str) -> Text:
    moderation = state.moderation
    clock = moderation.clock
    parts: list[tuple[str, Style | None]] = []
    if uid in moderation.blocked:
        parts.append(("blocked", ALERT))
    mute = moderation.muted.get(uid)
    if mute is not None:
        left = None if mute.until is None or clock is None else max(0.0, mute.until - clock)
        parts.append((f"muted ({duration_label(left)} left)" if left is not None
                      else "muted for the rest of the live", ALERT))  # fmt: skip
    watch = moderation.watched.get(uid)
    if watch is not None and watch.until is not None and clock is not None:
        parts.append((f"watched ({duration_label(max(0.0, watch.until - clock))} left)", None))
    if uid in moderation.shoutouts:
        parts.append(("on the shout-out list", None))
    text = Text()
    for number, (part, style) in enumerate(parts):
        if number:
            text.append(" · ")
        text.append(part, style or Style())
    return text if parts else Text("nothing on them", LABEL)


def _clock(ts: float, tz: tzinfo | None) -> str:
    return datetime.fromtimestamp(ts, tz).strftime("%H:%M:%S")


class UserCard(Screen[None]):
    """The card of one viewer; the console's action keys work here on the message it came from."""

    DEFAULT_CSS = """
    UserCard > VerticalScroll {
        border: round $accent;
        padding: 0 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "close", "Close", id="card.close",
                tooltip="Close the user card"),
        Binding("T", "unmute", "Unmute", id="card.unmute",
                tooltip="End this viewer's mute now (an undo of the mute)"),
        Binding("B", "unblock", "Unblock", id="card.unblock",
                tooltip="Unblock this viewer (an undo of the block)"),
    ]  # fmt: skip

    def __init__(
        self,
        state: ConsoleState,
        user: User,
        undo: Callable[[str], Awaitable[None]],
        tz: tzinfo | None = None,
        past: PastFinder | None = None,
    ) -> None:
        super().__init__()
        self.state = state
        self.user = user
        self._undo = undo
        self.tz = tz
        self.body = Static(id="card-body", markup=False)
        self._version = -1
        self._find_past = past
        self.past: list[PastSession] | str | None = None
        """The viewer's past sessions once found (a str: why there are none to show)."""

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "User card"
            yield self.body
        yield Footer()

    def on_mount(self) -> None:
        self.redraw()
        self.set_interval(REFRESH_S, self.redraw)
        if self._find_past is not None:
            if self.user.handle:
                self._look_up_past(self._find_past, self.user.handle)
            else:
                self.past = "no @handle to look for"

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _look_up_past(self, find: PastFinder, handle: str) -> None:
        # Off the UI thread: the index may first read the logs it has not seen.
        try:
            past: list[PastSession] | str = find(handle)
        except Exception as exc:  # noqa: BLE001 - a broken index must not close the card
            past = f"not available: {exc}"
        self.app.call_from_thread(self._show_past, past)

    def _show_past(self, past: list[PastSession] | str) -> None:
        self.past = past
        self._version = -1
        self.redraw()

    def redraw(self) -> None:
        """Draw the card again when the state moved."""
        if self.state.version != self._version:
            self._version = self.state.version
            text = card_text(self.state, self.user, self.tz)
            if self._find_past is not None:
                text.append_text(past_sessions_text(self.past, self.tz))
            self.body.update(text)

    def action_close(self) -> None:
        self.dismiss(None)

    async def action_unmute(self) -> None:
        mute = self.state.moderation.muted.get(self.user.id)
        if mute is None:
            self.notify("not muted", severity="warning", markup=False)
            return
        await self._undo(mute.action)
        self.redraw()

    async def action_unblock(self) -> None:
        action = self.state.moderation.blocked.get(self.user.id)
        if action is None:
            self.notify("not blocked", severity="warning", markup=False)
            return
        await self._undo(action)
        self.redraw()
