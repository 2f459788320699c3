"""The stats reducer: the numbers a creator glances at. Times come from the events themselves, so a
replay computes exactly what the live session showed."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from ..events import (
    ACTION_TYPES,
    Comment,
    Connection,
    Event,
    Follow,
    Gap,
    Gift,
    Join,
    Like,
    Malformed,
    Question,
    Share,
    Viewers,
)

RATE_WINDOW_S = 60.0


@dataclass
class StatsState:
    events: int = 0
    comments: int = 0
    questions: int = 0
    likes: int = 0
    gifts: int = 0
    diamonds: int = 0
    follows: int = 0
    shares: int = 0
    joins: int = 0
    viewers: int = 0
    peak_viewers: int = 0
    malformed: int = 0
    gaps: int = 0
    connection: str = "connecting"
    connection_detail: str = ""
    first_ts: float | None = None
    last_ts: float | None = None
    _recent_comments: deque[float] = field(default_factory=deque, repr=False)

    def apply(self, event: Event) -> None:
        self.events += 1
        ts = event.ts
        # The session's clock is the stream's: a moderator acting while replaying an old session
        # must not stretch its uptime to the present.
        if event.type not in ACTION_TYPES:
            if self.first_ts is None:
                self.first_ts = ts
            if self.last_ts is None or ts > self.last_ts:
                self.last_ts = ts
        match event:
            case Comment():
                self.comments += 1
                self._recent_comments.append(ts)
            case Question():
                self.questions += 1
            case Like():
                self.likes = max(self.likes + event.count, event.total)
            case Gift() if event.streak_end:
                self.gifts += event.repeat_count
                self.diamonds += event.diamonds * event.repeat_count
            case Follow():
                self.follows += 1
            case Share():
                self.shares += 1
            case Join():
                self.joins += 1
            case Viewers():
                self.viewers = event.count
                self.peak_viewers = max(self.peak_viewers, event.count)
            case Connection():
                self.connection = event.status
                self.connection_detail = event.detail
            case Malformed():
                self.malformed += 1
            case Gap():
                self.gaps += 1
        recent = self._recent_comments
        horizon = (self.last_ts or ts) - RATE_WINDOW_S
        while recent and recent[0] < horizon:
            recent.popleft()

    @property
    def comments_per_minute(self) -> int:
        """Comments in the last minute of the session's own time."""
        return len(self._recent_comments)

    @property
    def uptime_s(self) -> float:
        if self.first_ts is None or self.last_ts is None:
            return 0.0
        return self.last_ts - self.first_ts
