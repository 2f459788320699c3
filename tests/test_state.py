from backstage_tui.events import (
    Connection,
    Gift,
    Hide,
    Like,
    Pin,
    Unhide,
    Unpin,
    User,
    Viewers,
)
from backstage_tui.state import ConsoleState
from tests.helpers import chat


def test_feed_is_bounded_and_keeps_the_newest() -> None:
    state = ConsoleState.fold([chat(f"m{i}") for i in range(50)], feed_capacity=10)
    assert [e.text for e in state.feed.items] == [f"m{i}" for i in range(40, 50)]
    assert state.feed.total == 50
    assert len(state.feed.by_id) == 10


def test_gift_streak_shows_once_and_counts_at_its_end() -> None:
    ann = User(id="1", handle="ann")
    streak = [
        Gift(
            user=ann, gift_name="Rose", diamonds=1, repeat_count=n, streak_id="s", streak_end=n == 5
        )
        for n in range(1, 6)
    ]
    state = ConsoleState.fold(streak)
    assert state.stats.gifts == 5 and state.stats.diamonds == 5
    assert [e.repeat_count for e in state.feed.items] == [5]


def test_pin_and_unpin_follow_actions_and_survive_the_comment_leaving_the_feed() -> None:
    first = chat("pin me")
    state = ConsoleState.fold([first, Pin(target=first.id)], feed_capacity=2)
    state.apply_all([chat("a"), chat("b"), chat("c")])
    assert [e.text for e in state.pins.newest_first()] == ["pin me"]
    state.apply(Unpin(target=first.id))
    assert state.pins.newest_first() == []


def test_pin_of_an_unknown_target_changes_nothing() -> None:
    state = ConsoleState.fold([chat("x"), Pin(target="nope")])
    assert state.pins.pinned == {}


def test_hide_and_unhide() -> None:
    c = chat("rude")
    state = ConsoleState.fold([c, Hide(target=c.id)])
    assert state.moderation.is_hidden(c.id)
    state.apply(Unhide(target=c.id))
    assert not state.moderation.is_hidden(c.id)
    assert state.moderation.actions == 2


def test_stats_follow_the_events_own_clock() -> None:
    ann = User(id="1", handle="ann")
    events = [
        Connection(status="connected", ts=1000.0),
        Viewers(count=300, ts=1000.0),
        Viewers(count=250, ts=1001.0),
        Like(user=ann, count=5, total=0, ts=1002.0),
        Like(user=ann, count=3, total=100, ts=1003.0),
        *[chat(f"c{i}", ts=1000.0 + i) for i in range(90)],
    ]
    state = ConsoleState.fold(events)
    stats = state.stats
    assert stats.viewers == 250 and stats.peak_viewers == 300
    assert stats.likes == 100
    assert stats.comments == 90
    # Comments from ts 1029..1089 fall within the last minute of session time (last ts 1089).
    assert stats.comments_per_minute == 61
    assert stats.uptime_s == 89.0
    assert stats.connection == "connected"
    # A moderator acting now, while looking at an old session, does not stretch its uptime.
    state.apply(Hide(target="x", ts=99_999.0))
    assert state.stats.uptime_s == 89.0


def test_state_equality_sees_differences() -> None:
    a = ConsoleState.fold([chat("x", id="1", ts=5.0)])
    b = ConsoleState.fold([chat("x", id="1", ts=5.0)])
    assert a == b
    b.apply(Hide(target="1"))
    assert a != b
