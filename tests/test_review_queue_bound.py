"""The review queue keeps the newest `REVIEW_QUEUE_MAX` messages: a hold beyond that lapses the
oldest, unreviewed and out of the feed for good, in the fold itself (so a replay lapses the same
messages). No terminal: the core's reducers only."""

from __future__ import annotations

import pytest

from backstage_tui.events import Approve, AutomodDecision, Deny, Event, Undo
from backstage_tui.state import ConsoleState
from backstage_tui.state import automod as automod_module
from backstage_tui.state.automod import NOT_HELD, AutomodState
from tests.helpers import comment, user


def hold(n: int) -> AutomodDecision:
    return AutomodDecision(rule="links", outcome="hold", target=f"c{n}", user=user(f"u{n}"),
                           text=f"spam {n} at bit.ly/x")  # fmt: skip


@pytest.fixture
def small_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(automod_module, "REVIEW_QUEUE_MAX", 3)
    monkeypatch.setattr(automod_module, "LAPSED_KEPT", 4)


def fold(*events: Event) -> AutomodState:
    state = AutomodState()
    for event in events:
        state.apply(event)
    return state


def test_the_default_bound_holds_the_newest_and_lapses_the_oldest() -> None:
    cap = automod_module.REVIEW_QUEUE_MAX
    state = fold(*(hold(n) for n in range(cap + 2)))
    assert state.held_count == cap
    assert list(state.held)[0] == "c2" and list(state.held)[-1] == f"c{cap + 1}"
    assert list(state.lapsed) == ["c0", "c1"] and state.lapsed_count == 2


@pytest.mark.usefixtures("small_queue")
def test_a_lapsed_message_stays_out_of_the_feed_and_cannot_be_reviewed() -> None:
    console = ConsoleState()
    for n in range(1, 5):
        console.apply(hold(n))
        console.apply(comment(n, f"spam {n} at bit.ly/x", user(f"u{n}")))
    automod = console.automod
    assert list(automod.held) == ["c2", "c3", "c4"] and list(automod.lapsed) == ["c1"]
    assert console.hidden_from_feed("c1") and not automod.is_held("c1")
    assert not console.hidden_from_feed("c2")  # held, not hidden: drawn as a placeholder
    assert automod.apply(Approve(target="c1")) == NOT_HELD
    assert automod.apply(Deny(target="c1", user=user("u1"))) == NOT_HELD
    assert automod.lapsed_count == 1 and automod.denied_count == 0  # a lapse is no offence


@pytest.mark.usefixtures("small_queue")
def test_the_lapsed_ids_kept_are_the_newest_only() -> None:
    state = fold(*(hold(n) for n in range(10)))
    assert state.lapsed_count == 7
    assert list(state.lapsed) == ["c3", "c4", "c5", "c6"]  # the newest LAPSED_KEPT of c0..c6
    assert list(state.held) == ["c7", "c8", "c9"]


@pytest.mark.usefixtures("small_queue")
def test_an_undone_review_into_a_full_queue_lapses_the_oldest() -> None:
    approve = Approve(target="c1")
    state = fold(hold(1), hold(2), hold(3), approve, hold(4))
    assert list(state.held) == ["c2", "c3", "c4"] and not state.lapsed
    state.apply(Undo(action=approve.id))
    assert list(state.held) == ["c3", "c4", "c1"]  # back at the end, as a new hold
    assert list(state.lapsed) == ["c2"] and state.approved == 0


@pytest.mark.usefixtures("small_queue")
def test_a_second_decision_on_a_held_message_does_not_move_it() -> None:
    state = fold(hold(1), hold(2), hold(1), hold(3), hold(4))
    assert list(state.held) == ["c2", "c3", "c4"] and list(state.lapsed) == ["c1"]
