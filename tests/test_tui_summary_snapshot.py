"""An SVG snapshot of the summary screen at the end of a live: sections, top lists, moderation,
curves, the report files and a goodbye that waits to be posted.

Regenerate after an intended change with
``pytest tests/test_tui_summary_snapshot.py --snapshot-update`` and look at the report first.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot

from backstage_tui.events import Comment, Event, Gift, Hide, Say, Viewers
from backstage_tui.reports import LiveReport
from backstage_tui.session import SessionHeader
from backstage_tui.tui.summary_screen import SummaryScreen
from tests.helpers import T0, header, user, wait_for

SnapCompare = Callable[..., bool]


def a_live() -> list[Event]:
    """Half an hour: viewers rising then falling, chat in bursts, gifts, two actions."""
    people = [user("ana", "Ana"), user("bo", "Bo"), user("cy", "Cy <script>"), user("dee", "Dee")]
    events: list[Event] = []
    for minute in range(30):
        ts = T0 + minute * 60
        events.append(
            Viewers(id=f"v{minute}", ts=ts, count=40 + minute * 6 - max(0, minute - 20) * 15)
        )
        for n in range(minute % 7 + 1):
            who = people[(minute + n) % len(people)]
            events.append(Comment(id=f"c{minute}-{n}", ts=ts + n, user=who, text="hi"))
        if minute % 10 == 3:
            events.append(Gift(id=f"g{minute}", ts=ts + 30, user=people[minute % 3],
                               gift_name="Rose", diamonds=5, repeat_count=minute))  # fmt: skip
    events.append(Hide(id="a1", ts=T0 + 1790, target="c29-0", by="automod"))
    events.append(Say(id="a2", ts=T0 + 1795, text="bye all!", effect="queued"))
    return events


class SummaryApp(App[None]):
    def __init__(self, report: LiveReport) -> None:
        super().__init__()
        self.report = report

    async def on_mount(self) -> None:
        screen = SummaryScreen(goodbye_to_post="Thanks for joining me today! See you soon.")
        await self.push_screen(screen)
        screen.show(self.report, (Path("/streams/2026-live.md"), Path("/streams/2026-live.html")))


def test_the_summary_screen(snap_compare: SnapCompare) -> None:
    titled = SessionHeader(
        **{**header().model_dump(), "title": "Sunday sketching", "tags": ["art"]}
    )
    report = LiveReport.from_events(a_live(), titled)
    app = SummaryApp(report)

    async def settle(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, lambda: bool(app.screen.query(".curve")), description="drawn")
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(120, 44), run_before=settle)
