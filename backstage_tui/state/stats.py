"""The stats reducer: the numbers a creator glances at. Times come from the events themselves, so a
replay computes exactly what the live session showed."""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..events import (
    ACTION_TYPES,
    Connection,
    Event,
    Gift,
    Like,
    Viewers,
)
from .series import MinuteSeries

RATE_WINDOW_S = 60.0


class TimeWindow:
    """Timestamps in arrival order, dropped oldest first: a FIFO queue of floats.

    Kept in chunks of `array("d")`: 8 bytes a timestamp instead of about 32 for a deque of float
    objects. Under a 20,000 events/s flood a minute holds over half a million comments, so that is
    the difference between ~4 MB and ~18 MB of resident memory (``rss_mb_1m``).
    """

    CHUNK = 4096

    def __init__(self) -> None:
        self._chunks: deque[array[float]] = deque()
        self._head = 0
        """Index of the oldest live timestamp in the first chunk."""
        self._len = 0

    def append(self, ts: float) -> None:
        chunks = self._chunks
        if not chunks or len(chunks[-1]) >= self.CHUNK:
            chunks.append(array("d"))
        chunks[-1].append(ts)
        self._len += 1

    def drop_older_than(self, horizon: float) -> None:
        """Drop from the front every timestamp below `horizon`, stopping at the first that is not
        (like ``while q and q[0] < horizon: q.popleft()``)."""
        chunks = self._chunks
        while chunks:
            first = chunks[0]
            head, end = self._head, len(first)
            while head < end and first[head] < horizon:
                head += 1
            self._len -= head - self._head
            if head < end:
                self._head = head
                return
            chunks.popleft()
            self._head = 0

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[float]:
        head = self._head
        for chunk in self._chunks:
            yield from chunk[head:]
            head = 0

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TimeWindow):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __repr__(self) -> str:
        return f"TimeWindow({len(self)} timestamps)"


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
    by_type: dict[str, int] = field(default_factory=dict)
    """Events of each `type`, actions included."""
    _recent_comments: TimeWindow = field(default_factory=TimeWindow, repr=False)
    comments_series: MinuteSeries = field(default_factory=MinuteSeries, repr=False)
    """Comments in each minute of the session (the Status sparkline, the summary's curve)."""
    viewers_series: MinuteSeries = field(
        default_factory=lambda: MinuteSeries(carries=True), repr=False
    )
    """The highest viewer count of each minute of the session."""
    # The average viewer count over the live, each reading holding until the next one (the last
    # until the session's clock ends): summed as readings arrive, so a clean close can write it in
    # the summary without keeping the readings (`average_viewers`).
    _viewer_area: float = field(default=0.0, repr=False)
    _viewer_span: float = field(default=0.0, repr=False)
    _viewer_readings: int = field(default=0, repr=False)
    _viewer_sum: int = field(default=0, repr=False)
    _viewer_at: float = field(default=0.0, repr=False)
    """When the newest reading came (the session clock)."""

    def apply(self, event: Event) -> None:
        # Dispatched on the `type` tag, the most frequent first: the live console folds every event
        # of a 20,000/s flood on the event loop, and a `match` of class patterns tests them in turn.
        self.events += 1
        kind = event.type
        by_type = self.by_type
        by_type[kind] = by_type.get(kind, 0) + 1
        ts = event.ts
        # The session's clock is the stream's: a moderator acting while replaying an old session
        # must not stretch its uptime to the present.
        # The comments-per-minute window changes only when a comment joins it or the clock moves.
        window_changed = False
        if kind not in ACTION_TYPES:
            if self.first_ts is None:
                self.first_ts = ts
                self.comments_series.start(ts)
                self.viewers_series.start(ts)
            if self.last_ts is None or ts > self.last_ts:
                self.last_ts = ts
                window_changed = True
        if kind == "comment":
            self.comments += 1
            self._recent_comments.append(ts)
            self.comments_series.add(ts)
            window_changed = True
        elif kind == "like":
            assert isinstance(event, Like)
            self.likes = max(self.likes + event.count, event.total)
        elif kind == "join":
            self.joins += 1
        elif kind == "gift":
            assert isinstance(event, Gift)
            if event.streak_end:
                self.gifts += event.repeat_count
                self.diamonds += event.diamonds * event.repeat_count
        elif kind == "follow":
            self.follows += 1
        elif kind == "question":
            self.questions += 1
        elif kind == "share":
            self.shares += 1
        elif kind == "viewers":
            assert isinstance(event, Viewers)
            if self._viewer_readings:
                width = max(0.0, ts - self._viewer_at)
                self._viewer_area += self.viewers * width  # the previous reading, held until now
                self._viewer_span += width
            self.viewers = event.count
            self.peak_viewers = max(self.peak_viewers, event.count)
            self.viewers_series.gauge(ts, event.count)
            self._viewer_readings += 1
            self._viewer_sum += event.count
            self._viewer_at = ts
        elif kind == "connection":
            assert isinstance(event, Connection)
            self.connection = event.status
            self.connection_detail = event.detail
        elif kind == "malformed":
            self.malformed += 1
        elif kind == "gap":
            self.gaps += 1
        if window_changed:
            self._recent_comments.drop_older_than((self.last_ts or ts) - RATE_WINDOW_S)

    @property
    def comments_per_minute(self) -> int:
        """Comments in the last minute of the session's own time."""
        return len(self._recent_comments)

    @property
    def average_viewers(self) -> float | None:
        """The viewer count over the live, each reading weighted by how long it held (the last
        until the newest event); None before the first reading. Readings all at one moment
        average plainly."""
        if not self._viewer_readings:
            return None
        end = self.last_ts if self.last_ts is not None else self._viewer_at
        tail = max(0.0, end - self._viewer_at)
        span = self._viewer_span + tail
        if self._viewer_readings == 1 or span <= 0:
            return self._viewer_sum / self._viewer_readings
        return (self._viewer_area + self.viewers * tail) / span

    @property
    def uptime_s(self) -> float:
        if self.first_ts is None or self.last_ts is None:
            return 0.0
        return self.last_ts - self.first_ts
