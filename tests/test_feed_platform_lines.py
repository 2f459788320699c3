"""The feed lines of what a host does in the platform's own app (the tiktok source's events): a
guest on screen, a pin, a poll. Viewer text in them is sanitised like any other."""

from __future__ import annotations

from datetime import UTC

from backstage_tui.events import Guest, PlatformPin, PlatformPoll, PollOption, User
from backstage_tui.state import ConsoleState
from backstage_tui.tui.feed_lines import event_line

ANN = User(id="1", handle="ann", name="Ann")


def line(event: object) -> str:
    return event_line(event, hidden=False, pinned=False, tz=UTC).plain  # type: ignore[arg-type]


def test_guests_pins_and_polls_show_in_the_feed() -> None:
    events = [
        Guest(id="g1", ts=0, user=ANN, action="join"),
        Guest(id="g2", ts=1, user=User(id="55"), action="leave"),
        PlatformPin(id="p1", ts=2, target="c1", text="read the rules\x1b[2J", user=ANN),
        PlatformPin(id="p2", ts=3, target="c1", pinned=False),
        PlatformPoll(
            id="q1",
            ts=4,
            poll_id="9",
            status="end",
            title="Next?",
            options=(PollOption(text="chess", votes=1200), PollOption(text="go", votes=3)),
        ),
    ]
    state = ConsoleState.fold(events)
    assert [e.id for e in state.feed.items] == ["g1", "g2", "p1", "p2", "q1"]
    shown = [line(e) for e in events]
    assert "guest Ann joined the host on screen" in shown[0]
    assert "guest 55 left the screen" in shown[1]
    assert "pinned in the app: Ann · read the rules" in shown[2] and "\x1b" not in shown[2]
    assert "unpinned in the app:" in shown[3]
    assert "poll end · Next? — chess 1,200 · go 3" in shown[4]
