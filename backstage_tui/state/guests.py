"""The guests reducer: who is on screen with the host (TikTok's multi-guest LIVE), since when, and
for how long in all, on the session clock (the events' own times), so a replay gives the same.

`GuestsState.on_now` is what the Status pane shows; `GuestsState.summary` is the clean list the
end-of-live summary reads: each guest once, with when they first joined, when they last left and
their total time on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..events import Event, Guest, User

MAX_GUESTS = 500
"""Distinct guests kept for the summary: a live has a handful; a hostile source cannot grow it."""


@dataclass(frozen=True, slots=True)
class GuestOnNow:
    """A guest on screen now."""

    user: User
    joined: float
    """When this stint began (session clock)."""
    on_for_s: float
    """How long this stint has lasted, up to the session clock."""


@dataclass(frozen=True, slots=True)
class GuestSummary:
    """One guest of the session, for the end-of-live summary."""

    user: User
    joined: float
    """When they first joined (session clock, seconds since the epoch)."""
    left: float | None
    """When they last left; None while they are still on."""
    total_s: float
    """Their time on in all, every stint added up (a stint still running counts to the clock)."""
    stints: int
    """How many times they joined."""

    @property
    def on_now(self) -> bool:
        return self.left is None


@dataclass
class _Record:
    user: User
    first_joined: float
    stints: int = 0
    done_s: float = 0.0
    """Time on in the stints that ended."""
    joined: float | None = None
    """When the running stint began; None when off screen."""
    left: float | None = None


@dataclass
class GuestsState:
    records: dict[str, _Record] = field(default_factory=dict)
    """By user id, in the order they first joined."""
    last_ts: float | None = None
    """The newest guest event's time."""

    def apply(self, event: Event) -> None:
        if event.type != "guest":
            return
        assert isinstance(event, Guest)
        ts = event.ts
        if self.last_ts is None or ts > self.last_ts:
            self.last_ts = ts
        user = event.user
        record = self.records.get(user.id)
        if event.action == "join":
            if record is None:
                if len(self.records) >= MAX_GUESTS:
                    return
                record = self.records[user.id] = _Record(user=user, first_joined=ts)
            if record.joined is not None:
                return  # already on: a repeated join (a reconnecting source) is one stint
            record.user = user
            record.joined = ts
            record.left = None
            record.stints += 1
        elif record is not None and record.joined is not None:
            record.done_s += max(ts - record.joined, 0.0)
            record.joined = None
            record.left = ts

    @property
    def on_count(self) -> int:
        return sum(1 for r in self.records.values() if r.joined is not None)

    def on_now(self, now: float | None = None) -> list[GuestOnNow]:
        """The guests on screen now, the earliest to join first, each stint counted up to `now`
        (the session clock: ``state.stats.last_ts``; default: the newest guest event)."""
        clock = self.last_ts if now is None else now
        on = [r for r in self.records.values() if r.joined is not None]
        on.sort(key=lambda r: r.joined or 0.0)
        return [
            GuestOnNow(r.user, r.joined or 0.0, max((clock or 0.0) - (r.joined or 0.0), 0.0))
            for r in on
        ]

    def summary(self, now: float | None = None) -> list[GuestSummary]:
        """Every guest of the session once, in the order they first joined; a stint still running
        counts up to `now` (the session clock: ``state.stats.last_ts``; default: the newest guest
        event). `ConsoleState.guest_summary` passes the clock."""
        clock = self.last_ts if now is None else now
        found = []
        for r in self.records.values():
            total = r.done_s
            if r.joined is not None and clock is not None:
                total += max(clock - r.joined, 0.0)
            left = None if r.joined is not None else r.left
            found.append(GuestSummary(r.user, r.first_joined, left, total, r.stints))
        return found
