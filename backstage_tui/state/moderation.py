"""The moderation reducer: what the console hid. Local effects only; forwarding is the source's."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..events import ACTION_TYPES, Event, Hide, Unhide


@dataclass
class ModerationState:
    hidden: set[str] = field(default_factory=set)
    """Ids of hidden messages. The feed still holds them; the UI shows a placeholder."""
    actions: int = 0

    def apply(self, event: Event) -> None:
        if event.type not in ACTION_TYPES:
            return  # nearly every event: said first, it costs one set lookup
        if isinstance(event, Hide):
            self.hidden.add(event.target)
            self.actions += 1
        elif isinstance(event, Unhide):
            self.hidden.discard(event.target)
            self.actions += 1
        elif event.type in ("pin", "unpin"):
            self.actions += 1

    def is_hidden(self, event_id: str) -> bool:
        return event_id in self.hidden
