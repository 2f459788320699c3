"""`MinuteSeries`: one number per minute of the session clock, the newest minutes only.

The Status pane's sparklines (viewers, comments a minute) and the end-of-live curves read these.
Minutes are counted from the session's first event on the events' own clock, so a replay builds
exactly the series the live session did. Adding to the current minute is one comparison and one
addition: the stats reducer calls it for every comment of a 20,000 a second flood.
"""

from __future__ import annotations

from collections import deque

SERIES_MINUTES = 24 * 60
"""Minutes each series keeps: a day of live, a few kilobytes."""
MINUTE_S = 60.0


class MinuteSeries:
    """Per-minute values from `origin` on: a total per minute (`add`, comments) or a gauge
    (`gauge`, viewers: the highest value seen in the minute; a minute with no reading carries the
    last one)."""

    __slots__ = ("_values", "_origin", "_end", "_first_minute", "_last", "maxlen", "carries")

    def __init__(self, *, carries: bool = False, maxlen: int = SERIES_MINUTES) -> None:
        self.maxlen = maxlen
        self.carries = carries
        """A gauge: a minute with no reading shows the last one (a total shows 0)."""
        self._values: deque[int] = deque(maxlen=maxlen)
        self._origin: float | None = None
        self._end = float("-inf")
        """Where the newest minute ends on the session clock (-inf before the first value)."""
        self._first_minute = 0
        """The session minute of `_values[0]`."""
        self._last = 0
        """The newest gauge reading."""

    def start(self, origin: float) -> None:
        """Count minutes from `origin` (the session's first event); the first value starts it."""
        if self._origin is None:
            self._origin = origin

    def add(self, ts: float, amount: int = 1) -> None:
        """Add `amount` to the minute `ts` falls in (an out-of-order `ts` counts in the newest)."""
        if ts >= self._end:
            self._roll(ts)
        self._values[-1] += amount

    def gauge(self, ts: float, value: int) -> None:
        """A reading of a level at `ts`: the minute keeps its highest reading."""
        if ts >= self._end:
            self._roll(ts)
        self._last = value
        values = self._values
        if value > values[-1]:
            values[-1] = value

    def _roll(self, ts: float) -> None:
        """Open minutes up to the one `ts` falls in (each a zero, or the last reading)."""
        if self._origin is None:
            self._origin = ts
        minute = int((ts - self._origin) // MINUTE_S)
        values = self._values
        if not values:
            self._first_minute = max(minute, 0)
            values.append(0)
        gap = minute - (self._first_minute + len(values) - 1)
        if gap > 0:
            fill = self._last if self.carries else 0
            if gap >= self.maxlen:  # a silence longer than the series: only the fill is left
                values.clear()
                values.extend([fill] * self.maxlen)
                self._first_minute = minute - self.maxlen + 1
            else:
                dropped = max(len(values) + gap - self.maxlen, 0)
                values.extend([fill] * gap)
                self._first_minute += dropped
        self._end = self._origin + (self._first_minute + len(values)) * MINUTE_S

    @property
    def first_minute(self) -> int:
        """The session minute (0: the first) of the oldest value kept."""
        return self._first_minute

    def values(self) -> list[int]:
        """Every minute kept, oldest first; the newest is still running."""
        return list(self._values)

    def recent(self, minutes: int, now: float | None = None) -> list[int]:
        """The newest `minutes` values, oldest first, up to the minute of `now` (the session
        clock): minutes since the last value show as it would have filled them."""
        if minutes <= 0 or not self._values:
            return []
        values = list(self._values)[-minutes:]
        if now is not None and now >= self._end:
            late = int((now - self._end) // MINUTE_S) + 1
            fill = self._last if self.carries else 0
            values = (values + [fill] * min(late, minutes))[-minutes:]
        return values

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MinuteSeries):
            return NotImplemented
        return (self._origin, self._first_minute, self._last, self._values) == (
            other._origin, other._first_minute, other._last, other._values
        )  # fmt: skip

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"MinuteSeries(from minute {self._first_minute}, {len(self._values)} minutes)"
