"""SVG snapshots of the moderation screens: the In the app list and the user card.

Regenerate after an intended change with
``pytest tests/test_tui_moderation_snapshots.py --snapshot-update`` and look at the report first.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from backstage_tui.events import Block, Moderator, Mute, Note, TodoDone
from tests.helpers import T0, comment, make_app, settled, user, wait_for

SnapCompare = Callable[..., bool]


def test_the_in_the_app_list(snap_compare: SnapCompare, tmp_path: Path) -> None:
    troll, spam, fan = user("troll", "Troll"), user("spam", "Spam Bot"), user("fan", "Fan")
    events = [comment(1, "nasty", troll), comment(2, "buy followers", spam), comment(3, "hi", fan)]
    app = make_app(tmp_path, events, record=False)

    async def open_list(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, settled(app, 3), description="the comments")
        # Through the runtime with fixed times, as the keys would (the keys have their own tests).
        await app.runtime.act(Mute(user=troll, target="c1", duration_s=300, ts=T0 + 10))
        block = await app.runtime.act(Block(user=spam, target="c2", ts=T0 + 11))
        await app.runtime.act(Moderator(user=fan, target="c3", ts=T0 + 12))
        await app.runtime.act(TodoDone(action=block.event.id, ts=T0 + 13))
        await pilot.press("i")
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=(100, 30), run_before=open_list)


def test_the_user_card(snap_compare: SnapCompare, tmp_path: Path) -> None:
    troll, fan = user("troll", "Troll"), user("fan", "Fan")
    events = [comment(1, "first!", troll), comment(2, "hi", fan), comment(3, "you all suck", troll)]
    app = make_app(tmp_path, events, record=False)

    async def open_card(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, settled(app, 3), description="the comments")
        await app.runtime.act(Note(user=troll, target="c3", text="second warning", ts=T0 + 10))
        await app.runtime.act(Mute(user=troll, target="c3", duration_s=300, ts=T0 + 11))
        await pilot.press("k")  # the newest message: the troll's
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "UserCard",
                       description="the user card opens")  # fmt: skip
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=(100, 30), run_before=open_card)
