"""The viewers reducer: when each viewer was first seen and how many messages they sent, on the
session clock (the events' own times), for the user card and for rules about new viewers."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..events import Event

VIEWER_TYPES = frozenset({"comment", "question", "gift", "like", "follow", "share", "join"})
MESSAGE_TYPES = frozenset({"comment", "question"})


@dataclass
class ViewersState:
    first_seen: dict[str, float] = field(default_factory=dict)
    """User id to the time of their first event this session."""
    messages: dict[str, int] = field(default_factory=dict)
    """User id to the comments and questions they sent this session."""

    def apply(self, event: Event) -> None:
        kind = event.type
        if kind not in VIEWER_TYPES:
            return
        user_id = event.user.id  # type: ignore[union-attr]
        if user_id not in self.first_seen:
            self.first_seen[user_id] = event.ts
        if kind in MESSAGE_TYPES:
            messages = self.messages
            messages[user_id] = messages.get(user_id, 0) + 1
