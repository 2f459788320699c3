"""The moderation reducers: effects, self-contained actions, undo, expiry on the session clock, and
replay reproducing the moderation state exactly."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from backstage_tui.events import (
    Block,
    Comment,
    Event,
    ForwardResult,
    Hide,
    Highlight,
    Moderator,
    Mute,
    Note,
    Pin,
    Shoutout,
    TodoDone,
    Undo,
    Unhide,
    Watch,
    event_from_json,
    event_to_json,
)
from backstage_tui.state import ConsoleState
from tests.helpers import T0, comment, user

ANN, BO = user("ann", "Ann"), user("bo", "Bo")


def numbered(events: list[Event]) -> list[Event]:
    """The events with gap-free seqs, as the bus would stamp them."""
    return [e.model_copy(update={"seq": n}) for n, e in enumerate(events, 1)]


def fold(events: list[Event], capacity: int = 5000) -> ConsoleState:
    return ConsoleState.fold(numbered(events), feed_capacity=capacity)


def test_a_pin_holds_after_its_comment_left_the_feed_buffer() -> None:
    """The bug found on the demo: a comment selected, thousands of lines later `p`, and the Pinned
    pane stayed empty because the reducer looked the target up in the bounded buffer."""
    target = comment(1, "pin me, from long ago", BO)
    flood = [comment(n, f"flood {n}") for n in range(2, 400)]
    pin = Pin(target="c1", user=BO, text=target.text)
    state = fold([target, *flood, pin], capacity=100)
    assert "c1" not in state.feed.by_id, "the target has left the buffer"
    assert list(state.pins.pinned) == ["c1"]
    assert state.pins.pinned["c1"].text == "pin me, from long ago"
    assert state.pins.pinned["c1"].user == BO
    assert state.outcomes[pin.id] == "done"


def test_an_old_log_pin_with_only_a_target_still_replays() -> None:
    old = event_from_json(b'{"type":"pin","id":"p1","seq":2,"ts":1,"target":"c1"}')
    state = ConsoleState.fold([comment(1, "hello").model_copy(update={"seq": 1}), old])
    assert state.pins.pinned["c1"].text == "hello"
    gone = fold([comment(1, "hello"), *[comment(n, "x") for n in range(2, 200)], old], capacity=100)
    assert not gone.pins.pinned
    assert gone.outcomes["p1"] == "the message is no longer in the feed"


def test_a_mute_hides_new_messages_until_it_ends_on_the_session_clock() -> None:
    # The action's own time is the wall clock (1e10): the mute runs on the events' time.
    mute = Mute(user=ANN, duration_s=60, ts=1e10)
    events = [comment(1, "before", ANN, ts=T0), mute, comment(2, "during", ANN, ts=T0 + 30),
              comment(3, "other", BO, ts=T0 + 59), comment(4, "after", ANN, ts=T0 + 61)]  # fmt: skip
    state = fold(events)
    moderation = state.moderation
    assert [m for m in ("c1", "c2", "c3", "c4") if moderation.is_hidden(m)] == ["c2"]
    assert not moderation.is_muted(ANN.id)
    assert moderation.entry(mute.id) is not None and moderation.entry(mute.id).detail == "1 min"


def test_a_mute_for_the_rest_of_the_live_never_ends() -> None:
    state = fold([comment(1, "a", ANN), Mute(user=ANN), comment(2, "b", ANN, ts=T0 + 86400 * 9)])
    assert state.moderation.is_hidden("c2") and state.moderation.is_muted(ANN.id)


def test_blocking_twice_is_one_block_and_undo_of_the_second_keeps_the_first() -> None:
    first, second = Block(user=BO), Block(user=BO)
    state = fold([comment(1, "a", BO), first, second, comment(2, "b", BO)])
    moderation = state.moderation
    assert moderation.blocked == {BO.id: first.id}
    assert state.outcomes[second.id] == "already blocked"
    assert moderation.is_hidden("c2") and not moderation.is_hidden("c1")
    assert moderation.last_undoable() is moderation.entry(first.id), "a no-op is not undoable"


def test_queued_actions_go_on_the_todo_list_and_a_tick_is_an_event() -> None:
    block = Block(user=BO, effect="queued")
    state = fold([comment(1, "a", BO), block])
    assert state.moderation.todo_open == 1
    state.apply(TodoDone(action=block.id, seq=3))
    assert state.moderation.todo_open == 0 and state.moderation.todo[block.id].done


def test_undo_after_a_tick_in_the_app_queues_the_undo_in_the_app() -> None:
    block = Block(user=BO, effect="queued")
    undo = Undo(action=block.id, effect="queued")
    state = fold([comment(1, "a", BO), block, TodoDone(action=block.id), undo])
    assert not state.moderation.blocked
    assert state.moderation.todo[block.id].done, "what was done stays done"
    assert state.moderation.todo[undo.id].detail == "undo: block"


def test_a_refused_forward_goes_on_the_todo_list() -> None:
    mute = Mute(user=ANN, duration_s=10, effect="forwarded")
    state = fold([comment(1, "a", ANN), mute, ForwardResult(action=mute.id, ok=False, error="no")])
    assert state.moderation.entry(mute.id).forward == "no"  # type: ignore[union-attr]
    assert state.moderation.todo_open == 1


def test_moderator_roster_highlight_shoutout_watch_note() -> None:
    events: list[Event] = [
        comment(1, "great stream", ANN),
        Moderator(user=ANN, target="c1"),
        Highlight(user=ANN, target="c1", text="great stream"),
        Shoutout(user=ANN),
        Shoutout(user=ANN),
        Watch(user=BO, duration_s=30),
        Note(user=BO, text="asks for followers"),
        comment(2, "x", BO, ts=T0 + 31),
    ]
    moderation = fold(events).moderation
    assert list(moderation.roster) == [ANN.id]
    assert list(moderation.highlights) == ["c1"] and list(moderation.shoutouts) == [ANN.id]
    assert not moderation.is_watched(BO.id), "the watch ended on the session clock"
    assert [text for _, text in moderation.notes[BO.id]] == ["asks for followers"]
    revoke = fold([*events, Moderator(user=ANN, appoint=False)]).moderation
    assert not revoke.roster


def test_undo_restores_the_exact_state_before_each_action() -> None:
    base: list[Event] = [comment(1, "a", ANN), comment(2, "b", BO)]
    actions: list[Any] = [
        Hide(target="c1", user=ANN), Mute(user=ANN, duration_s=600), Block(user=BO, effect="queued"),
        Moderator(user=ANN), Highlight(user=ANN, target="c1"), Shoutout(user=BO),
        Watch(user=ANN, duration_s=60), Note(user=ANN, text="n"), Pin(target="c2", user=BO, text="b"),
    ]  # fmt: skip
    for action in actions:
        before = fold(base)
        after = fold([*base, action, Undo(action=action.id)])
        assert after.moderation.entry(action.id).undone_by, action.type  # type: ignore[union-attr]
        expected, got = before.moderation.snapshot(), after.moderation.snapshot()
        for key in ("log", "actions"):
            del expected[key], got[key]
        assert got == expected, action.type
        assert after.pins.pinned == before.pins.pinned


def test_undo_of_a_mute_shows_the_messages_it_hid() -> None:
    mute = Mute(user=ANN, duration_s=600)
    state = fold([mute, comment(1, "a", ANN), Undo(action=mute.id), comment(2, "b", ANN)])
    assert not state.moderation.is_hidden("c1") and not state.moderation.is_hidden("c2")


def test_undo_targets_the_newest_action_on_a_message_or_its_user() -> None:
    hide, mute = Hide(target="c1", user=ANN), Mute(user=ANN, duration_s=60)
    state = fold([comment(1, "a", ANN), comment(2, "b", BO), hide, mute, Shoutout(user=BO)])
    moderation = state.moderation
    assert moderation.last_undoable("c1", ANN.id) is moderation.entry(mute.id)
    assert moderation.last_undoable("c1") is moderation.entry(hide.id)
    state.apply(Undo(action=mute.id, seq=99))
    assert moderation.last_undoable("c1", ANN.id) is moderation.entry(hide.id)


def test_the_old_unhide_still_replays() -> None:
    state = fold([comment(1, "a"), Hide(target="c1"), Unhide(target="c1")])
    assert not state.moderation.is_hidden("c1")


# -- replay reproduces the moderation state --

USERS = [user(h, h.title()) for h in ("ann", "bo", "cy")]
_step = st.one_of(
    st.tuples(st.just("chat"), st.integers(0, 2), st.floats(0, 120)),
    st.tuples(st.just("hide"), st.integers(0, 2), st.none()),
    st.tuples(st.just("mute"), st.integers(0, 2), st.sampled_from([10.0, 60.0, None])),
    st.tuples(st.just("block"), st.integers(0, 2), st.none()),
    st.tuples(st.just("mod"), st.integers(0, 2), st.booleans()),
    st.tuples(st.just("watch"), st.integers(0, 2), st.floats(1, 100)),
    st.tuples(st.just("highlight"), st.integers(0, 2), st.none()),
    st.tuples(st.just("undo"), st.integers(0, 2), st.integers(0, 30)),
    st.tuples(st.just("tick"), st.integers(0, 2), st.integers(0, 30)),
)


def session(steps: list[tuple[str, int, Any]]) -> list[Event]:
    """Events for `steps`, each action built from the state so far (as the keys would)."""
    state = ConsoleState()
    events: list[Event] = []
    clock = T0
    messages: list[Comment] = []
    for kind, who, arg in steps:
        person = USERS[who]
        last = messages[-1] if messages else None
        event: Event | None = None
        if kind == "chat":
            clock += arg
            event = Comment(user=person, text="hi", ts=clock)
        elif kind == "hide" and last is not None:
            event = Hide(target=last.id, user=last.user)
        elif kind == "mute":
            event = Mute(user=person, duration_s=arg, effect="queued")
        elif kind == "block":
            event = Block(user=person, effect="queued")
        elif kind == "mod":
            event = Moderator(user=person, appoint=arg)
        elif kind == "watch":
            event = Watch(user=person, duration_s=arg)
        elif kind == "highlight" and last is not None:
            event = Highlight(user=last.user, target=last.id)
        elif kind == "undo":
            entry = state.moderation.last_undoable()
            if entry is not None and arg % 3:
                event = Undo(action=entry.id)
        elif kind == "tick":
            open_items = [i for i in state.moderation.todo.values() if not i.done]
            if open_items:
                event = TodoDone(action=open_items[arg % len(open_items)].action)
        if event is None:
            continue
        event = event.model_copy(update={"seq": len(events) + 1})
        events.append(event)
        state.apply(event)
        if isinstance(event, Comment):
            messages.append(event)
    return events


@settings(max_examples=150, deadline=None)
@given(st.lists(_step, max_size=60))
def test_replaying_the_log_reproduces_the_moderation_state(steps: list[Any]) -> None:
    events = session(steps)
    live = ConsoleState()
    for event in events:
        live.apply(event)
    replayed = ConsoleState.fold(event_from_json(event_to_json(e)) for e in events)
    assert replayed.moderation.snapshot() == live.moderation.snapshot()
    assert replayed.pins.pinned == live.pins.pinned
    assert replayed.outcomes == live.outcomes
