"""SVG snapshot of the live at a glance: the Status pane at 150x45 after twelve minutes of a
stream (viewers and comments a minute as sparklines, a gift streak counted once, a guest on with
the host, the queues), with two pins (one that expires) beside it. Fixed events, fixed times.

Regenerate after an intended change with
``pytest tests/test_tui_glance_snapshots.py --snapshot-update`` and look at the new SVG first.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from backstage_tui.events import (
    Connection,
    Event,
    Follow,
    Gift,
    Guest,
    Like,
    Pin,
    Question,
    Share,
    Viewers,
)
from tests.helpers import T0, comment, make_app, settled, user, wait_for

SnapCompare = Callable[..., bool]
MINUTES = 12


def twelve_minutes() -> list[Event]:
    """A stream that grows for twelve minutes: viewers every 20 s, more chat each minute."""
    ann, bo, vip = user("ann", "Ann"), user("bo", "Bo"), user("vip", "Big Fan", "top_gifter")
    events: list[Event] = [Connection(id="s1", ts=T0, status="connected", detail="room 42")]
    n = 0
    for minute in range(MINUTES):
        base = T0 + minute * 60
        for step in range(3):
            viewers = 200 + minute * 40 + (30 if minute in (5, 6) else 0) + step * 5
            events.append(Viewers(id=f"v{minute}-{step}", ts=base + step * 20, count=viewers))
        for k in range(2 + (minute * 7) % 11):
            n += 1
            events.append(comment(n, f"chat {n}", ann if n % 3 else bo, ts=base + 1 + k))
    events += [
        Gift(id="g1", ts=T0 + 100, user=vip, gift_name="Rose", diamonds=1, repeat_count=3,
             streak_id="s1", streak_end=False),
        Gift(id="g2", ts=T0 + 101, user=vip, gift_name="Rose", diamonds=1, repeat_count=7,
             streak_id="s1", streak_end=True),
        Like(id="l1", ts=T0 + 120, user=ann, count=40, total=1_240),
        Follow(id="f1", ts=T0 + 130, user=user("zed", "Zed")),
        Share(id="sh1", ts=T0 + 140, user=ann),
        Guest(id="gu1", ts=T0 + 300, user=vip, action="join"),
        Guest(id="gu2", ts=T0 + 500, user=user("co", "Co-host Cat"), action="join"),
        Guest(id="gu3", ts=T0 + 560, user=vip, action="leave"),
        Question(id="q1", ts=T0 + 600, user=bo, text="what game is next?"),
        comment(900, "when do you stream again?", user("kim", "Kim"), ts=T0 + 650),
        comment(901, "last words this minute", ann, ts=T0 + MINUTES * 60 - 5),
    ]  # fmt: skip
    return sorted(events, key=lambda e: e.ts)


def test_the_live_at_a_glance(snap_compare: SnapCompare, tmp_path: Path) -> None:
    events = twelve_minutes()
    app = make_app(tmp_path, events, record=False)

    async def settle(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, settled(app, len(events)), description="every event")
        # Pins through the runtime with fixed times (a key press is stamped with the wall clock).
        await app.runtime.act(Pin(target="q1", user=user("bo", "Bo"), text="what game is next?",
                                  question=True, ts=T0 + 601))  # fmt: skip
        await app.runtime.act(Pin(target="c900", user=user("kim", "Kim"), expire_s=600,
                                  text="when do you stream again?", ts=T0 + 651))  # fmt: skip
        await wait_for(pilot, settled(app, len(events) + 2), description="the pins")
        await wait_for(pilot, lambda: "Guests" in str(app.status.render()), description="drawn")
        await pilot.pause(0.3)  # the Status pane's next refresh (four a second)

    assert snap_compare(app, terminal_size=(150, 45), run_before=settle)


def test_the_questions_list(snap_compare: SnapCompare, tmp_path: Path) -> None:
    """`Q`: open questions first (a Q&A one marked), then the answered one; a pinned one marked."""
    from backstage_tui.events import MarkDone

    ann, bo, kim = user("ann", "Ann"), user("bo", "Bo"), user("kim", "Kim")
    events: list[Event] = [
        Connection(id="s1", ts=T0, status="connected"),
        Question(id="q1", ts=T0 + 1, user=ann, text="what game is next?"),
        comment(2, "nice stream", bo),
        comment(3, "how long have you been playing", bo),
        comment(4, "when do you stream again?", kim),
    ]
    app = make_app(tmp_path, events, record=False)

    async def open_list(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, settled(app, len(events)), description="every event")
        await app.runtime.act(MarkDone(kind="question", target="c3", ts=T0 + 5))
        await app.runtime.act(Pin(target="c4", user=kim, text="when do you stream again?",
                                  ts=T0 + 6))  # fmt: skip
        await wait_for(pilot, settled(app, len(events) + 2), description="the actions")
        await pilot.press("Q")
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(110, 30), run_before=open_list)
