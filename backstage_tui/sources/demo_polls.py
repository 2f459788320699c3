"""The demo's viewers voting in the console's poll, so polls show without a live.

While a poll is open, a share of the demo's ordinary comments become votes, written the ways a chat
writes them: the option's number, ``!vote N``, or the option's text (shouted, with an emoji). Each
poll gets a seeded popularity per option, so the spread is plausible (a favourite, a runner-up, an
outsider) and the same seed and poll give the same votes. A viewer who talks a lot may vote again,
and sometimes changes their mind, as a real chat does.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field

VOTE_SHARE = 0.4
"""The share of ordinary comments that are votes while a poll is open."""
FORMS: tuple[tuple[str, float], ...] = (("number", 0.55), ("text", 0.25), ("command", 0.2))
"""How a vote is written, and how often."""
EMOJI = ("🔥", "🙌", "😍", "💯", "👀")


@dataclass
class DemoPoll:
    """The poll the demo's viewers vote in: its options and when it ends on the demo's clock."""

    options: tuple[str, ...]
    ends_at: float | None
    rng: random.Random
    weights: list[float] = field(default_factory=list)
    """Each option's popularity (seeded per poll)."""

    def __post_init__(self) -> None:
        if not self.weights:
            self.weights = [self.rng.paretovariate(1.2) for _ in self.options]
        self._cum = list(itertools.accumulate(self.weights))

    def is_open(self, ts: float) -> bool:
        return self.ends_at is None or ts < self.ends_at

    def votes_now(self) -> bool:
        return self.rng.random() < VOTE_SHARE

    def vote_text(self) -> str:
        """One vote as a viewer types it."""
        rng = self.rng
        index = min(len(self.options) - 1, _pick(self._cum, rng.random() * self._cum[-1]))
        form = _pick_form(rng.random())
        if form == "number":
            return str(index + 1)
        if form == "command":
            return f"!vote {index + 1}"
        text = self.options[index]
        style = rng.random()
        if style < 0.3:
            return f"{text.upper()}!!"
        if style < 0.6:
            return f"{text} {rng.choice(EMOJI)}"
        return text.lower()


def _pick(cumulative: list[float], point: float) -> int:
    return next((i for i, edge in enumerate(cumulative) if point < edge), len(cumulative) - 1)


def _pick_form(point: float) -> str:
    for form, share in FORMS:
        if point < share:
            return form
        point -= share
    return FORMS[-1][0]
