"""SVG snapshots of the screens people look at, with fixed events, fixed times and a UTC clock.

Regenerate after an intended change with ``pytest tests/test_tui_snapshots.py --snapshot-update``
and look at the report before committing the new baselines.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from backstage_tui.events import Hide, Pin
from tests.helpers import T0, make_app, sample_events, settled, wait_for

SIZE = (100, 30)
SnapCompare = Callable[..., bool]


async def _settle(pilot: Pilot[Any]) -> None:
    app = pilot.app
    await wait_for(
        pilot,
        settled(app, len(sample_events())),
        description="the state and the feed took all len(sample_events()) events",
    )  # type: ignore[arg-type]
    await pilot.pause(0.1)


def test_main_screen(snap_compare: SnapCompare, tmp_path: Path) -> None:
    # record=False: the log path (a temporary folder) would otherwise change the picture.
    app = make_app(tmp_path, sample_events(), record=False)
    assert snap_compare(app, terminal_size=SIZE, run_before=_settle)


def test_main_screen_with_selection_pin_and_hidden(
    snap_compare: SnapCompare, tmp_path: Path
) -> None:
    app = make_app(tmp_path, sample_events(), record=False)

    async def moderate(pilot: Pilot[Any]) -> None:
        await _settle(pilot)
        # Actions through the runtime with fixed times: an action made by a key is stamped with
        # the wall clock, which would move the uptime (the keys are tested in test_tui_moderation).
        await app.runtime.act(Pin(target="c12", ts=T0 + 20))
        await app.runtime.act(Hide(target="c11", ts=T0 + 21))
        await wait_for(
            pilot,
            settled(app, len(sample_events()) + 2),
            description="the state and the feed took all len(sample_events()) + 2 events",
        )
        await pilot.press("k", "k", "k", "k", "k")  # leave the cursor on the question
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=SIZE, run_before=moderate)


def test_help_screen(snap_compare: SnapCompare, tmp_path: Path) -> None:
    app = make_app(tmp_path, sample_events(), record=False)

    async def open_help(pilot: Pilot[Any]) -> None:
        await _settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=SIZE, run_before=open_help)
