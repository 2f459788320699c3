"""The pins reducer: comments the host or a moderator pinned, newest first."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..events import Comment, Event, Pin, Question, Unpin
from .feed import FeedState

MAX_PINS = 20
PIN_TYPES = frozenset({"pin", "unpin"})


@dataclass
class PinsState:
    pinned: dict[str, Comment | Question] = field(default_factory=dict)
    """By event id, in pinning order (oldest first)."""

    def apply(self, event: Event, feed: FeedState) -> None:
        if event.type not in PIN_TYPES:
            return
        if isinstance(event, Pin):
            target = feed.by_id.get(event.target)
            if isinstance(target, Comment | Question):
                self.pinned.pop(target.id, None)
                self.pinned[target.id] = target
                while len(self.pinned) > MAX_PINS:
                    del self.pinned[next(iter(self.pinned))]
        elif isinstance(event, Unpin):
            self.pinned.pop(event.target, None)

    def newest_first(self) -> list[Comment | Question]:
        return list(reversed(self.pinned.values()))
