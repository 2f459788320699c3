"""The feed reducer: the newest displayable events, in order, in a bounded buffer."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from ..events import Event, Gift

FEED_CAPACITY = 5000

# What the feed shows, by kind. Activity lines can be folded away in the UI; viewer counts and the
# console's own actions change other state and never become lines.
CHAT_TYPES = frozenset({"comment", "question"})
ACTIVITY_TYPES = frozenset({"gift", "like", "follow", "share", "join"})
SYSTEM_TYPES = frozenset(
    {
        "connection",
        "gap",
        "malformed",
        "platform_moderation",
        "guest",
        "platform_pin",
        "platform_poll",
    }
)
FEED_TYPES = CHAT_TYPES | ACTIVITY_TYPES | SYSTEM_TYPES


def feed_kind(event: Event) -> str:
    """'chat', 'activity', 'system' or '' (not a feed line)."""
    kind = event.type
    if kind in CHAT_TYPES:
        return "chat"
    if kind in ACTIVITY_TYPES:
        return "activity"
    if kind in SYSTEM_TYPES:
        return "system"
    return ""


def shows_in_feed(event: Event) -> bool:
    kind = event.type
    if kind not in FEED_TYPES:
        return False
    # A gift streak sends one event per repeat; the feed shows the streak once, when it ends.
    return kind != "gift" or not isinstance(event, Gift) or event.streak_end


@dataclass
class FeedState:
    capacity: int = FEED_CAPACITY
    items: deque[Event] = field(default_factory=deque)
    by_id: dict[str, Event] = field(default_factory=dict)
    """The events still in `items`, by id, so a pin or hide can find its target."""
    total: int = 0
    """Lines ever added; `total - len(items)` fell out of the buffer."""

    def apply(self, event: Event) -> None:
        if not shows_in_feed(event):
            return
        self.items.append(event)
        self.by_id[event.id] = event
        self.total += 1
        if len(self.items) > self.capacity:
            old = self.items.popleft()
            if self.by_id.get(old.id) is old:
                del self.by_id[old.id]
