"""The moderation keys: turn "the selected message" into an action event on the bus.

The action goes through `runtime.act`, so it is recorded in the session log and folded into the
state like any other event; the panes pick the change up from the state on the next frame. All
notifications here are constant strings shown with ``markup=False``: no viewer text in a toast.
"""

from __future__ import annotations

from typing import Protocol

from textual.notifications import SeverityLevel

from ..bus import BusClosed
from ..events import (
    ActionEvent,
    Approve,
    Comment,
    Deny,
    Event,
    Hide,
    Pin,
    Question,
    Unhide,
    Unpin,
)
from ..runtime import SessionRuntime
from ..state import HeldMessage, feed_kind
from .feed_view import FeedView
from .keys import with_keys


class Notify(Protocol):
    def __call__(
        self, message: str, *, severity: SeverityLevel = "information", markup: bool = True
    ) -> None: ...


class FeedActions:
    def __init__(self, runtime: SessionRuntime, feed: FeedView, notify: Notify) -> None:
        self.runtime = runtime
        self.feed = feed
        self._notify = notify

    def say(self, message: str, severity: SeverityLevel = "information") -> None:
        self._notify(message, severity=severity, markup=False)

    async def _act(self, action: ActionEvent, done: str) -> None:
        try:
            await self.runtime.act(action)
        except BusClosed:
            self.say("the session has ended; nothing was changed", "warning")
            return
        self.say(done)

    def _keys(self, text: str, binding_id: str, verb: str = "") -> str:
        """`text` and the keys that run `binding_id` now (after the user's keymap)."""
        return with_keys(text, self.feed.screen, binding_id, verb)

    def _selected(self) -> Event | None:
        event = self.feed.selected_event
        if event is None:
            self.say(self._keys("select a message first", "feed.prev"), "warning")
        return event

    async def pin(self) -> None:
        event = self._selected()
        if event is None:
            return
        if not isinstance(event, Comment | Question):
            self.say("only comments and questions can be pinned", "warning")
        elif event.id in self.runtime.state.pins.pinned:
            self.say(self._keys("already pinned", "app.unpin", "unpins"))
        elif self.runtime.state.automod.is_held(event.id):
            self.say(self._keys("held for review: approve it first", "app.approve"), "warning")
        else:
            await self._act(Pin(target=event.id), "📌 pinned")

    async def unpin(self) -> None:
        pinned = self.runtime.state.pins.pinned
        selected = self.feed.selected_event
        if selected is not None and selected.id in pinned:
            target = selected.id
        elif pinned:
            target = self.runtime.state.pins.newest_first()[0].id
        else:
            self.say("nothing is pinned", "warning")
            return
        await self._act(Unpin(target=target), "unpinned")

    async def hide(self) -> None:
        event = self._selected()
        if event is None:
            return
        if feed_kind(event) not in ("chat", "activity"):
            self.say("system lines cannot be hidden", "warning")
        elif event.id in self.runtime.state.moderation.hidden:
            self.say(self._keys("already hidden", "app.unhide", "unhides"))
        else:
            await self._act(Hide(target=event.id), "⊘ hidden on this console")

    async def unhide(self) -> None:
        event = self._selected()
        if event is None:
            return
        if event.id not in self.runtime.state.moderation.hidden:
            self.say("this message is not hidden", "warning")
        else:
            await self._act(Unhide(target=event.id), "shown again")

    # -- the review queue --

    def held(self, target: str | None) -> HeldMessage | None:
        """The held message with the id `target`, or None (with a word on what to do)."""
        if target is None:
            self.say(self._keys("nothing is held for review here", "app.review", "lists them"))
            return None
        held = self.runtime.state.automod.held.get(target)
        if held is None:
            self.say(self._keys("this message is not held for review", "app.review", "lists them"))
        return held

    async def approve(self, held: HeldMessage | None) -> None:
        if held is not None:
            await self._act(Approve(target=held.target), "approved: shown in the feed")

    async def deny(self, held: HeldMessage | None) -> None:
        if held is not None:
            await self._act(
                Deny(target=held.target, user=held.user), "denied: kept out of the feed"
            )
