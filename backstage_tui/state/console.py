"""`ConsoleState`: the fold of every reducer over the session's events. Nothing else changes it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..events import Event
from .automod import AutomodState
from .feed import FEED_CAPACITY, FeedState
from .guests import GuestsState, GuestSummary
from .moderation import ModerationState
from .pins import PIN_TYPES, PinsState
from .polls import PollsState
from .questions import AskedQuestion, QuestionsState
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
    questions: QuestionsState = field(default_factory=QuestionsState)
    guests: GuestsState = field(default_factory=GuestsState)
    polls: PollsState = field(default_factory=PollsState)
    """The session's polls (`polls.polls`, oldest first; `polls.results()` for a summary)."""
    last_seq: int = 0
    version: int = 0
    """Bumped on every event, so a view can tell cheaply whether anything changed."""

    @classmethod
    def with_capacity(cls, feed_capacity: int = FEED_CAPACITY) -> ConsoleState:
        return cls(feed=FeedState(capacity=feed_capacity))

    def __post_init__(self) -> None:
        # A question marked answered must be one the Questions list holds.
        self.moderation.known_questions = self.questions.entries

    outcomes: dict[str, str] = field(default_factory=dict)
    """What the state did with each of the newest actions, by action id ("done", "already
    pinned", ...): what the console's toast says, never a guess from the key press."""

    def apply(self, event: Event) -> None:
        kind = event.type
        # The stats first: their clock (the newest time of the source's events) is the session
        # clock the pins' ages and expiry run on.
        self.stats.apply(event)
        self.feed.apply(event)
        pins = self.pins
        pinned = None
        # An unpin names only its target: what it took off is read before it goes.
        unpinned = pins.pinned.get(getattr(event, "target", "")) if kind == "unpin" else None
        if kind in PIN_TYPES or pins.next_expiry is not None:
            pinned = pins.apply(event, self.feed, self.stats.last_ts)
        done = self.moderation.apply(event)
        if unpinned is not None:
            self.moderation.describe(event.id, unpinned.text, unpinned.user)
        reviewed = self.automod.apply(event)
        if reviewed is not None:
            done = reviewed  # approve / deny: what the review queue did
        # After moderation and automod: a vote counts only from a message they let show.
        polled = self.polls.apply(event, self)
        if polled is not None:
            done = polled
        if pinned is not None or done is not None:
            self._outcome(event.id, pinned if pinned is not None else done)
            if pinned is not None and pinned != "done":
                self.moderation.todo.pop(event.id, None)  # nothing to do in the app either
        if kind == "comment" or kind == "question":
            self.questions.apply(event, self._hidden_on_arrival)
        elif kind == "guest":
            self.guests.apply(event)
        self.viewers.apply(event)
        self.last_seq = event.seq
        self.version += 1

    def _hidden_on_arrival(self, event: Event) -> bool:
        return self.hidden_from_feed(event.id) or self.automod.is_held(event.id)

    # -- what the screens read --

    def questions_shown(self) -> list[AskedQuestion]:
        """The Questions list as shown: oldest first, without those hidden since they came."""
        return self.questions.shown(self.hidden_from_feed)

    def question_done(self, question_id: str) -> bool:
        return self.moderation.is_done("question", question_id)

    @property
    def questions_open(self) -> int:
        """Questions shown and not answered yet (the Status pane's count)."""
        return self.questions.open(self.hidden_from_feed, self.question_done)

    @property
    def questions_answered(self) -> int:
        """Questions marked answered (and not opened again): the end-of-live summary's count."""
        return sum(1 for key in self.moderation.done if key.startswith("question:"))

    def guest_summary(self) -> list[GuestSummary]:
        """Every guest of the session (who, first joined, last left, total time on), each stint
        still running counted up to the session clock: what the end-of-live summary lists."""
        return self.guests.summary(self.stats.last_ts)

    def hidden_from_feed(self, event_id: str) -> bool:
        """Whether the feed shows `event_id` as hidden: hidden by a moderator or a rule, its
        author muted or blocked, or held and then denied or lapsed unreviewed."""
        automod = self.automod
        return (
            self.moderation.is_hidden(event_id)
            or event_id in automod.denied
            or event_id in automod.lapsed
        )

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
