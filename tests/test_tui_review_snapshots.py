"""SVG snapshots of auto-moderation on screen: the feed with a held, a hidden and a flagged message,
and the review queue.

Regenerate after an intended change with
``pytest tests/test_tui_review_snapshots.py --snapshot-update`` and look at the report first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from backstage_tui.automod.engine import AutomodEngine
from backstage_tui.automod.settings import AutomodSettings
from backstage_tui.runtime import SessionRuntime
from backstage_tui.tui.app import BackstageApp
from backstage_tui.tui.review_screen import ReviewScreen
from tests.helpers import FakeSource, comment, settled, user, wait_for

SnapCompare = Callable[..., bool]
RULES: dict[str, Any] = {
    "terms": {"slurs": {"terms": ["ban"]}, "meh": {"terms": ["meh"], "outcome": "flag"}},
}
EVENTS = [
    comment(1, "hello from Lisbon!", user("ana", "Ana")),
    comment(2, "claim free coins at bit.ly/win-now", user("spammer", "Free Coins")),
    comment(3, "meh, whatever", user("bo", "Bo")),
    comment(4, "you b4n", user("troll", "Troll")),
    comment(5, "check www.other-spam.net for followers", user("bot", "Promo Team")),
    comment(6, "great stream", user("cy", "Cy")),
]
PUBLISHED = 6 + 5  # the messages, four decisions and the hide


def review_app(tmp_path: Path) -> BackstageApp:
    engine = AutomodEngine(AutomodSettings.model_validate(RULES))
    runtime = SessionRuntime(FakeSource(EVENTS), sessions_dir=tmp_path, record=False,
                             automod=engine)  # fmt: skip
    return BackstageApp(runtime, title="backstage · test", tz=UTC)


def test_the_feed_with_held_hidden_and_flagged_messages(
    snap_compare: SnapCompare, tmp_path: Path
) -> None:
    app = review_app(tmp_path)

    async def settle(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, settled(app, PUBLISHED), description="all events drawn")
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=(110, 30), run_before=settle)


def test_the_review_queue(snap_compare: SnapCompare, tmp_path: Path) -> None:
    app = review_app(tmp_path)

    async def open_queue(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, settled(app, PUBLISHED), description="all events drawn")
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen)
                       and app.screen.held_ids == ("c2", "c5"),
                       description="the queue lists both held messages")  # fmt: skip
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=(110, 30), run_before=open_queue)
