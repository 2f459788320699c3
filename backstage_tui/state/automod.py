"""The automod reducer: the review queue, flagged messages and what the rules decided.

A pure fold of the recorded events: the rules' decisions (`AutomodDecision`, written by the live
session's engine) and the moderators' reviews (`Approve`, `Deny`). It never judges a message
itself, so a replay, whatever the config says by then, ends in exactly the state the live
session had.

- ``hold``: the message waits in `held` (oldest first) and stays out of the feed until a moderator
  approves it (it appears in its place) or denies it (it stays out, drawn as hidden). The queue
  keeps the newest `REVIEW_QUEUE_MAX`: when a hold finds it full, the oldest message lapses, not
  reviewed; it stays out of the feed, as nobody let it in. A flood of links can hold hundreds of
  messages a second, more than anyone can review, and an unbounded queue would grow for the
  whole live (memory, and the collector's time walking it). The cut is part of the fold, so a
  replay lapses the same messages;
- ``flag``: the message is in `flagged` and shows with a mark;
- ``hide``: the engine records a `Hide` action beside the decision: the moderation reducer hides
  it, and the moderator can show it again as any hidden message.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..events import AUTOMOD_TYPES, Approve, AutomodDecision, Deny, Event, Undo, User
from .feed import FEED_CAPACITY

NOT_HELD = "not held for review"
REVIEW_QUEUE_MAX = 500
"""The most messages the review queue keeps; a hold beyond it lapses the oldest."""
LAPSED_KEPT = FEED_CAPACITY
"""How many lapsed messages' ids are kept to draw their place in the feed. Messages lapse in the
order they came, so the newest `FEED_CAPACITY` of them include every lapsed message the feed's
buffer can still hold."""


@dataclass(frozen=True, slots=True)
class HeldMessage:
    """A message waiting for review, as its decision recorded it."""

    target: str
    """The message's id."""
    user: User
    text: str
    rule: str
    detail: str
    ts: float
    """When the message was sent (the decision's time)."""


@dataclass
class AutomodState:
    held: dict[str, HeldMessage] = field(default_factory=dict)
    """Messages waiting for review, by id, oldest first."""
    flagged: dict[str, str] = field(default_factory=dict)
    """Flagged messages' ids, with the rule that flagged each."""
    rule_hidden: set[str] = field(default_factory=set)
    """Messages a rule hid (the `Hide` beside its decision hides them; the feed says by whom)."""
    denied: set[str] = field(default_factory=set)
    """Held messages a moderator turned down: out of the feed for good."""
    lapsed: dict[str, None] = field(default_factory=dict)
    """Held messages that left a full queue unreviewed (the newest `LAPSED_KEPT`, oldest first):
    out of the feed for good."""
    lapsed_count: int = 0
    """Every message that lapsed this session."""
    decisions: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    """Decisions of each rule."""
    approved: int = 0
    denied_count: int = 0
    reviews: dict[str, tuple[str, HeldMessage]] = field(default_factory=dict, repr=False)
    """Each approval or denial that took a message off the queue, by action id, so an `undo` of
    it puts the message back."""

    def apply(self, event: Event) -> str | None:
        """Fold one event; for an approval or denial, what it did (``done``, or why nothing
        changed)."""
        if event.type not in AUTOMOD_TYPES:
            return None  # nearly every event: one set lookup
        if isinstance(event, AutomodDecision):
            self.decisions += 1
            self.by_rule[event.rule] = self.by_rule.get(event.rule, 0) + 1
            if event.outcome == "hold":
                if event.target not in self.denied and event.target not in self.held:
                    self._hold(HeldMessage(event.target, event.user, event.text, event.rule,
                                           event.detail, event.ts))  # fmt: skip
            elif event.outcome == "flag":
                self.flagged.setdefault(event.target, event.rule)
            else:
                self.rule_hidden.add(event.target)
            return None
        if isinstance(event, Undo):
            self._undo(event.action)
            return None  # the moderation reducer says what the undo did
        if not isinstance(event, Approve | Deny):
            return None
        held = self.held.pop(event.target, None)
        if held is None:
            return NOT_HELD
        self.reviews[event.id] = (event.type, held)
        if isinstance(event, Approve):
            self.approved += 1
        else:
            self.denied.add(event.target)
            self.denied_count += 1
        return "done"

    def _undo(self, action_id: str) -> None:
        """An approval or denial undone: the message waits in the queue again."""
        review = self.reviews.pop(action_id, None)
        if review is None:
            return
        kind, held = review
        self._hold(held)
        if kind == "approve":
            self.approved -= 1
        else:
            self.denied.discard(held.target)
            self.denied_count -= 1

    def _hold(self, held: HeldMessage) -> None:
        """Put `held` at the end of the queue; the oldest lapses if that makes it too long."""
        self.lapsed.pop(held.target, None)
        self.held[held.target] = held
        if len(self.held) > REVIEW_QUEUE_MAX:
            oldest = next(iter(self.held))
            del self.held[oldest]
            self.lapsed[oldest] = None
            self.lapsed_count += 1
            if len(self.lapsed) > LAPSED_KEPT:
                del self.lapsed[next(iter(self.lapsed))]

    @property
    def held_count(self) -> int:
        return len(self.held)

    def is_held(self, event_id: str) -> bool:
        return event_id in self.held

    def oldest_first(self) -> list[HeldMessage]:
        return list(self.held.values())
