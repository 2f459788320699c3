"""The automod reducer: the review queue, flagged messages and what the rules decided.

A pure fold of the recorded events: the rules' decisions (`AutomodDecision`, written by the live
session's engine) and the moderators' reviews (`Approve`, `Deny`). It never judges a message
itself, so a replay, whatever the config says by then, ends in exactly the state the live
session had.

- ``hold``: the message waits in `held` (oldest first) and stays out of the feed until a moderator
  approves it (it appears in its place) or denies it (it stays out, drawn as hidden);
- ``flag``: the message is in `flagged` and shows with a mark;
- ``hide``: the engine records a `Hide` action beside the decision: the moderation reducer hides
  it, and the moderator can show it again as any hidden message.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..events import AUTOMOD_TYPES, Approve, AutomodDecision, Deny, Event, Undo, User

NOT_HELD = "not held for review"


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
                if event.target not in self.denied:
                    self.held.setdefault(
                        event.target,
                        HeldMessage(event.target, event.user, event.text, event.rule,
                                    event.detail, event.ts),
                    )  # fmt: skip
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
        self.held[held.target] = held
        if kind == "approve":
            self.approved -= 1
        else:
            self.denied.discard(held.target)
            self.denied_count -= 1

    @property
    def held_count(self) -> int:
        return len(self.held)

    def is_held(self, event_id: str) -> bool:
        return event_id in self.held

    def oldest_first(self) -> list[HeldMessage]:
        return list(self.held.values())
