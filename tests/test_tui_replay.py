"""`backstage replay`: a saved session in the same panes; at the end they show its final state."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

from backstage_tui.runtime import SessionRuntime
from backstage_tui.safetext import display_name
from backstage_tui.sources.replay import ReplaySource
from backstage_tui.tui import BackstageApp
from tests.helpers import record_demo_session, screen_text, wait_for, whole_screen

N = 4000


async def test_replay_at_max_speed_ends_on_the_sessions_final_state(tmp_path: Path) -> None:
    live = await record_demo_session(tmp_path, n=N, seed=21)
    assert live.log_path is not None
    source = ReplaySource.from_strings({"path": str(live.log_path), "speed": "max"})
    app = BackstageApp(SessionRuntime(source), tz=UTC)
    async with app.run_test(size=(120, 40)) as pilot:
        total = N + 2
        await wait_for(
            pilot,
            lambda: app.runtime.state.last_seq == total,
            description="app.runtime.state.last_seq == total",
            timeout=30,
        )
        await wait_for(
            pilot,
            lambda: app.feed.shown + app.feed.skipped == total,
            description="app.feed.shown + app.feed.skipped == total",
        )
        # The Status pane's counters follow within a quarter of a second (STATUS_INTERVAL_S).
        final_count = f"{live.state.stats.comments:,} total"
        await wait_for(
            pilot,
            lambda: final_count in whole_screen(app),
            description="final_count in whole_screen(app)",
        )
        assert app.runtime.state == live.state
        assert app.runtime.recorder is None  # a replay is not recorded again

        screen = whole_screen(app)
        pinned = live.state.pins.newest_first()[0]
        assert pinned.text[:12] in screen  # the Pinned pane shows the session's pin
        assert "not recording" in screen
        assert f"{live.state.stats.comments:,} total" in screen
        # The feed ends where the session ended, with the hidden message as a placeholder.
        last = live.state.feed.items[-1]
        feed = screen_text(app)
        assert "hidden by moderator" in feed
        assert last.id in live.state.moderation.hidden or display_name(last.user.name)[:6] in feed
