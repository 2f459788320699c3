"""The reducers behind "the live at a glance" and the lists worked through: pins (order, ages,
expiry on the session clock), questions (native and read from comments, not from hidden viewers,
marked answered and opened again), guests (who is on, for how long), the per-minute series, and
gift streaks counted once. Unit tests and hypothesis properties."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from backstage_tui.events import (
    Block,
    Comment,
    Event,
    Gift,
    Guest,
    Hide,
    Highlight,
    Like,
    MarkDone,
    Pin,
    Question,
    Shoutout,
    Undo,
    Unpin,
    Viewers,
)
from backstage_tui.state import ConsoleState
from backstage_tui.state.questions import MAX_QUESTIONS, reads_as_question
from backstage_tui.state.series import MinuteSeries
from tests.helpers import T0, comment, user

ANN, BO, CY = user("ann", "Ann"), user("bo", "Bo"), user("cy", "Cy")


def numbered(events: list[Event]) -> list[Event]:
    return [e.model_copy(update={"seq": n}) for n, e in enumerate(events, 1)]


def fold(events: list[Event]) -> ConsoleState:
    return ConsoleState.fold(numbered(events))


def pin_of(message: Comment, *, expire_s: float | None = None, ts: float = 0.0) -> Pin:
    # An action's own ts is the wall clock of the key press: far from the session clock on purpose.
    return Pin(target=message.id, user=message.user, text=message.text, expire_s=expire_s,
               ts=ts or T0 + 99_999)  # fmt: skip


# -- pins ---------------------------------------------------------------------------------


def test_several_pins_keep_their_order_and_their_ages_run_on_the_session_clock() -> None:
    a, b, c = comment(1, "first", ANN), comment(2, "second", BO), comment(3, "third", CY)
    later = comment(70, "a minute on")
    state = fold([a, b, pin_of(a), c, pin_of(b), pin_of(c), later])
    assert [p.id for p in state.pins.newest_first()] == ["c3", "c2", "c1"]
    now = state.stats.last_ts
    assert state.pins.age_s("c1", now) == 70 - 2  # pinned when the clock read T0 + 2
    assert state.pins.age_s("c3", now) == 70 - 3
    assert state.pins.left_s("c1", now) is None


def test_a_pin_with_an_expiry_comes_off_at_the_first_event_past_it_live_or_replayed() -> None:
    a, b = comment(1, "soon gone", ANN), comment(2, "stays", BO)
    events = [a, b, pin_of(a, expire_s=30), pin_of(b), comment(31, "not yet")]
    state = fold(events)
    assert set(state.pins.pinned) == {"c1", "c2"}
    assert state.pins.left_s("c1", state.stats.last_ts) == 1  # pinned at T0 + 2, off at T0 + 32
    state = fold([*events, comment(32, "now")])
    assert list(state.pins.pinned) == ["c2"] and state.pins.expired == 1
    assert state.pins.next_expiry is None


def test_undoing_an_unpin_does_not_bring_back_a_pin_whose_time_ran_out() -> None:
    a, b = comment(1, "expires", ANN), comment(2, "unpinned then undone", BO)
    unpin = Unpin(target="c2")
    state = fold([a, b, pin_of(a, expire_s=10), pin_of(b), unpin, comment(20, "later"),
                  Undo(action=unpin.id)])  # fmt: skip
    assert list(state.pins.pinned) == ["c2"]


pin_steps = st.lists(
    st.one_of(
        st.tuples(st.just("pin"), st.integers(1, 6), st.sampled_from([None, 5.0, 30.0])),
        st.tuples(st.just("unpin"), st.integers(1, 6), st.none()),
        st.tuples(st.just("tick"), st.integers(1, 20), st.none()),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(pin_steps)
def test_pins_stay_in_pinning_order_and_none_outlives_its_expiry(steps: list) -> None:  # type: ignore[type-arg]
    messages = {n: comment(n, f"message {n}") for n in range(1, 7)}
    clock = T0 + 6  # the newest message: the session clock
    events: list[Event] = list(messages.values())
    order: list[str] = []  # the model: pinned ids, oldest first, with their end
    ends: dict[str, float | None] = {}
    for step, n, expire in steps:
        if step == "tick":
            clock += n
            events.append(comment(100 + len(events), "tick", ts=clock))
            for target in [t for t in order if ends[t] is not None and ends[t] <= clock]:  # type: ignore[operator]
                order.remove(target)
        elif step == "pin":
            events.append(pin_of(messages[n], expire_s=expire))
            if f"c{n}" not in order:
                order.append(f"c{n}")
                ends[f"c{n}"] = None if expire is None else clock + expire
        else:
            events.append(Unpin(target=f"c{n}"))
            if f"c{n}" in order:
                order.remove(f"c{n}")
    state = fold(events)
    assert list(state.pins.pinned) == order
    for target in order:
        left = state.pins.left_s(target, state.stats.last_ts)
        assert left is None or left > 0


# -- questions ------------------------------------------------------------------------------


def test_what_reads_as_a_question() -> None:
    for text in ("when is the next stream?", "how long is the stream", "¿de dónde eres",
                 "is this live ?  ", "What, no music", "cómo estás", "where are you from？"):  # fmt: skip
        assert reads_as_question(text), text
    for text in ("great stream!", "hello everyone", "showhow", "", "   ", "questions later",
                 "this? no. that.", "¡qué bonito!"):  # fmt: skip
        assert not reads_as_question(text), text


def test_questions_collect_from_the_platform_and_from_comments_not_from_hidden_viewers() -> None:
    troll = user("troll", "Troll")
    native = Question(id="q1", ts=T0 + 1, user=ANN, text="what game is this")
    asked = comment(2, "when do you stream next?", BO)
    plain = comment(3, "hi all", CY)
    blocked = Block(user=troll)
    from_troll = comment(4, "why are you so bad?", troll)
    state = fold([native, asked, plain, blocked, from_troll])
    shown = state.questions_shown()
    assert [(q.id, q.native) for q in shown] == [("q1", True), ("c2", False)]
    assert state.questions_open == 2


def test_marking_a_question_answered_and_undoing_it() -> None:
    asked = comment(1, "any tips?", ANN)
    mark = MarkDone(kind="question", target="c1")
    state = fold([asked, mark])
    assert state.question_done("c1") and state.questions_open == 0
    assert state.questions_answered == 1
    assert state.outcomes[mark.id] == "done"
    again = MarkDone(kind="question", target="c1")
    state = fold([asked, mark, again, Undo(action=mark.id)])
    assert state.outcomes[again.id] == "already done"
    assert not state.question_done("c1") and state.questions_open == 1
    unknown = MarkDone(kind="question", target="nope")
    assert fold([asked, unknown]).outcomes[unknown.id] == "not on the questions list"


def test_a_copy_of_the_state_marks_its_own_questions_answered() -> None:
    """The replay's seek keeps deep copies of the state: each must check its own Questions list."""
    original = fold([comment(1, "any tips?", ANN)])
    copied = copy.deepcopy(original)
    copied.apply(comment(2, "why though?", BO).model_copy(update={"seq": 2}))
    mark = MarkDone(kind="question", target="c2", seq=3)
    copied.apply(mark)
    assert copied.outcomes[mark.id] == "done" and copied.question_done("c2")
    assert "c2" not in original.questions.entries


def test_a_question_hidden_after_it_came_drops_out_of_the_list_and_the_count() -> None:
    asked, other = comment(1, "why?", ANN), comment(2, "how so", BO)
    state = fold([asked, other, Hide(target="c1", user=ANN)])
    assert state.questions.asked == 2
    assert [q.id for q in state.questions_shown()] == ["c2"] and state.questions_open == 1
    state = fold([asked, other, Block(user=BO), comment(3, "why though?", BO)])
    assert [q.id for q in state.questions_shown()] == ["c1", "c2"]  # a block hides what follows


def test_the_questions_list_is_bounded() -> None:
    state = fold([comment(n, f"question {n}?") for n in range(MAX_QUESTIONS + 50)])
    assert len(state.questions.entries) == MAX_QUESTIONS
    assert state.questions.asked == MAX_QUESTIONS + 50
    assert next(iter(state.questions.entries)) == "c50"  # the oldest fell out


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["?", "how come", "nice", "why!"]),
                          st.sampled_from(["ann", "bo", "cy"]), st.booleans()), max_size=30))  # fmt: skip
def test_every_question_is_listed_once_unless_its_author_was_blocked_first(
    steps: list[tuple[str, str, bool]],
) -> None:
    users = {"ann": ANN, "bo": BO, "cy": CY}
    events: list[Event] = []
    blocked: set[str] = set()
    expected: list[str] = []
    for n, (text, who, block_first) in enumerate(steps):
        if block_first and who not in blocked:
            events.append(Block(user=users[who]))
            blocked.add(who)
        message = comment(n, text, users[who])
        events.append(message)
        if reads_as_question(text) and who not in blocked:
            expected.append(message.id)
    state = fold(events)
    assert list(state.questions.entries) == expected


# -- the lists worked through ---------------------------------------------------------------


def test_highlights_and_shout_outs_are_marked_done_with_the_same_event() -> None:
    said = comment(1, "love this", ANN)
    highlight = Highlight(user=ANN, target="c1", text=said.text)
    shout = Shoutout(user=BO)
    done_h = MarkDone(kind="highlight", target="c1")
    done_s = MarkDone(kind="shoutout", target=BO.id)
    stray = MarkDone(kind="shoutout", target=CY.id)
    state = fold([said, highlight, shout, done_h, done_s, stray])
    moderation = state.moderation
    assert moderation.is_done("highlight", "c1") and moderation.is_done("shoutout", BO.id)
    assert state.outcomes[stray.id] == "not on the shout-out list"
    state = fold([said, highlight, shout, done_h, done_s, Undo(action=done_s.id)])
    assert not state.moderation.is_done("shoutout", BO.id)
    assert state.moderation.entry(done_s.id).undone_by  # type: ignore[union-attr]


# -- guests ---------------------------------------------------------------------------------


def test_guests_on_now_and_their_total_time_on() -> None:
    events: list[Event] = [
        Guest(ts=T0 + 10, user=ANN, action="join"),
        Guest(ts=T0 + 20, user=BO, action="join"),
        Guest(ts=T0 + 40, user=ANN, action="leave"),
        Guest(ts=T0 + 50, user=ANN, action="join"),
        Guest(ts=T0 + 55, user=ANN, action="join"),  # repeated: still one stint
        Guest(ts=T0 + 60, user=CY, action="leave"),  # never joined: ignored
        comment(100, "the clock moves on"),
    ]
    state = fold(events)
    on = state.guests.on_now(state.stats.last_ts)
    assert [(g.user.handle, g.on_for_s) for g in on] == [("bo", 80.0), ("ann", 50.0)]
    summary = {g.user.handle: g for g in state.guest_summary()}
    assert list(summary) == ["ann", "bo"]
    assert summary["ann"].total_s == 30 + 50 and summary["ann"].stints == 2
    assert summary["ann"].joined == T0 + 10 and summary["ann"].on_now
    state = fold([*events, Guest(ts=T0 + 110, user=BO, action="leave")])
    bo = state.guest_summary()[1]
    assert bo.left == T0 + 110 and bo.total_s == 90 and not bo.on_now


# -- stats: streaks once, the per-minute series ---------------------------------------------


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 30), st.integers(1, 500)),
                max_size=12), st.randoms(use_true_random=False))  # fmt: skip
def test_a_gift_streak_counts_once_at_its_end_however_the_streaks_interleave(
    streaks: list[tuple[int, int, int]], rng: object
) -> None:
    events: list[Event] = []
    running = [(n, who, length, diamonds) for n, (who, length, diamonds) in enumerate(streaks)]
    sent = dict.fromkeys(range(len(running)), 0)
    while running:
        pick = rng.randrange(len(running))  # type: ignore[attr-defined]
        n, who, length, diamonds = running[pick]
        sent[n] += 1
        end = sent[n] == length
        events.append(Gift(user=user(f"g{who}"), diamonds=diamonds, repeat_count=sent[n],
                           streak_id=f"s{n}", streak_end=end))  # fmt: skip
        events.append(Like(user=ANN, count=1))
        if end:
            running.pop(pick)
    stats = fold(events).stats
    assert stats.gifts == sum(length for _, length, _ in streaks)
    assert stats.diamonds == sum(length * diamonds for _, length, diamonds in streaks)


def test_comments_and_viewers_per_minute_of_the_session() -> None:
    events: list[Event] = [Viewers(ts=T0, count=100)]
    events += [comment(n, "minute 0") for n in range(0, 60, 20)]  # 3 in minute 0
    events += [Viewers(ts=T0 + 70, count=300), Viewers(ts=T0 + 80, count=250)]
    events += [comment(n, "minute 1") for n in (61, 62)]
    events += [comment(200, "minute 3")]  # minute 2: no comments, no viewer count
    stats = fold(events).stats
    assert stats.comments_series.values() == [3, 2, 0, 1]
    assert stats.viewers_series.values() == [100, 300]
    # Up to the clock, a silent minute carries the last viewer count.
    assert stats.viewers_series.recent(5, stats.last_ts) == [100, 300, 250, 250]
    assert stats.comments_series.recent(2, stats.last_ts) == [0, 1]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.floats(0, 4000, allow_nan=False), max_size=60), st.integers(2, 20))
def test_a_series_is_bounded_and_adds_up_within_its_window(
    offsets: list[float], maxlen: int
) -> None:
    series = MinuteSeries(maxlen=maxlen)
    series.start(T0)
    for offset in sorted(offsets):
        series.add(T0 + offset)
    assert len(series) <= maxlen
    newest = max(offsets, default=0.0) // 60
    kept_from = series.first_minute
    expected = sum(1 for o in offsets if o // 60 >= kept_from)
    assert sum(series.values()) == expected
    if offsets:
        assert kept_from + len(series) - 1 == newest


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["ann", "bo", "cy"]), st.booleans(),
                          st.integers(0, 50)), max_size=30))  # fmt: skip
def test_a_guests_time_on_is_the_sum_of_their_stints_and_who_is_on_is_who_joined_last(
    steps: list[tuple[str, bool, int]],
) -> None:
    users = {"ann": ANN, "bo": BO, "cy": CY}
    clock = T0
    events: list[Event] = []
    on: dict[str, float] = {}  # the model: who is on, since when
    total: dict[str, float] = {}
    for who, join, wait in steps:
        clock += wait
        events.append(Guest(ts=clock, user=users[who], action="join" if join else "leave"))
        if join and who not in on:
            on[who] = clock
            total.setdefault(who, 0.0)
        elif not join and who in on:
            total[who] += clock - on.pop(who)
    state = fold(events)
    assert {g.user.handle for g in state.guests.on_now()} == set(on)
    summary = {g.user.handle: g for g in state.guests.summary(now=clock)}
    assert list(summary) == list(total)  # in the order they first joined
    for who, seconds in total.items():
        expected = seconds + (clock - on[who] if who in on else 0.0)
        assert summary[who].total_s == expected
        assert summary[who].on_now == (who in on)
