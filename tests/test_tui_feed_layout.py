"""The feed and the layout at the sizes people use: long messages wrap (never cut), the cursor moves
by message, a resize keeps the selection, a narrow terminal shows one side pane at a time and still
shows every alarm, and the feed tells its frame what to say under it with messages."""

from __future__ import annotations

from pathlib import Path

from rich.style import Style
from textual.widgets import Footer

from backstage_tui.events import Comment, Connection, Event, Like
from backstage_tui.runtime import SessionRuntime
from backstage_tui.tui.app import BackstageApp
from backstage_tui.tui.feed_view import FeedFrame, FeedView
from backstage_tui.tui.side import alarm_text
from tests.helpers import (
    T0,
    FakeSource,
    comment,
    long_text,
    make_app,
    settled,
    user,
    wait_for,
    whole_screen,
)

ANN = user("ann", "Ann")
PREFIX = "22:13:21 TT Ann: "  # time, badge and name of comment 1 by Ann: the message starts after


async def started(app: BackstageApp, pilot: object, count: int) -> None:
    await wait_for(pilot, settled(app, count), description=f"the feed took all {count} events")  # type: ignore[arg-type]
    await pilot.pause()  # type: ignore[attr-defined]


def rows_of(app: BackstageApp, tag: str) -> list[str]:
    """The feed's screen rows that hold words of the message tagged `tag` (see `long_text`)."""
    return [row for row in app.feed.screen_lines() if f"{tag}END" in row or f" {tag}1" in row
            or any(word.startswith(tag) for word in row.split())]  # fmt: skip


def words_of(rows: list[str], tag: str) -> list[str]:
    return [word for row in rows for word in row.split() if word.startswith(tag)]


async def test_a_300_character_comment_shows_whole_at_80x24(tmp_path: Path) -> None:
    text = long_text(300, "w")
    app = make_app(tmp_path, [comment(1, text, ANN)])
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot, 1)
        rows = [row for row in app.feed.screen_lines() if row]
        assert len(rows) >= 5  # 300 characters in a feed about 54 cells wide
        assert rows[0].startswith(PREFIX + "w0 w1")
        # Every continuation row sits under the start of the message, after time, badge and name.
        assert all(row.startswith(" " * len(PREFIX) + "w") for row in rows[1:])
        assert " ".join(words_of(rows, "w")) == text  # every word, in order: nothing cut
        assert not any("…" in row for row in rows)
        # The wrapped feed stays inside its frame: the side pane's border is where it belongs.
        side = app.query_one("#side").region.x
        for line in whole_screen(app).splitlines()[1:10]:
            assert line[side - 1] == "│" and line[side] == "│", line


async def test_the_cursor_moves_by_message_and_highlights_all_its_rows(tmp_path: Path) -> None:
    events: list[Event] = [
        comment(1, "short one", ANN),
        comment(2, long_text(200, "x"), ANN),
        comment(3, "short two", ANN),
    ]
    app = make_app(tmp_path, events)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot, 3)
        await pilot.press("k", "k")  # the newest, then the long one before it
        assert app.feed.selected_event is not None and app.feed.selected_event.id == "c2"
        feed = app.feed
        cursor = feed.get_component_rich_style("feed-view--cursor").bgcolor
        long_rows = [y for y in range(feed.scrollable_content_region.height)
                     if feed.line_at(y) == 1]  # fmt: skip
        assert len(long_rows) >= 3
        for y in range(feed.scrollable_content_region.height):
            backgrounds = {(segment.style or Style()).bgcolor for segment in feed.render_line(y)}
            if y in long_rows:
                assert cursor in backgrounds, y  # every row of the selected message
            else:
                assert cursor not in backgrounds, y
        await pilot.press("k")
        assert feed.selected_event is not None and feed.selected_event.id == "c1"
        await pilot.press("j", "j")
        assert feed.selected_event is not None and feed.selected_event.id == "c3"


async def test_tailing_after_long_messages_shows_the_newest_ones_last_row_at_the_bottom(
    tmp_path: Path,
) -> None:
    events = [comment(n, long_text(150, f"m{n}x"), ANN) for n in range(1, 40)]
    app = make_app(tmp_path, events)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot, 39)
        rows = app.feed.screen_lines()
        assert rows[-1].rstrip().endswith("m39xEND")
        assert any(row.startswith("22:13:") and "m39x0 " in row for row in rows)
        # More arrive: still the newest at the bottom.
        for n in range(40, 46):
            await app.runtime.publish(comment(n, long_text(150, f"m{n}x"), ANN))
        await wait_for(pilot, settled(app, 45), description="the feed took all 45 events")
        await pilot.pause()
        assert app.feed.screen_lines()[-1].rstrip().endswith("m45xEND")
        # And after visiting the top, tailing again lands on the newest.
        await pilot.press("g")
        assert "m1x0" in "\n".join(app.feed.screen_lines()[:3])
        await pilot.press("G")
        assert app.feed.screen_lines()[-1].rstrip().endswith("m45xEND")


async def test_folding_keeps_the_selected_long_message_on_screen(tmp_path: Path) -> None:
    fan = user("fan", "Fan")
    events: list[Event] = [comment(0, long_text(160, "a"), ANN)]
    for n in range(1, 30):
        events.append(Like(id=f"l{n}", ts=T0 + n, user=fan, count=n))
    events.append(comment(40, long_text(160, "z"), ANN))
    app = make_app(tmp_path, events)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot, len(events))
        await pilot.press("g")  # the first long comment, far above the likes
        assert app.feed.selected_event is not None and app.feed.selected_event.id == "c0"
        await pilot.press("f")
        assert app.feed.selected_event is not None and app.feed.selected_event.id == "c0"
        screen = "\n".join(app.feed.screen_lines())
        assert "liked" not in screen and "aEND" in screen and "zEND" in screen
        await pilot.press("f")
        assert app.feed.selected_event is not None and app.feed.selected_event.id == "c0"
        assert "aEND" in "\n".join(app.feed.screen_lines())


async def test_a_resize_keeps_the_same_message_selected_and_on_screen(tmp_path: Path) -> None:
    events = [comment(n, long_text(120, f"r{n}x"), ANN) for n in range(1, 61)]
    app = make_app(tmp_path, events)
    async with app.run_test(size=(150, 45)) as pilot:
        await started(app, pilot, 60)
        await pilot.press("g", *["j"] * 24)  # message 25, in the middle of the buffer
        assert app.feed.selected_event is not None and app.feed.selected_event.id == "c25"
        for size in ((80, 24), (150, 45), (100, 30), (80, 24)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            assert app.feed.selected_event is not None and app.feed.selected_event.id == "c25"
            screen = "\n".join(app.feed.screen_lines())
            assert "r25x0 " in screen and "r25xEND" in screen, size  # all of it on screen
        # Tailing through a resize: the newest stays at the bottom.
        await pilot.press("escape")
        await pilot.resize_terminal(150, 45)
        await pilot.pause()
        assert app.feed.screen_lines()[-1].rstrip().endswith("r60xEND")


async def test_scrolling_up_while_tailing_freezes_where_the_moderator_went(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path, [comment(n, f"line {n}", ANN) for n in range(100)])
    async with app.run_test(size=(100, 30)) as pilot:
        await started(app, pilot, 100)
        assert not app.feed.paused
        app.feed.scroll_to(y=10, animate=False)  # as dragging the scrollbar does
        await pilot.pause()
        assert app.feed.paused and app.feed.selected_event is None
        assert "line 10" in app.feed.screen_lines()[0]
        await app.runtime.publish(comment(100, "while frozen", ANN))
        await wait_for(pilot, lambda: app.feed.pending_count == 1, description="one line waits")
        assert "while frozen" not in "\n".join(app.feed.screen_lines())
        app.feed.scroll_end(animate=False)  # back at the bottom: it follows again
        await wait_for(pilot, lambda: not app.feed.paused, description="the feed follows again")
        await pilot.pause()
        assert "while frozen" in app.feed.screen_lines()[-1]


# -- the side panes -------------------------------------------------------------------------------


def on_view(app: BackstageApp) -> list[str]:
    return [pane.id or "" for pane in app.side.panes if pane.display and pane.region.height]


def footer_text(app: BackstageApp) -> str:
    footer = app.query_one(Footer)
    return " ".join(str(key.render()) for key in footer.query("FooterKey"))


async def test_a_narrow_terminal_shows_one_side_pane_and_v_cycles_them(tmp_path: Path) -> None:
    app = make_app(tmp_path, [comment(1, "hi", ANN)])
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot, 1)
        assert app.narrow
        assert app.query_one("#feed-frame").region.width >= 60
        assert on_view(app) == ["pinned"]
        assert "Panes" in footer_text(app)
        await pilot.press("v")
        assert on_view(app) == ["poll"]
        await pilot.press("v")
        assert on_view(app) == ["status"]
        # The side of an 80x24 terminal gets the compact form (no Source label) once the pane
        # knows its width: the source's name and the uptime show either way.
        await wait_for(pilot, lambda: "Source" not in whole_screen(app),
                       description="the Status pane drawn compact at its width")  # fmt: skip
        assert "fake · test" in whole_screen(app) and "Uptime" in whole_screen(app)
        await pilot.press("v")
        assert on_view(app) == ["pinned"]
        # Wide again: all three, and the key is not offered.
        await pilot.resize_terminal(120, 40)
        await wait_for(pilot, lambda: not app.narrow, description="the screen is wide")
        await pilot.pause()
        assert on_view(app) == ["pinned", "poll", "status"]
        assert "Panes" not in footer_text(app)
        await pilot.press("v")
        assert on_view(app) == ["pinned", "poll", "status"]


async def test_an_alarm_shows_at_80x24_whichever_side_pane_is_on_view(tmp_path: Path) -> None:
    app = make_app(tmp_path, [comment(1, "hi", ANN)])
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot, 1)
        assert "⚠" not in whole_screen(app)
        assert app.runtime.recorder is not None
        app.runtime.recorder.error = "session log failing: No space left on device"
        await wait_for(pilot, lambda: "⚠ log failing" in whole_screen(app),
                       description="the alarm above the Pinned pane")  # fmt: skip
        await pilot.press("v")  # Poll
        assert "⚠ log failing" in whole_screen(app)
        # Status: 20 columns cannot show all it says at once (the log's path wraps over several
        # rows), so the line stays above it too.
        await pilot.press("v")
        assert "⚠ log failing" in whole_screen(app)
        await pilot.resize_terminal(120, 40)  # wide: the Status pane says it, in full
        await wait_for(pilot, lambda: not app.narrow, description="the screen is wide")
        await pilot.pause()
        screen = whole_screen(app)
        assert "⚠ log failing" not in screen
        assert "⚠ LOG FAILING: session log failing" in screen
        app.runtime.recorder.error = None  # the alarm ends: nothing left on a narrow screen
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: "⚠" not in whole_screen(app), description="no alarm")


async def test_the_alarm_names_a_failing_log_then_a_source_error_then_a_lost_link(
    tmp_path: Path,
) -> None:
    runtime = SessionRuntime(FakeSource([]), sessions_dir=tmp_path, record=False)
    assert alarm_text(runtime.status()) == ""
    runtime.state.apply(Connection(ts=T0, status="reconnecting"))
    assert alarm_text(runtime.status()) == "⚠ reconnecting"
    runtime.state.apply(Connection(ts=T0, status="disconnected"))
    assert alarm_text(runtime.status()) == "⚠ link lost"
    runtime.source_error = "source 'fake' failed"
    assert alarm_text(runtime.status()) == "⚠ source error"
    runtime.source_finished = True
    runtime.source_error = None
    assert alarm_text(runtime.status()) == ""  # a stream that ended is not a lost link


# -- what the feed tells its frame ----------------------------------------------------------------


class Recording(FeedFrame):
    """A frame that keeps every status message it is handed."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.seen: list[FeedView.StatusChanged] = []

    def on_feed_view_status_changed(self, message: FeedView.StatusChanged) -> None:
        self.seen.append(message)
        super().on_feed_view_status_changed(message)


async def test_the_status_line_goes_up_as_messages_only_when_it_changes(tmp_path: Path) -> None:
    from textual.app import App, ComposeResult

    from backstage_tui.state import ConsoleState

    class Harness(App[None]):
        def __init__(self) -> None:
            super().__init__()
            self.state = ConsoleState()
            self.feed = FeedView(self.state, capacity=50, id="feed")
            self.frame = Recording()

        def compose(self) -> ComposeResult:
            with self.frame:
                yield self.feed

    app = Harness()
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        assert [m.status.subtitle for m in app.frame.seen] == ["live"]
        for n in range(20):  # twenty frames, the status never changes
            app.feed.add_batch([comment(n, f"line {n}")])
        await pilot.pause()
        assert len(app.frame.seen) == 1
        await pilot.press("k")
        await pilot.pause()
        assert str(app.frame.border_subtitle) == "paused · 0 new · esc: follow"
        for n in range(20, 40):  # while paused every frame changes the count...
            app.feed.add_batch([comment(n, f"line {n}")])
        await pilot.pause()
        # ...and the frame ends on the latest (messages not yet handled were replaced).
        assert str(app.frame.border_subtitle) == "paused · 20 new · esc: follow"
        assert app.frame.seen[-1].status.waiting == 20
        app.feed.fold_activity = True
        await pilot.pause()
        assert "activity folded (f)" in str(app.frame.border_subtitle)
        assert app.feed.window.fold_activity


async def test_fold_activity_is_a_setting_the_app_passes_on(tmp_path: Path) -> None:
    runtime = SessionRuntime(
        FakeSource([comment(1, "hi"), Like(id="l", ts=T0, user=ANN, count=2)]),
        sessions_dir=tmp_path,
        record=False,
    )
    app = BackstageApp(runtime, fold_activity=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await started(app, pilot, 2)
        assert app.feed.fold_activity and app.feed.line_count == 1
        assert "activity folded (f)" in str(app.query_one(FeedFrame).border_subtitle)
        await pilot.press("f")
        assert not app.feed.fold_activity and app.feed.line_count == 2
        assert isinstance(app.feed.window.lines[-1], Like)
        assert isinstance(app.feed.window.lines[0], Comment)
