"""``poll_flood``: the headless flood (`flood`) with a poll open, and what counting costs a comment.

The console's poll (four options, no duration) is started before the warm-up, and `VOTE_SHARE` of
the flood's comments are votes, written every way a chat writes them (``2``, ``!vote 3``,
``CHIPS!!``, ``popcorn 🍿``) by up to `VOTERS` distinct viewers, so ballots move and the ballot table
grows as on a big live. The flood's figures come out prefixed ``poll_``; beside them:

- ``poll_voters``: viewers whose vote counted at the end (it proves the votes were counted);
- ``poll_us_per_comment``: the polls reducer alone, per event of the same mix with the poll open
  (in process, no app), every voter new; ``poll_repeat_us_per_comment`` the same events again (the
  texts and voters known); ``poll_idle_us_per_comment`` with no poll open (the short-circuit).
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence

from backstage_tui.events import Comment, Event, PollStart, User
from backstage_tui.state import ConsoleState, PollsState

from .common import SEED, Metrics, demo_events

OPTIONS = ("chips", "popcorn", "nachos", "tacos")
VOTE_SHARE = 0.3
VOTERS = 50_000
REDUCER_EVENTS = 200_000
PASSES = 3


def poll_start() -> PollStart:
    return PollStart(poll_id="bench-poll", question="Snack for the raid?", options=OPTIONS)


def vote_text(rng: random.Random) -> str:
    index = rng.randrange(len(OPTIONS))
    form = rng.random()
    if form < 0.5:
        return str(index + 1)
    if form < 0.7:
        return f"!vote {index + 1}"
    if form < 0.85:
        return f"{OPTIONS[index].upper()}!!"
    return f"{OPTIONS[index]} 🍿"


def with_votes(pool: Sequence[Event], share: float = VOTE_SHARE, seed: int = SEED) -> list[Event]:
    """`pool` with about `share` of its comments made votes by one of `VOTERS` viewers."""
    rng = random.Random(seed)
    out: list[Event] = []
    for event in pool:
        if isinstance(event, Comment) and rng.random() < share:
            voter = rng.randrange(VOTERS)
            user = User(id=f"voter-{voter}", handle=f"voter{voter}", name=f"Voter {voter}")
            event = event.model_copy(update={"text": vote_text(rng), "user": user})
        out.append(event)
    return out


def reducer_cost(count: int = REDUCER_EVENTS) -> Metrics:
    """The polls reducer's cost per event of the mix: with the poll open, the first pass (every
    voter and every text new to it) and the best of `PASSES` more (a chat repeating itself, as
    the flood's cycled pool does); with no poll open, the best of `PASSES`."""
    events = with_votes(demo_events(count))
    state = ConsoleState()
    state.apply(poll_start())
    polls = state.polls
    first, *again = (_pass(polls, events, state) for _ in range(PASSES + 1))
    idle_state = ConsoleState()
    idle = min(_pass(idle_state.polls, events, idle_state) for _ in range(PASSES))
    return {
        "poll_us_per_comment": first,
        "poll_repeat_us_per_comment": min(again),
        "poll_idle_us_per_comment": idle,
        "poll_reducer_voters": float(polls.polls[0].voters),
    }


def _pass(polls: PollsState, events: Sequence[Event], state: ConsoleState) -> float:
    started = time.perf_counter()
    for event in events:
        polls.apply(event, state)
    return (time.perf_counter() - started) / len(events) * 1e6
