"""The moderation keys: turn "the selected message" into an action event on the bus.

The action goes through `runtime.act`, so it is recorded in the session log and folded into the
state like any other event; the toast says what the state did with it and its effect (`local`,
`forwarded`, `queued`), as `runtime.act` reports them: nothing here guesses. Every action carries
what it needs of its target (the author, the text), so it holds after the message left the buffer.

Notifications are shown with ``markup=False``; the little viewer text they hold (a name) goes
through `safetext` first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from rich.text import Text
from textual.notifications import SeverityLevel

from ..bus import BusClosed
from ..events import (
    ActionEvent,
    Approve,
    Block,
    Comment,
    Deny,
    Event,
    Hide,
    Highlight,
    ListKind,
    MarkDone,
    Moderator,
    Mute,
    Note,
    Pin,
    Question,
    Say,
    Shoutout,
    TodoDone,
    Undo,
    Unpin,
    User,
    Watch,
)
from ..runtime import ActResult, SessionRuntime
from ..safetext import display, display_name
from ..state import REVIEW_QUEUE_MAX, HeldMessage, feed_kind
from ..state.feed_filter import FeedFilter, FilterError
from ..state.moderation import MUTE_PRESETS_S, REASONS, WATCH_S, done_key, duration_label
from .confirm import ConfirmScreen
from .feed_view import FeedView
from .keys import with_keys
from .line_screen import LineScreen
from .pick_screen import MAX_OPTIONS, PickScreen

PIN_LABEL_WIDTH = 34
"""Characters of a pin's author and text in `P`'s chooser (its box is 48 wide)."""


def pin_label(event: Comment | Question) -> str:
    """A pin as the chooser lists it: ``Bo: when is the next stream?``, cut to fit."""
    name = display_name(event.user.name or event.user.handle or event.user.id, 16)
    label = Text(f"{name}: {display(event.text, 200)}")
    label.truncate(PIN_LABEL_WIDTH, overflow="ellipsis")  # by terminal cells: CJK is two wide
    return label.plain


EFFECT_WORDS = {
    "local": "on this console",
    "forwarded": "on the platform",
    "queued": "queued: do it in the app too (In the app list)",
}
"""How a toast states each effect (docs/moderation.md says what each means per action)."""
NOUNS = {
    "pin": "pinned", "unpin": "unpinned", "hide": "hidden", "unhide": "shown again",
    "mute": "muted", "block": "blocked", "highlight": "highlighted",
    "shoutout": "added to the shout-outs", "watch": "watched", "note": "note added",
    "undo": "undone", "todo_done": "ticked off",
    "poll_start": "poll opened", "poll_close": "poll closed",
    "approve": "approved: in the feed", "deny": "denied: kept out of the feed",
}  # fmt: skip
DONE_NOUNS = {"question": "answered", "highlight": "highlight done", "shoutout": "shout-out done"}
"""What a `MarkDone` toast says, by list."""


class Notify(Protocol):
    def __call__(
        self, message: str, *, severity: SeverityLevel = "information", markup: bool = True
    ) -> None: ...


NOT_RECORDED = "not in the session log (it is failing: see Status)"
"""Added to an action's toast when the log could not take it: it applies on screen all the same."""


def result_text(result: ActResult) -> tuple[str, SeverityLevel]:
    """The toast for what an action did, from the runtime's report."""
    text, severity = _what_it_did(result)
    if not result.recorded:
        return f"{text}; {NOT_RECORDED}", "error" if severity == "error" else "warning"
    return text, severity


def _what_it_did(result: ActResult) -> tuple[str, SeverityLevel]:
    event = result.event
    kind = event.type
    if result.detail == "pending":
        return f"{kind}: recorded; the console is catching up", "warning"
    if not result.changed:
        return f"nothing changed: {result.detail}", "warning"
    if isinstance(event, Say):
        # Nothing is said until the platform has it: the words say where it went.
        if result.effect == "forwarded" and not result.forward_error:
            return f"posted in the chat: {display(event.text, 80)}", "information"
        if result.effect == "forwarded":
            return (
                f"not posted; the platform refused ({display(result.forward_error or '', 200)})",
                "error",
            )
        return (
            "not posted: this source cannot send chat. It waits on the In the app list, ready to copy",
            "warning",
        )
    if isinstance(event, Moderator):
        noun = "made a moderator" if event.appoint else "no longer a moderator"
    elif isinstance(event, Mute):
        noun = f"muted for {duration_label(event.duration_s)}"
    elif isinstance(event, MarkDone):
        noun = DONE_NOUNS[event.kind]
    else:
        noun = NOUNS.get(kind, kind)
    user = getattr(event, "user", None)
    text = f"{noun} · {EFFECT_WORDS[result.effect]}"
    if isinstance(user, User):
        text += f" · {display_name(user.name or user.handle or user.id, 40)}"
    if result.forward_error:
        return f"{text}; the platform refused ({display(result.forward_error, 200)})", "error"
    return text, "information"


class FeedActions:
    def __init__(
        self,
        runtime: SessionRuntime,
        feed: FeedView,
        notify: Notify,
        *,
        operator: str = "console",
        mute_presets: Sequence[float] = MUTE_PRESETS_S,
        watch_s: float = WATCH_S,
        reasons: Sequence[str] = REASONS,
        pin_expire_s: float | None = None,
    ) -> None:
        self.runtime = runtime
        self.feed = feed
        self._notify = notify
        self.operator = operator
        self.mute_presets = tuple(mute_presets)
        self.watch_s = watch_s
        self.reasons = tuple(reasons)
        self.pin_expire_s = pin_expire_s
        """How long a pin made here stays (the config's ``moderation.pin_expire_s``); None: until
        it is unpinned."""
        self.next_reason = ""
        """The reason chosen with `r`, given to the next action taken at the keyboard."""

    def say(self, message: str, severity: SeverityLevel = "information") -> None:
        self._notify(message, severity=severity, markup=False)

    async def act(self, action: ActionEvent) -> ActResult | None:
        """Record `action` as the operator's and say what it did; None when the session ended."""
        changes: dict[str, str] = {}
        if action.by == "console":
            changes["by"] = self.operator
        if self.next_reason and not action.reason and not isinstance(action, Undo | TodoDone):
            changes["reason"], self.next_reason = self.next_reason, ""
        if changes:
            action = action.model_copy(update=changes)
        try:
            result = await self.runtime.act(action)
        except BusClosed:
            self.say("the session has ended; nothing was changed", "warning")
            return None
        self.say(*result_text(result))
        return result

    def _keys(self, text: str, binding_id: str, verb: str = "") -> str:
        """`text` and the keys that run `binding_id` now (after the user's keymap)."""
        return with_keys(text, self.feed.screen, binding_id, verb)

    def _selected(self) -> Event | None:
        event = self.feed.selected_event
        if event is None:
            self.say(self._keys("select a message first", "feed.prev"), "warning")
        return event

    def selected_user(self) -> tuple[Event, User] | None:
        event = self._selected()
        if event is None:
            return None
        user = getattr(event, "user", None)
        if not isinstance(user, User):
            self.say("this line has no viewer to act on", "warning")
            return None
        return event, user

    # -- on the message --

    async def pin(self) -> None:
        event = self._selected()
        if event is None:
            return
        if not isinstance(event, Comment | Question):
            self.say("only comments and questions can be pinned", "warning")
        else:
            await self.pin_message(event)

    async def pin_message(self, event: Comment | Question) -> None:
        """Pin `event` (the selected message, or a question from the Questions list)."""
        if event.id in self.runtime.state.pins.pinned:
            self.say(self._keys("already pinned", "app.unpin", "unpins"))
        elif self.runtime.state.automod.is_held(event.id):
            self.say(self._keys("held for review: approve it first", "app.approve"), "warning")
        else:
            await self.act(Pin(target=event.id, user=event.user, text=event.text,
                               question=isinstance(event, Question), platform=event.platform,
                               expire_s=self.pin_expire_s))  # fmt: skip

    async def unpin(self) -> None:
        """Unpin the selected message when it is pinned; else the only pin; else a digit picks
        one of the pins, numbered newest first as the Pinned pane numbers them."""
        pins = self.runtime.state.pins
        selected = self.feed.selected_event
        if selected is not None and selected.id in pins.pinned:
            await self.act(Unpin(target=selected.id))
            return
        newest = pins.newest_first()[:MAX_OPTIONS]
        if not newest:
            self.say("nothing is pinned", "warning")
            return
        if len(newest) == 1:
            await self.act(Unpin(target=newest[0].id))
            return

        async def chosen(index: int | None) -> None:
            if index is not None:
                await self.act(Unpin(target=newest[index].id))

        labels = [pin_label(event) for event in newest]
        self.feed.app.push_screen(PickScreen("Unpin which?", labels), chosen)

    async def hide(self) -> None:
        event = self._selected()
        if event is None:
            return
        if feed_kind(event) not in ("chat", "activity"):
            self.say("system lines cannot be hidden", "warning")
        elif self.runtime.state.moderation.is_hidden(event.id):
            self.say(self._keys("already hidden", "app.undo", "undoes"))
        else:
            await self.act(Hide(target=event.id, user=getattr(event, "user", None)))

    async def highlight(self) -> None:
        found = self.selected_user()
        if found is None:
            return
        event, user = found
        await self.act(Highlight(target=event.id, user=user, text=getattr(event, "text", "")))

    # -- on the user --

    def mute(self) -> None:
        """Ask for a length (a digit picks a preset), then mute the selected message's author."""
        found = self.selected_user()
        if found is None:
            return
        event, user = found
        labels = [duration_label(seconds or None) for seconds in self.mute_presets]

        async def chosen(index: int | None) -> None:
            if index is not None:
                seconds = self.mute_presets[index] or None
                await self.act(Mute(user=user, target=event.id, duration_s=seconds))

        name = display_name(user.name or user.handle or user.id, 40)
        self.feed.app.push_screen(PickScreen(f"Mute {name} for", labels), chosen)

    def block(self) -> None:
        found = self.selected_user()
        if found is None:
            return
        event, user = found
        if user.id in self.runtime.state.moderation.blocked:
            self.say("already blocked", "warning")
            return

        async def answered(yes: bool | None) -> None:
            if yes:
                await self.act(Block(user=user, target=event.id))

        name = display_name(user.name or user.handle or user.id, 40)
        detail = "Their messages are hidden on this console from now on; the block itself goes on "
        detail += "the In the app list (TikTok's tools cannot block)."
        self.feed.app.push_screen(ConfirmScreen(f"Block {name}?", detail), answered)

    async def moderator(self) -> None:
        found = self.selected_user()
        if found is None:
            return
        event, user = found
        appoint = user.id not in self.runtime.state.moderation.roster
        await self.act(Moderator(user=user, target=event.id, appoint=appoint))

    async def shoutout(self) -> None:
        found = self.selected_user()
        if found is not None:
            event, user = found
            await self.act(Shoutout(user=user, target=event.id))

    async def watch(self) -> None:
        found = self.selected_user()
        if found is not None:
            event, user = found
            await self.act(Watch(user=user, target=event.id, duration_s=self.watch_s))

    def note(self) -> None:
        found = self.selected_user()
        if found is None:
            return
        event, user = found

        async def written(text: str | None) -> None:
            if text and text.strip():
                await self.act(Note(user=user, target=event.id, text=text.strip()))

        name = display_name(user.name or user.handle or user.id, 40)
        self.feed.app.push_screen(LineScreen(f"Note on {name}", "the note"), written)

    def chat(self) -> None:
        """Say something in the live's chat: to the selected message's author (``@handle``
        written first) or to everyone. Posted where the source can, else queued for the app."""
        event = self.feed.selected_event
        user = getattr(event, "user", None) if event is not None else None
        start = f"@{user.handle} " if isinstance(user, User) and user.handle else ""

        async def written(text: str | None) -> None:
            if text and text.strip():
                target = event.id if event is not None and isinstance(user, User) else ""
                said = Say(text=text.strip(), target=target, user=user if target else None)
                await self.act(said)

        prompt = LineScreen("Say in the chat", "the message", start, "say it", replace=False)
        self.feed.app.push_screen(prompt, written)

    def reason(self) -> None:
        """Choose a reason (a digit) for the next action."""
        if not self.reasons:
            self.say("no reasons are set (moderation.reasons in the config)", "warning")
            return

        def chosen(index: int | None) -> None:
            self.next_reason = "" if index is None else self.reasons[index]
            if self.next_reason:
                self.say(f"the next action's reason: {display(self.next_reason, 60)}")

        labels = [display(reason, 40) for reason in self.reasons]
        self.feed.app.push_screen(PickScreen("Reason for the next action", labels), chosen)

    def filter(self) -> None:
        """Ask for the feed's filter; `enter` applies it (empty: none), `escape` clears it."""
        current = self.feed.feed_filter

        def chosen(query: str | None) -> None:
            if not query or not query.strip():
                self.feed.set_filter(None)
                return
            try:
                self.feed.set_filter(FeedFilter.parse(query))
            except FilterError as exc:
                self.say(display(str(exc), 200), "warning")

        prompt = LineScreen("Filter the feed", "words  from:NAME  is:question  re:PATTERN",
                            current.query if current else "", keep="filter")  # fmt: skip
        self.feed.app.push_screen(prompt, chosen)

    # -- undo and the to-do list --

    async def undo(self) -> None:
        """On a selected message: undo the newest action on it or its author. With nothing
        selected: the newest action not undone yet (again: the one before)."""
        moderation = self.runtime.state.moderation
        event = self.feed.selected_event
        if event is None:
            entry = moderation.last_undoable()
        else:
            user = getattr(event, "user", None)
            entry = moderation.last_undoable(event.id, user.id if isinstance(user, User) else "")
        if entry is None:
            self.say("nothing to undo" + (" on this message" if event else ""), "warning")
            return
        await self.act(Undo(action=entry.id))

    async def undo_action(self, action_id: str) -> None:
        """Undo the action `action_id` (the user card's unmute and unblock)."""
        await self.act(Undo(action=action_id))

    async def tick(self, action_id: str) -> None:
        await self.act(TodoDone(action=action_id))

    async def toggle_done(self, kind: ListKind, target: str) -> None:
        """Mark an entry of a list done (a question answered, a highlight or shout-out worked
        through); one already done opens again (its mark is undone)."""
        marked = self.runtime.state.moderation.done.get(done_key(kind, target))
        if marked is not None:
            await self.act(Undo(action=marked))
        else:
            await self.act(MarkDone(kind=kind, target=target))

    # -- the review queue --

    def held(self, target: str | None) -> HeldMessage | None:
        """The held message with the id `target`, or None (with a word on what to do)."""
        if target is None:
            self.say(self._keys("nothing is held for review here", "app.review", "lists them"))
            return None
        automod = self.runtime.state.automod
        held = automod.held.get(target)
        if held is not None:
            return held
        if target in automod.lapsed:
            self.say(f"this message lapsed unreviewed: the review queue keeps the newest "
                     f"{REVIEW_QUEUE_MAX:,}", "warning")  # fmt: skip
        else:
            self.say(self._keys("this message is not held for review", "app.review", "lists them"))
        return None

    async def approve(self, held: HeldMessage | None) -> None:
        if held is not None:
            await self.act(Approve(target=held.target))

    async def deny(self, held: HeldMessage | None) -> None:
        if held is not None:
            await self.act(Deny(target=held.target, user=held.user))
