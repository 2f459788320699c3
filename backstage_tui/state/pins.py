"""The pins reducer: comments the host or a moderator pinned, several at once, in pinning order.

A pin carries the comment's author and text, so it holds whether or not the comment is still in the
feed's bounded buffer (a moderator may pin a line they selected long ago, under a flood). Pins from
older logs carry only the target's id: those are looked up in the buffer, as they always were.

Each pin notes when it was pinned on the session clock (the newest time of the source's events,
never the wall clock), and a pin with `Pin.expire_s` comes off by itself once that clock has passed
its time plus `expire_s`: judged from the events' own times, so a replay expires it at the same
event.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..events import Comment, Event, Pin, Question, Undo, Unpin
from .feed import FeedState

MAX_PINS = 20
PIN_TYPES = frozenset({"pin", "unpin", "undo"})


@dataclass(frozen=True, slots=True)
class PinTimes:
    """When a pin was made and when it comes off by itself, on the session clock."""

    since: float
    until: float | None = None
    """None: it stays until unpinned."""


@dataclass
class PinsState:
    pinned: dict[str, Comment | Question] = field(default_factory=dict)
    """By event id, in pinning order (oldest first)."""
    times: dict[str, PinTimes] = field(default_factory=dict)
    """By event id, for each pin in `pinned`."""
    expired: int = 0
    """Pins that came off by themselves."""
    next_expiry: float | None = None
    """The soonest `PinTimes.until` of the pins, None when none expires: the one number each event
    is compared with."""
    _before: dict[
        str, tuple[dict[str, Comment | Question], dict[str, PinTimes]]
    ] = field(default_factory=dict, repr=False)  # fmt: skip
    """Per pin or unpin action id: the pins before it (at most `MAX_PINS`), for its undo."""

    def apply(self, event: Event, feed: FeedState, now: float | None = None) -> str | None:
        """Fold one event; for a pin or unpin, what it did ("done", or why nothing changed).
        `now`: the session clock (the newest time of the source's events), for ages and expiry."""
        if event.type not in PIN_TYPES:
            if self.next_expiry is not None and now is not None and now >= self.next_expiry:
                self._expire(now)
            return None
        clock = event.ts if now is None else now
        if isinstance(event, Pin):
            target = _pinned_message(event, feed)
            if target is None:
                return "the message is no longer in the feed"
            if target.id in self.pinned:
                return "already pinned"
            self._remember(event.id)
            self.pinned[target.id] = target
            until = None if event.expire_s is None else clock + event.expire_s
            self.times[target.id] = PinTimes(clock, until)
            while len(self.pinned) > MAX_PINS:
                oldest = next(iter(self.pinned))
                del self.pinned[oldest]
                self.times.pop(oldest, None)
            self._plan_expiry()
            return "done"
        if isinstance(event, Unpin):
            if event.target not in self.pinned:
                return "not pinned"
            self._remember(event.id)
            del self.pinned[event.target]
            self.times.pop(event.target, None)
            self._plan_expiry()
            return "done"
        if isinstance(event, Undo):
            before = self._before.pop(event.action, None)
            if before is not None:
                self.pinned, self.times = dict(before[0]), dict(before[1])
                self._plan_expiry()
                if self.next_expiry is not None and clock >= self.next_expiry:
                    self._expire(clock)  # what ran out meanwhile stays off
        return None

    def _remember(self, action_id: str) -> None:
        self._before[action_id] = (dict(self.pinned), dict(self.times))

    def _expire(self, now: float) -> None:
        for target in [t for t, times in self.times.items() if _ended(times, now)]:
            self.pinned.pop(target, None)
            del self.times[target]
            self.expired += 1
        self._plan_expiry()

    def _plan_expiry(self) -> None:
        ends = [times.until for times in self.times.values() if times.until is not None]
        self.next_expiry = min(ends) if ends else None

    def newest_first(self) -> list[Comment | Question]:
        return list(reversed(self.pinned.values()))

    def age_s(self, event_id: str, now: float | None) -> float:
        """How long the pin `event_id` has been pinned at `now` (the session clock)."""
        times = self.times.get(event_id)
        if times is None or now is None:
            return 0.0
        return max(now - times.since, 0.0)

    def left_s(self, event_id: str, now: float | None) -> float | None:
        """How long until the pin comes off by itself; None when it stays."""
        times = self.times.get(event_id)
        if times is None or times.until is None:
            return None
        return max(times.until - (now if now is not None else times.since), 0.0)


def _ended(times: PinTimes, now: float) -> bool:
    return times.until is not None and times.until <= now


def _pinned_message(pin: Pin, feed: FeedState) -> Comment | Question | None:
    if pin.user is not None:
        kind = Question if pin.question else Comment
        return kind(id=pin.target, ts=pin.ts, user=pin.user, text=pin.text, platform=pin.platform)
    found = feed.by_id.get(pin.target)
    return found if isinstance(found, Comment | Question) else None
