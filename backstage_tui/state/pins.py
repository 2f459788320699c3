"""The pins reducer: comments the host or a moderator pinned, newest first.

A pin carries the comment's author and text, so it holds whether or not the comment is still in the
feed's bounded buffer (a moderator may pin a line they selected long ago, under a flood). Pins from
older logs carry only the target's id: those are looked up in the buffer, as they always were.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..events import Comment, Event, Pin, Question, Undo, Unpin
from .feed import FeedState

MAX_PINS = 20
PIN_TYPES = frozenset({"pin", "unpin", "undo"})


@dataclass
class PinsState:
    pinned: dict[str, Comment | Question] = field(default_factory=dict)
    """By event id, in pinning order (oldest first)."""
    _before: dict[str, dict[str, Comment | Question]] = field(default_factory=dict, repr=False)
    """Per pin or unpin action id: the pins before it (at most `MAX_PINS`), for its undo."""

    def apply(self, event: Event, feed: FeedState) -> str | None:
        """Fold one event; for a pin or unpin, what it did ("done", or why nothing changed)."""
        if event.type not in PIN_TYPES:
            return None
        if isinstance(event, Pin):
            target = _pinned_message(event, feed)
            if target is None:
                return "the message is no longer in the feed"
            if target.id in self.pinned:
                return "already pinned"
            self._before[event.id] = dict(self.pinned)
            self.pinned[target.id] = target
            while len(self.pinned) > MAX_PINS:
                del self.pinned[next(iter(self.pinned))]
            return "done"
        if isinstance(event, Unpin):
            if event.target not in self.pinned:
                return "not pinned"
            self._before[event.id] = dict(self.pinned)
            del self.pinned[event.target]
            return "done"
        if isinstance(event, Undo):
            before = self._before.pop(event.action, None)
            if before is not None:
                self.pinned = before
        return None

    def newest_first(self) -> list[Comment | Question]:
        return list(reversed(self.pinned.values()))


def _pinned_message(pin: Pin, feed: FeedState) -> Comment | Question | None:
    if pin.user is not None:
        kind = Question if pin.question else Comment
        return kind(id=pin.target, ts=pin.ts, user=pin.user, text=pin.text)
    found = feed.by_id.get(pin.target)
    return found if isinstance(found, Comment | Question) else None
