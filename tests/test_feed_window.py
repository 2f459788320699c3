"""`FeedWindow` on its own (no Textual): the buffer, the pending queue, the fold, the cursor and the
counters that account for every event handed to it."""

from __future__ import annotations

import weakref

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backstage_tui.events import Event, Follow, Gap, Hide, Join, Like, Viewers
from backstage_tui.state import FEED_CAPACITY, FeedWindow
from tests.helpers import T0, comment, user


def comments(start: int, count: int) -> list[Event]:
    return [comment(n, f"message {n}") for n in range(start, start + count)]


def texts(window: FeedWindow) -> list[str]:
    return [getattr(event, "text", event.type) for event in window.lines]


def test_the_default_capacity_is_the_states() -> None:
    assert FeedWindow().capacity == FEED_CAPACITY
    with pytest.raises(ValueError):
        FeedWindow(0)


def test_the_buffer_keeps_the_newest_lines_and_counts_what_left_the_front() -> None:
    window = FeedWindow(10)
    window.add_batch(comments(0, 4))
    window.add_batch(comments(4, 9))
    assert texts(window) == [f"message {n}" for n in range(3, 13)]
    assert window.removed == 3 and window.generation == 0
    assert window.shown == 13 and window.skipped == 0


@pytest.mark.parametrize(("fold", "pushed"), [(False, 5), (True, 5), (False, 40)])
def test_what_left_the_buffer_is_freed_at_let_go_or_else_at_the_next_batch(
    fold: bool, pushed: int
) -> None:
    # Freeing a frame's worth of events takes milliseconds: the view does it after the frame is
    # out (`let_go`), never before; nothing is held past the next batch either way. `pushed` 40
    # is a batch bigger than the buffer (a rebuild).
    window = FeedWindow(10, fold_activity=fold)
    first = comments(0, 10)
    refs = [weakref.ref(event) for event in first]
    window.add_batch(first)
    del first
    window.add_batch(comments(10, pushed))
    assert all(ref() is not None for ref in refs[:5])  # out of the buffer, not freed yet
    assert texts(window)[-1] == f"message {9 + pushed}"
    window.let_go()
    assert all(ref() is None for ref in refs[:5])
    later = comments(100, 10)
    refs = [weakref.ref(event) for event in later]
    window.add_batch(later)
    del later
    window.add_batch(comments(200, 10))
    assert all(ref() is not None for ref in refs)
    window.add_batch([])  # no let_go came: the next batch frees them first
    assert all(ref() is None for ref in refs)


def test_a_batch_bigger_than_the_buffer_rebuilds_it_with_the_newest() -> None:
    window = FeedWindow(10)
    window.add_batch(comments(0, 3))
    window.add_batch(comments(3, 40))
    assert texts(window) == [f"message {n}" for n in range(33, 43)]
    assert window.generation == 1 and window.removed == 0
    assert window.shown == 43


def test_events_that_are_not_lines_count_as_shown() -> None:
    window = FeedWindow(10)
    window.add_batch([Viewers(count=3), Hide(target="x"), *comments(0, 2)], bus_skipped=5)
    assert window.line_count == 2
    assert window.shown == 4 and window.skipped == 5


def test_a_selection_pauses_and_the_pending_queue_drops_its_oldest() -> None:
    window = FeedWindow(10)
    window.add_batch(comments(0, 5))
    window.move(-1)  # the first move up selects the newest line
    assert window.selected == 4 and window.paused
    window.add_batch(comments(5, 25), bus_skipped=3)
    assert window.line_count == 5  # nothing moved while paused
    assert window.pending_count == window.waiting == 10
    assert window.pending_dropped == 15 and window.skipped == 18
    window.tail()
    assert not window.paused and window.selected is None and window.pending_count == 0
    assert texts(window)[-1] == "message 29"
    assert window.shown + window.skipped == 5 + 25 + 3


def test_the_cursor_moves_within_the_lines() -> None:
    window = FeedWindow(10)
    window.move(-1)
    assert window.selected is None  # nothing to select
    window.add_batch(comments(0, 5))
    window.move(+1)
    assert window.selected is None  # down with nothing selected does nothing
    window.move(-1)
    window.move(-3)
    assert window.selected == 1
    window.move(-10)
    assert window.selected == 0
    window.move(+99)
    assert window.selected == 4
    window.select(2)
    assert window.selected_event is not None and window.selected_event.id == "c2"
    window.select(None)
    assert not window.paused


def test_freezing_pauses_without_a_selection_and_tail_ends_it() -> None:
    window = FeedWindow(10)
    window.add_batch(comments(0, 3))
    assert window.freeze() and window.frozen and window.paused
    assert not window.freeze()  # already frozen
    window.add_batch(comments(3, 2))
    assert window.pending_count == 2 and window.line_count == 3
    window.tail()
    assert not window.frozen and window.line_count == 5
    window.select(0)
    assert not window.freeze()  # a selection already pauses


def activity_mix() -> list[Event]:
    who = user("amy", "Amy")
    return [
        comment(0, "before"),
        Like(id="l", ts=T0, user=who, count=3),
        Join(id="j", ts=T0, user=who),
        comment(3, "after"),
        Gap(id="gap", ts=T0, since=T0 - 5, until=T0),
        Follow(id="f", ts=T0, user=who),
    ]


def test_folding_hides_activity_and_keeps_the_selection_on_the_same_message() -> None:
    window = FeedWindow(10)
    window.add_batch(activity_mix())
    window.select(3)  # "after"
    window.set_fold(True)
    assert texts(window) == ["before", "after", "gap"]
    assert window.selected_event is not None and window.selected_event.id == "c3"
    assert window.generation == 1
    window.set_fold(False)
    assert window.line_count == 6
    assert window.selected_event is not None and window.selected_event.id == "c3"


def test_folding_away_the_selected_line_moves_the_cursor_to_the_nearest_older_one() -> None:
    window = FeedWindow(10)
    window.add_batch(activity_mix())
    window.select(2)  # the join
    window.set_fold(True)
    assert window.selected_event is not None and window.selected_event.id == "c0"


def test_with_nothing_older_on_view_the_cursor_goes_to_the_oldest_line_on_view() -> None:
    window = FeedWindow(10)
    window.add_batch([Like(id="l", ts=T0, user=user("amy"), count=1), *comments(1, 2)])
    window.select(0)
    window.set_fold(True)
    assert window.selected_event is not None and window.selected_event.id == "c1"


def test_waiting_leaves_out_folded_activity() -> None:
    window = FeedWindow(4, fold_activity=True)
    window.add_batch(comments(0, 2))
    window.move(-1)
    window.add_batch(activity_mix())  # 6 lines into a pending queue of 4: 2 dropped
    assert window.pending_count == 4 and window.pending_dropped == 2
    assert window.waiting == 2  # of the last four (after, gap, join, follow): after and gap
    window.set_fold(False)
    assert window.waiting == 4


# -- properties ------------------------------------------------------------------------------------

EVENT_KINDS = ("comment", "like", "join", "viewers", "gap")


def make(kind: str, n: int) -> Event:
    if kind == "comment":
        return comment(n, f"m{n}")
    if kind == "like":
        return Like(id=f"l{n}", ts=T0 + n, user=user("amy"), count=1)
    if kind == "join":
        return Join(id=f"j{n}", ts=T0 + n, user=user("amy"))
    if kind == "gap":
        return Gap(id=f"g{n}", ts=T0 + n, since=T0, until=T0 + n)
    return Viewers(id=f"v{n}", ts=T0 + n, count=n)


operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("batch"), st.lists(st.sampled_from(EVENT_KINDS), max_size=25), st.integers(0, 7)
        ),  # fmt: skip
        st.tuples(st.just("move"), st.integers(-8, 8)),
        st.tuples(st.just("select"), st.one_of(st.none(), st.integers(-2, 30))),
        st.just(("freeze",)),
        st.just(("tail",)),
        st.tuples(st.just("fold"), st.booleans()),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(capacity=st.integers(1, 12), steps=operations)
def test_every_event_handed_over_is_shown_skipped_or_pending(
    capacity: int, steps: list[tuple[object, ...]]
) -> None:
    window = FeedWindow(capacity)
    handed = bus_skipped = n = 0
    for step in steps:
        name = step[0]
        if name == "batch":
            kinds, more_skipped = step[1], step[2]
            assert isinstance(kinds, list) and isinstance(more_skipped, int)
            batch = [make(kind, n + i) for i, kind in enumerate(kinds)]
            n += len(batch)
            handed += len(batch)
            bus_skipped += more_skipped
            window.add_batch(batch, bus_skipped=bus_skipped)
        elif name == "move":
            window.move(step[1])  # type: ignore[arg-type]
        elif name == "select":
            window.select(step[1])  # type: ignore[arg-type]
        elif name == "freeze":
            window.freeze()
        elif name == "tail":
            window.tail()
        else:
            window.set_fold(step[1])  # type: ignore[arg-type]
        assert window.shown + window.skipped + window.pending_count == handed + bus_skipped
        assert window.line_count <= capacity and window.pending_count <= capacity
        assert window.selected is None or 0 <= window.selected < window.line_count
        assert all(window.shows(event) for event in window.lines)
    window.tail()
    assert window.pending_count == 0
    assert window.shown + window.skipped == handed + bus_skipped


@settings(max_examples=300, deadline=None)
@given(
    kinds=st.lists(st.sampled_from(EVENT_KINDS), min_size=1, max_size=30),
    pick=st.integers(0, 29),
)
def test_fold_and_unfold_keep_the_cursor_on_the_message_or_the_nearest_older_one(
    kinds: list[str], pick: int
) -> None:
    window = FeedWindow(50)
    window.add_batch([make(kind, n) for n, kind in enumerate(kinds)])
    if not window.line_count:
        return  # only viewer counts: no lines
    window.select(pick)
    chosen = window.selected_event
    assert chosen is not None
    lines = list(window.lines)
    older_on_view = [e for e in lines[: lines.index(chosen) + 1] if e.type not in ("like", "join")]
    window.set_fold(True)
    folded = [e for e in lines if e.type not in ("like", "join")]
    # The message itself when it is not activity, else the nearest older line on view, else the
    # oldest line on view, else nothing.
    candidates = older_on_view[-1:] or folded[:1]
    expected = candidates[0] if candidates else None
    assert window.selected_event is expected
    window.set_fold(False)
    assert window.selected_event is expected  # unfolding never moves it: every line is on view
