"""The whole app over a real `SessionRuntime` and a fake source: panes, feed, status, keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from backstage_tui.events import AutomodDecision, Comment, Event, User, Viewers
from backstage_tui.safetext import WidthPolicyName, set_width_policy
from backstage_tui.session import SessionReader
from backstage_tui.tui import app as app_module
from backstage_tui.tui.confirm import ConfirmScreen
from backstage_tui.tui.help_screen import HelpScreen
from backstage_tui.tui.panes import StatusPane
from tests.helpers import (
    T0,
    comment,
    end_live,
    help_lines,
    kept_width_policy,
    make_app,
    sample_events,
    screen_text,
    settled,
    user,
    wait_for,
    whole_screen,
)


async def test_four_panes_with_their_titles(tmp_path: Path) -> None:
    app = make_app(tmp_path, [])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        titles = [str(app.query_one(f"#{pane}").border_title) for pane in
                  ("feed-frame", "pinned", "poll", "status")]  # fmt: skip
        assert titles == ["Feed", "Pinned", "Poll", "Status"]
        feed, status = app.query_one("#feed-frame"), app.query_one("#status")
        assert feed.region.width > 2 * status.region.width - 4  # the feed has about two thirds
        assert "No poll running" in whole_screen(app)


async def test_the_layout_uses_a_large_terminal(tmp_path: Path) -> None:
    app = make_app(tmp_path, [comment(n, f"line {n}") for n in range(80)])
    async with app.run_test(size=(200, 60)) as pilot:
        await wait_for(
            pilot, settled(app, 80), description="the state and the feed took all 80 events"
        )
        await pilot.pause()
        assert app.feed.region.width > 120 and app.feed.region.height > 50
        lines = app.feed.screen_lines()
        assert len(lines) > 50 and "line 79" in lines[-1]


async def test_events_appear_as_lines(tmp_path: Path) -> None:
    app = make_app(tmp_path, sample_events())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot, settled(app, 13), description="the state and the feed took all 13 events"
        )
        await pilot.pause()
        lines = app.feed.screen_lines()
        assert lines[0].startswith("22:13:20")  # UTC: the test fixes the clock's zone
        text = screen_text(app)
        for expected in ("Ann: hello everyone!", "★Mo the Mod: welcome all", "🎁 ◆●Big Fan sent Rose ×5",
                         "? ◆●Big Fan: what game is next?", "Zed followed", "Newbie joined",
                         "Ann liked ×15", "Ann shared the LIVE", "connection connected"):  # fmt: skip
            assert expected in text
        assert "TT" in lines[1]
        assert not any("120" in line for line in lines)  # viewer counts are not feed lines


async def test_status_pane_reflects_the_events(tmp_path: Path) -> None:
    app = make_app(tmp_path, sample_events())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot, settled(app, 13), description="the state and the feed took all 13 events"
        )
        await wait_for(pilot, lambda: app.runtime.recorder is not None
                         and app.runtime.recorder.written == 13, description='app.runtime.recorder is not None and app.runtime.recorder.written == 13')  # fmt: skip
        # Counters reach the pane within STATUS_INTERVAL_S: wait for the last one to move.
        await wait_for(
            pilot,
            lambda: "13 events recorded" in str(app.query_one(StatusPane).render()),
            description='"13 events recorded" in str(app.query_one(StatusPane).render())',
        )
        status = str(app.query_one(StatusPane).render())
        assert "fake · test" in status
        assert "● connected" in status
        assert "Uptime   0:00:12" in status  # from the events' own times, not the wall clock
        assert "150 · peak 150" in status
        assert "4/min · 4 total" in status
        assert "Likes    15" in status
        assert "Gifts    5 · 5 💎" in status
        assert "Follows  1 · shares 1" in status
        assert "13 events recorded" in status
        assert app.runtime.log_path is not None
        assert app.runtime.log_path.name[:8] in status


async def test_status_shows_source_and_log_errors_loudly(tmp_path: Path) -> None:
    app = make_app(tmp_path, [comment(1, "hi")])
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot, settled(app, 1), description="the state and the feed took all 1 events"
        )
        assert app.runtime.recorder is not None
        app.runtime.recorder.error = "session log failing: No space left on device ([x]/log)"
        app.runtime.source_error = "source 'fake' failed: OSError: [boom]"
        await pilot.pause(0.1)
        status = app.query_one(StatusPane)
        rendered = str(status.render())
        assert "⚠ LOG FAILING: session log failing: No space left on device ([x]/log)" in rendered
        assert "● error" in rendered and "[boom]" in rendered
        assert app.is_running


async def test_not_recording_says_so(tmp_path: Path) -> None:
    app = make_app(tmp_path, [comment(1, "hi")], record=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot, settled(app, 1), description="the state and the feed took all 1 events"
        )
        await pilot.pause()
        assert "not recording" in str(app.query_one(StatusPane).render())


async def test_quit_asks_and_no_goes_back(tmp_path: Path) -> None:
    app = make_app(tmp_path, [comment(1, "hi")])
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot, settled(app, 1), description="the state and the feed took all 1 events"
        )
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmScreen)
        await wait_for(pilot, lambda: "End the live?" in whole_screen(app),
                       description="the end-live confirmation")  # fmt: skip
        await pilot.press("n")
        assert not isinstance(app.screen, ConfirmScreen)
        await pilot.press("q", "escape")
        assert not isinstance(app.screen, ConfirmScreen)
        assert app.is_running


async def test_quit_yes_closes_the_log_and_exits(tmp_path: Path) -> None:
    app = make_app(tmp_path, [comment(1, "hi"), comment(2, "there")])
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot, settled(app, 2), description="the state and the feed took all 2 events"
        )
        await end_live(pilot, app)
    assert app.runtime.recorder is not None and app.runtime.recorder.closed
    assert app.runtime.log_path is not None
    assert [e.id for e in SessionReader(app.runtime.log_path).events()] == ["c1", "c2"]


async def test_help_lists_the_keys_and_closes(tmp_path: Path) -> None:
    app = make_app(tmp_path, [])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        # The whole help (it scrolls: the keys no longer fit a 30-row terminal with the legend).
        screen = "\n".join(help_lines(app))
        assert "Pin the selected comment" in whole_screen(app)
        for expected in ("Pin the selected comment", "Hide the selected message", "moderator",
                         "top gifter", "End the live"):  # fmt: skip
            assert expected in screen
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


@pytest.mark.parametrize(
    ("policy", "reason", "says"),
    [("strict", "inside tmux", "flags as [MX]"), ("native", "terminal probe agreed", "as typed")],
)
async def test_help_says_which_emoji_width_policy_is_in_force(
    tmp_path: Path, policy: WidthPolicyName, reason: str, says: str
) -> None:
    with kept_width_policy():
        set_width_policy(policy, reason)
        app = make_app(tmp_path, [])
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.press("question_mark")
            await wait_for(
                pilot, lambda: isinstance(app.screen, HelpScreen), description="help opens"
            )
            shown = " ".join(help_lines(app))
            assert f"display.emoji {policy}: {reason}" in " ".join(shown.split())
            assert says in shown


async def test_flood_every_event_is_shown_or_counted(tmp_path: Path) -> None:
    """30,000 events in one burst, then 10 frames of 1,000: the UI subscription drops what it must,
    and the counters still account for every published event."""
    who = user("fl", "Flood")
    burst: list[Event] = [comment(n, f"flood {n}", who) for n in range(30_000)]
    app = make_app(tmp_path, burst, record=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot,
            lambda: app.runtime.bus.published == 30_000,
            description="app.runtime.bus.published == 30_000",
        )
        await wait_for(
            pilot,
            lambda: app.feed.shown + app.feed.skipped == 30_000,
            description="app.feed.shown + app.feed.skipped == 30_000",
        )
        assert app.feed.shown + app.feed.skipped == app.runtime.bus.published == 30_000
        await pilot.pause()
        assert app.feed.skipped > 0  # the burst was larger than the UI subscription
        assert "flood 29999" in app.feed.screen_lines()[-1]
        for frame in range(10):
            for n in range(1000):
                await app.runtime.publish(Comment(ts=T0, user=who, text=f"wave {frame}-{n}"))
            await pilot.pause()
        await wait_for(
            pilot,
            lambda: app.feed.shown + app.feed.skipped == 40_000,
            description="app.feed.shown + app.feed.skipped == 40_000",
        )
        await pilot.pause()
        assert app.feed.line_count == 5000
        assert "wave 9-999" in app.feed.screen_lines()[-1]
        assert app.runtime.state.stats.comments == 40_000


async def test_viewer_updates_do_not_disturb_the_feed(tmp_path: Path) -> None:
    app = make_app(tmp_path, [comment(1, "hi"), Viewers(ts=T0 + 2, count=7)])
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot, settled(app, 2), description="the state and the feed took all 2 events"
        )
        await pilot.pause()
        assert app.feed.line_count == 1
        # Counters reach the Status pane within STATUS_INTERVAL_S (a quarter of a second).
        await wait_for(
            pilot,
            lambda: "7 · peak 7" in str(app.query_one(StatusPane).render()),
            description='"7 · peak 7" in str(app.query_one(StatusPane).render())',
        )


VIEWER = User(id="u-held", handle="held", name="Held")


async def test_status_counters_are_paced_but_a_failing_log_shows_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock_now = [1000.0]  # the app's clock, moved by the test only
    monkeypatch.setattr(app_module, "monotonic", lambda: clock_now[0])
    app = make_app(tmp_path, [comment(1, "hi"), Viewers(ts=T0 + 2, count=7)])
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot, settled(app, 2), description="the state and the feed took all 2 events"
        )
        clock_now[0] += 1  # due again: the next frame shows the counters
        await wait_for(
            pilot,
            lambda: "7 · peak 7" in str(app.query_one(StatusPane).render()),
            description='"7 · peak 7" in str(app.query_one(StatusPane).render())',
        )
        assert app._frame_timer is not None and app.runtime.recorder is not None
        app._frame_timer.pause()  # from here the test draws the frames
        await app.runtime.publish(Viewers(ts=T0 + 3, count=9))
        await wait_for(
            pilot,
            lambda: app.runtime.state.stats.viewers == 9,
            description="app.runtime.state.stats.viewers == 9",
        )
        app.draw_frame()  # within STATUS_INTERVAL_S of the last drawing: the counter waits
        assert "9 · peak 9" not in str(app.query_one(StatusPane).render())
        # A failing disk is not a counter: it is on the pane with the very next frame.
        app.runtime.recorder.error = "session log failing: No space left on device"
        app.draw_frame()
        shown = str(app.query_one(StatusPane).render())
        assert "LOG FAILING" in shown and "9 · peak 9" in shown
        app.runtime.recorder.error = None
        clock_now[0] += app_module.STATUS_INTERVAL_S
        app.draw_frame()
        assert "LOG FAILING" not in str(app.query_one(StatusPane).render())

        # The first message held for review shows at once; more of them are a counter (under a
        # flood the rules hold some every frame, and the pane would be redrawn each time).
        async def hold(n: int) -> None:
            await app.runtime.publish(AutomodDecision(ts=T0 + 4, rule="caps", outcome="hold",
                                                      target=f"held-{n}", user=VIEWER))  # fmt: skip
            await wait_for(pilot, lambda: app.runtime.state.automod.held_count == n,
                           description=f"{n} held")  # fmt: skip

        await hold(1)
        app.draw_frame()
        assert "1 held" in str(app.query_one(StatusPane).render())
        await hold(2)
        app.draw_frame()
        assert "2 held" not in str(app.query_one(StatusPane).render())
        clock_now[0] += app_module.STATUS_INTERVAL_S
        app.draw_frame()
        assert "2 held" in str(app.query_one(StatusPane).render())


async def test_the_collector_is_tuned_while_running_and_restored_after(tmp_path: Path) -> None:
    import gc

    from backstage_tui.gc_tuning import YOUNG_THRESHOLD

    before = gc.get_threshold()
    app = make_app(tmp_path, sample_events())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot,
            lambda: gc.get_threshold()[0] == YOUNG_THRESHOLD,
            description="gc.get_threshold()[0] == YOUNG_THRESHOLD",
        )
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
