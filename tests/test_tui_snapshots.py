"""SVG snapshots of the screens people look at, with fixed events, fixed times and a UTC clock.

The main screen at three sizes: 80x24 (a common default window: the feed keeps 60 columns and the
side shows one pane at a time), 120x40 and 200x50. Long comments and names wrap in the feed.

Regenerate after an intended change with ``pytest tests/test_tui_snapshots.py --snapshot-update``
and look at the report before committing the new baselines.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from backstage_tui.events import Connection, Event, Hide, Pin
from tests.helpers import T0, comment, make_app, sample_events, settled, user, wait_for

SIZE = (100, 30)
SIZES = [(80, 24), (120, 40), (200, 50)]
SnapCompare = Callable[..., bool]

LONG_COMMENT = (
    "ok so I have been watching since the very first stream and I really want to know whether "
    "the new build order works against rushes, because last time it fell apart around minute "
    "five and everyone in chat was yelling about the scouting, so what changed? thanks!!"
)


def long_events() -> list[Event]:
    """The sample session, then a 240-character comment and a long name."""
    fan = user("fan", "Loyal Viewer Since Day One", "subscriber")
    return [
        *sample_events(),
        comment(13, LONG_COMMENT, fan),
        comment(14, "and gg to everyone who joined the raid tonight, see you next time", fan),
    ]


async def _settle(pilot: Pilot[Any], count: int) -> None:
    await wait_for(
        pilot,
        settled(pilot.app, count),  # type: ignore[arg-type]
        description=f"the state and the feed took all {count} events",
    )
    await pilot.pause(0.1)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_main_screen(snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]) -> None:
    # record=False: the log path (a temporary folder) would otherwise change the picture.
    events = long_events()
    app = make_app(tmp_path, events, record=False)

    async def settle(pilot: Pilot[Any]) -> None:
        await _settle(pilot, len(events))

    assert snap_compare(app, terminal_size=size, run_before=settle)


def test_main_screen_with_selection_pin_and_hidden(
    snap_compare: SnapCompare, tmp_path: Path
) -> None:
    events = long_events()
    app = make_app(tmp_path, events, record=False)

    async def moderate(pilot: Pilot[Any]) -> None:
        await _settle(pilot, len(events))
        # Actions through the runtime with fixed times: an action made by a key is stamped with
        # the wall clock, which would move the uptime (the keys are tested in test_tui_moderation).
        await app.runtime.act(Pin(target="c12", ts=T0 + 20))
        await app.runtime.act(Hide(target="c11", ts=T0 + 21))
        await _settle(pilot, len(events) + 2)
        await pilot.press("k", "k")  # the cursor on the long comment: all its rows highlighted
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=(120, 40), run_before=moderate)


def test_narrow_screen_shows_an_alarm_above_the_pane_on_view(
    snap_compare: SnapCompare, tmp_path: Path
) -> None:
    events = [*long_events(), Connection(id="s2", ts=T0 + 15, status="reconnecting")]
    app = make_app(tmp_path, events, record=False)

    async def settle(pilot: Pilot[Any]) -> None:
        await _settle(pilot, len(events))
        await pilot.press("v")  # the Poll pane: the Status pane is not on view
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


def test_help_screen(snap_compare: SnapCompare, tmp_path: Path) -> None:
    app = make_app(tmp_path, sample_events(), record=False)

    async def open_help(pilot: Pilot[Any]) -> None:
        await _settle(pilot, len(sample_events()))
        await pilot.press("question_mark")
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=SIZE, run_before=open_help)
