"""`ConsoleState`: the fold of every reducer over the session's events. Nothing else changes it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..events import Event
from .automod import AutomodState
from .feed import FEED_CAPACITY, FeedState
from .moderation import ModerationState
from .pins import PinsState
from .stats import StatsState


@dataclass
class ConsoleState:
    feed: FeedState = field(default_factory=FeedState)
    pins: PinsState = field(default_factory=PinsState)
    moderation: ModerationState = field(default_factory=ModerationState)
    automod: AutomodState = field(default_factory=AutomodState)
    stats: StatsState = field(default_factory=StatsState)
    last_seq: int = 0
    version: int = 0
    """Bumped on every event, so a view can tell cheaply whether anything changed."""

    @classmethod
    def with_capacity(cls, feed_capacity: int = FEED_CAPACITY) -> ConsoleState:
        return cls(feed=FeedState(capacity=feed_capacity))

    def apply(self, event: Event) -> None:
        self.feed.apply(event)
        self.pins.apply(event, self.feed)
        self.moderation.apply(event)
        self.automod.apply(event)
        self.stats.apply(event)
        self.last_seq = event.seq
        self.version += 1

    def hidden_from_feed(self, event_id: str) -> bool:
        """Whether the feed shows `event_id` as hidden: hidden by a moderator or a rule, or held
        and then denied."""
        return event_id in self.moderation.hidden or event_id in self.automod.denied

    def apply_all(self, events: Iterable[Event]) -> ConsoleState:
        for event in events:
            self.apply(event)
        return self

    @classmethod
    def fold(cls, events: Iterable[Event], feed_capacity: int = FEED_CAPACITY) -> ConsoleState:
        return cls.with_capacity(feed_capacity).apply_all(events)
