"""`ConsoleState`: the fold of every reducer over the session's events. Nothing else changes it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..events import Event
from .automod import AutomodState
from .feed import FEED_CAPACITY, FeedState
from .moderation import ModerationState
from .pins import PinsState
from .polls import PollsState
from .stats import StatsState
from .viewers import ViewersState

MAX_OUTCOMES = 1000
"""Actions whose outcome is kept for whoever acted to read (the toast after `runtime.act`)."""


@dataclass
class ConsoleState:
    feed: FeedState = field(default_factory=FeedState)
    pins: PinsState = field(default_factory=PinsState)
    moderation: ModerationState = field(default_factory=ModerationState)
    automod: AutomodState = field(default_factory=AutomodState)
    stats: StatsState = field(default_factory=StatsState)
    viewers: ViewersState = field(default_factory=ViewersState)
    polls: PollsState = field(default_factory=PollsState)
    """The session's polls (`polls.polls`, oldest first; `polls.results()` for a summary)."""
    last_seq: int = 0
    version: int = 0
    """Bumped on every event, so a view can tell cheaply whether anything changed."""

    @classmethod
    def with_capacity(cls, feed_capacity: int = FEED_CAPACITY) -> ConsoleState:
        return cls(feed=FeedState(capacity=feed_capacity))

    outcomes: dict[str, str] = field(default_factory=dict)
    """What the state did with each of the newest actions, by action id ("done", "already
    pinned", ...): what the console's toast says, never a guess from the key press."""

    def apply(self, event: Event) -> None:
        self.feed.apply(event)
        pinned = self.pins.apply(event, self.feed)
        done = self.moderation.apply(event)
        reviewed = self.automod.apply(event)
        if reviewed is not None:
            done = reviewed  # approve / deny: what the review queue did
        # After moderation and automod: a vote counts only from a message they let show.
        polled = self.polls.apply(event, self)
        if polled is not None:
            done = polled
        if pinned is not None or done is not None:
            self._outcome(event.id, pinned if pinned is not None else done)
        self.stats.apply(event)
        self.viewers.apply(event)
        self.last_seq = event.seq
        self.version += 1

    def hidden_from_feed(self, event_id: str) -> bool:
        """Whether the feed shows `event_id` as hidden: hidden by a moderator or a rule, its
        author muted or blocked, or held and then denied."""
        return self.moderation.is_hidden(event_id) or event_id in self.automod.denied

    def _outcome(self, action_id: str, outcome: str | None) -> None:
        outcomes = self.outcomes
        outcomes[action_id] = outcome or "done"
        if len(outcomes) > MAX_OUTCOMES:
            del outcomes[next(iter(outcomes))]
        entry = self.moderation.entry(action_id)
        if entry is not None and outcome:
            entry.outcome = outcome

    def apply_all(self, events: Iterable[Event]) -> ConsoleState:
        for event in events:
            self.apply(event)
        return self

    @classmethod
    def fold(cls, events: Iterable[Event], feed_capacity: int = FEED_CAPACITY) -> ConsoleState:
        return cls.with_capacity(feed_capacity).apply_all(events)
