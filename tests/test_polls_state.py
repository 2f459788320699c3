"""The polls reducer: votes from chat, one per viewer, moderation respected, closing on the session
clock, several polls kept, the platform's own polls beside the console's."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from backstage_tui.events import (
    Approve,
    AutomodDecision,
    Block,
    Event,
    Hide,
    Mute,
    PlatformPoll,
    PollClose,
    PollOption,
    PollStart,
    Undo,
    event_from_json,
    event_to_json,
)
from backstage_tui.state import ConsoleState
from backstage_tui.state.polls import MAX_POLLS, vote_key
from tests.helpers import T0, comment, user

ANN, BO, CY = user("ann"), user("bo"), user("cy")


def poll(*options: str, poll_id: str = "p1", **kw: Any) -> PollStart:
    return PollStart(poll_id=poll_id, question="Snack?", options=options or ("chips", "popcorn"),
                     **kw)  # fmt: skip


def fold(*events: Event) -> ConsoleState:
    return ConsoleState.fold(events)


def test_a_vote_is_a_number_a_vote_command_or_the_option_s_text() -> None:
    state = fold(comment(1, "hi"), poll("chips", "popcorn", "nachos"))
    voters = [user(f"v{n}") for n in range(9)]
    votes = [
        "1",
        " 2 ",
        "!vote 3",
        "!VOTE   1",
        "CHIPS!!",
        "popcorn 🍿",
        "Ｎａｃｈｏｓ",
        "２",
        "ch1ps",
    ]
    for n, (who, text) in enumerate(zip(voters, votes, strict=True)):
        state.apply(comment(10 + n, text, who))
    p = state.polls.open_poll
    assert p is not None
    assert p.counts == [4, 3, 2], "ch1ps reads chips, as the moderation rules read it"
    assert p.voters == 9 and round(sum(p.percentages())) == 100


def test_what_is_not_a_vote_is_not_counted() -> None:
    state = fold(poll("chips", "popcorn"))
    for n, text in enumerate(["3", "0", "12", "1 2", "chips are great", "!voters", "!vote",
                              "!vote 9", "", "🍿", "I like chips"]):  # fmt: skip
        state.apply(comment(n + 1, text, user(f"v{n}")))
    p = state.polls.open_poll
    assert p is not None and p.counts == [0, 0] and p.ballots == {}


def test_a_single_letter_option_is_voted_by_its_text_too() -> None:
    state = fold(poll("A", "B"), comment(1, "b", ANN), comment(2, "a!", BO))
    assert state.polls.polls[0].counts == [1, 1]


def test_one_vote_per_viewer_and_a_changed_vote_moves() -> None:
    state = fold(poll(), comment(1, "1", ANN), comment(2, "1", ANN), comment(3, "2", ANN),
                 comment(4, "1", BO))  # fmt: skip
    assert state.polls.polls[0].counts == [1, 1] and state.polls.polls[0].voters == 2


def test_first_vote_only_keeps_the_first() -> None:
    state = fold(poll(first_vote_only=True), comment(1, "1", ANN), comment(2, "2", ANN))
    assert state.polls.polls[0].counts == [1, 0]


def test_a_tie_has_several_leaders() -> None:
    state = fold(poll("a", "b", "c"), comment(1, "1", ANN), comment(2, "2", BO))
    p = state.polls.polls[0]
    assert p.leaders() == [0, 1]
    assert fold(poll()).polls.polls[0].leaders() == [], "no votes, no leader"


def test_closing_keeps_the_results_and_late_votes_are_ignored() -> None:
    state = fold(poll(), comment(1, "1", ANN))
    close = PollClose(poll_id="p1", by="sam")
    state.apply(close)
    state.apply(comment(2, "2", BO))
    p = state.polls.polls[0]
    assert p.closed and p.closed_by == "sam" and p.counts == [1, 0]
    assert state.outcomes[close.id] == "done" and state.polls.open_poll is None
    again, unknown = PollClose(poll_id="p1"), PollClose(poll_id="nope")
    state.apply(again)
    state.apply(unknown)
    assert state.outcomes[again.id] == "already closed"
    assert state.outcomes[unknown.id] == "no such poll"


def test_a_duration_closes_on_the_session_clock_not_the_action_s_time() -> None:
    # The action is stamped by the wall clock (ts far later); the poll starts at the stream's time.
    start = poll(duration_s=30, ts=T0 + 10_000)
    state = fold(comment(1, "hi"), start, comment(20, "1", ANN), comment(30, "2", BO))
    p = state.polls.polls[0]
    assert p.started_at == T0 + 1 and p.ends_at == T0 + 31
    assert p.time_left(T0 + 21) == 10 and not p.closed
    state.apply(comment(31, "1", CY))
    assert p.closed and p.closed_by == "time" and p.closed_at == T0 + 31
    assert p.counts == [1, 1], "a vote at the end is too late"
    assert p.time_left(T0 + 40) is None


def test_votes_from_muted_blocked_hidden_or_held_messages_do_not_count() -> None:
    state = fold(comment(1, "hi", BO), Block(user=BO), Mute(user=CY, duration_s=60), poll())
    state.apply(comment(2, "1", BO))
    state.apply(comment(3, "1", CY))
    state.apply(AutomodDecision(rule="caps", outcome="hold", target="c4", user=ANN, text="2"))
    state.apply(comment(4, "2", ANN))
    p = state.polls.polls[0]
    assert p.counts == [0, 0] and len(p.ballots) == 3
    approve = Approve(target="c4")
    state.apply(approve)
    assert p.counts == [0, 1], "an approved message's vote counts"
    state.apply(Undo(action=approve.id))
    assert p.counts == [0, 0], "and is taken back with the approval"


def test_hiding_a_vote_or_muting_its_author_takes_it_back_and_undo_restores_it() -> None:
    state = fold(poll(), comment(1, "1", ANN), comment(2, "2", BO))
    p = state.polls.polls[0]
    hide = Hide(target="c1", user=ANN)
    state.apply(hide)
    assert p.counts == [0, 1]
    state.apply(Undo(action=hide.id))
    assert p.counts == [1, 1]
    mute = Mute(user=BO, duration_s=10)
    state.apply(mute)
    assert p.counts == [1, 0]
    state.apply(Undo(action=mute.id))
    assert p.counts == [1, 1]
    state.apply(Block(user=ANN))
    assert p.counts == [0, 1] and p.voters == 1


def test_a_hidden_first_vote_does_not_hold_a_first_vote_only_poll() -> None:
    state = fold(poll(first_vote_only=True), comment(1, "1", ANN), Hide(target="c1", user=ANN),
                 comment(2, "2", ANN))  # fmt: skip
    assert state.polls.polls[0].counts == [0, 1]


def test_a_new_poll_closes_the_open_one_and_the_session_keeps_them_bounded() -> None:
    state = fold(poll(poll_id="p1"), comment(1, "1", ANN))
    second = poll("x", "y", poll_id="p2")
    state.apply(second)
    assert state.outcomes[second.id] == "done: the previous poll is closed"
    first = state.polls.by_id("p1")
    assert first is not None and first.closed and first.closed_by == "a new poll"
    assert state.polls.open_poll is state.polls.by_id("p2")
    for n in range(MAX_POLLS + 5):
        state.apply(poll(poll_id=f"q{n}"))
    assert len(state.polls.polls) == MAX_POLLS
    assert state.polls.newest() is state.polls.open_poll


def test_the_platform_s_own_poll_shows_beside_the_console_s() -> None:
    def platform(status: str, *votes: int) -> PlatformPoll:
        options = tuple(
            PollOption(text=t, votes=v) for t, v in zip(("red", "blue"), votes, strict=True)
        )
        return PlatformPoll(poll_id="9", status=status, title="Colour?", options=options)  # type: ignore[arg-type]

    state = fold(poll(), platform("start", 0, 0), platform("update", 3, 5), comment(1, "1", ANN))
    tiktok = state.polls.by_id("tiktok:9")
    assert tiktok is not None and tiktok.is_platform and tiktok.counts == [3, 5]
    assert state.polls.by_id("p1").counts == [1, 0], "chat votes go to the console's poll"  # type: ignore[union-attr]
    state.apply(platform("end", 4, 6))
    assert tiktok.closed and tiktok.counts == [4, 6] and tiktok.voters == 10
    results = state.polls.results()
    assert [(r.question, r.platform, r.closed) for r in results] == [
        ("Snack?", "", False), ("Colour?", "tiktok", True)
    ]  # fmt: skip
    assert results[1].counts == (4, 6) and results[1].options == ("red", "blue")


def test_vote_key_is_the_moderation_fold_without_what_surrounds_it() -> None:
    assert vote_key("CHIPS!!") == vote_key(" chips ") == vote_key("«chips» 🍟") == "chips"
    assert vote_key("🍕") == ""


def test_a_long_comment_is_dismissed_before_any_folding() -> None:
    state = fold(poll())
    p = state.polls.open_poll
    assert p is not None and p.vote_for("chips " * 50) is None


# -- properties --

_texts = st.sampled_from(["1", "2", "3", "!vote 2", "chips", "POPCORN!", "nachos?", "hello", "9"])
_step = st.tuples(st.sampled_from("abcde"), _texts, st.sampled_from(["vote", "vote", "vote",
                                                                     "hide", "mute", "undo"]))  # fmt: skip


def _session(steps: list[tuple[str, str, str]], first_vote_only: bool) -> list[Event]:
    events: list[Event] = [poll("chips", "popcorn", "nachos", first_vote_only=first_vote_only)]
    actions: list[str] = []
    for n, (who, text, kind) in enumerate(steps):
        viewer = user(who)
        if kind == "vote":
            events.append(comment(n + 1, text, viewer))
        elif kind == "hide":
            events.append(Hide(target=f"c{n}", user=viewer))
        elif kind == "mute":
            events.append(Mute(user=viewer, duration_s=5))
        elif actions:
            events.append(Undo(action=actions.pop()))
        if kind in ("hide", "mute"):
            actions.append(events[-1].id)
    return events


@settings(max_examples=150, deadline=None)
@given(st.lists(_step, max_size=60), st.booleans())
def test_counts_are_the_counted_ballots_one_per_viewer(steps: list[Any], first: bool) -> None:
    events = _session(steps, first)
    state = fold(*events)
    p = state.polls.polls[0]
    assert all(c >= 0 for c in p.counts)
    assert p.voters == sum(1 for b in p.ballots.values() if b.counted) <= len({s[0] for s in steps})
    for option in range(3):
        assert p.counts[option] == sum(
            1 for b in p.ballots.values() if b.counted and b.option == option
        )
    replayed = ConsoleState.fold(event_from_json(event_to_json(e)) for e in events)
    assert replayed.polls.snapshot() == state.polls.snapshot()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcdef"), _texts), max_size=50), st.booleans())
def test_without_moderation_each_viewer_s_last_or_first_vote_counts(
    votes: list[tuple[str, str]], first: bool
) -> None:
    state = fold(poll("chips", "popcorn", "nachos", first_vote_only=first))
    p = state.polls.open_poll
    assert p is not None
    expected: dict[str, int] = {}
    for n, (who, text) in enumerate(votes):
        state.apply(comment(n + 1, text, user(who)))
        option = p.vote_for(text)
        if option is not None and not (first and who in expected):
            expected[who] = option
    assert p.counts == [list(expected.values()).count(i) for i in range(3)]
