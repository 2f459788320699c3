"""Correctness under a flood, as ordinary tests (no timings): what the benchmarks rely on.

- After far more lines than the feed keeps, the newest line is on the *screen*: read from what the
  compositor puts together (the strips a terminal would get), not from `FeedView.render_line`,
  which would answer with the new content even when the widget was never repainted (the trap
  Textual 8.2.8's own `Log` falls into once `max_lines` is reached while it follows the bottom).
- Under a flood bigger than the UI's queue: ``shown + skipped == published`` for the UI, and the
  session log holds every event, in order.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App

from backstage_tui.events import Comment, Event, Like, User, Viewers
from backstage_tui.runtime import SessionRuntime
from backstage_tui.session import SessionReader
from backstage_tui.sources.base import Source
from backstage_tui.tui.app import BackstageApp
from tests.helpers import wait_for

SIZE = (100, 30)
T0 = 1_767_225_600.0


class ScriptedSource(Source):
    """Yields nothing until the test hands it batches; each batch goes out in one go."""

    name: ClassVar[str] = "scripted"

    def __init__(self) -> None:
        super().__init__()
        self.sent: asyncio.Queue[list[Event]] = asyncio.Queue()

    async def events(self) -> AsyncIterator[Event]:
        while True:
            for event in await self.sent.get():
                yield event


def comment(n: int) -> Comment:
    who = User(id=f"u{n % 7}", handle=f"viewer{n % 7}", name=f"Viewer {n % 7}")
    return Comment(id=f"c{n}", ts=T0 + n / 1000, user=who, text=f"message {n}")


def mixed(n: int) -> Event:
    """Mostly comments, with likes and viewer counts (a line that is not a comment, and an event
    that is no line at all)."""
    if n % 10 == 3:
        return Like(id=f"l{n}", ts=T0 + n / 1000, user=User(id="fan", name="Fan"), count=2)
    if n % 10 == 7:
        return Viewers(id=f"v{n}", ts=T0 + n / 1000, count=n)
    return comment(n)


def screen_lines(app: App[Any]) -> list[str]:
    """The whole screen as the compositor composes it, one string per row."""
    return [strip.text.rstrip() for strip in app.screen._compositor.render_strips()]


async def test_newest_line_is_on_screen_after_far_more_lines_than_the_feed_keeps(
    tmp_path: Path,
) -> None:
    source = ScriptedSource()
    runtime = SessionRuntime(source, sessions_dir=tmp_path, record=False, feed_capacity=100)
    app = BackstageApp(runtime, tz=UTC, feed_capacity=100)
    async with app.run_test(size=SIZE) as pilot:
        sent = 0
        for _ in range(40):  # 10,000 lines through a 100-line feed, one frame's worth at a time
            source.sent.put_nowait([comment(n) for n in range(sent, sent + 250)])
            sent += 250
            await wait_for(
                pilot,
                lambda n=sent: app.feed.shown + app.feed.skipped >= n,
                description="the feed accounted for every event sent",
                timeout=20,
            )
            await pilot.pause()
            feed_rows = [line for line in screen_lines(app) if "message" in line]
            assert f"message {sent - 1}" in feed_rows[-1]
            assert f"message {sent - 2}" in feed_rows[-2]
        assert app.feed.line_count == 100
        await runtime.close()


async def test_a_burst_larger_than_the_ui_queue_is_accounted_for_and_fully_logged(
    tmp_path: Path,
) -> None:
    source = ScriptedSource()
    runtime = SessionRuntime(source, sessions_dir=tmp_path, record=True)
    app = BackstageApp(runtime, tz=UTC)
    events = [mixed(n) for n in range(60_000)]  # three times the UI's queue, in one go
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        source.sent.put_nowait(events)
        published = len(events)
        await wait_for(
            pilot,
            lambda: (
                runtime.bus.published == published
                and runtime.state.last_seq == published
                and app.feed.shown + app.feed.skipped + app.feed.pending_count == published
            ),
            description="the bus, the state and the feed all took every event",
            timeout=20,
        )
        await pilot.pause()
        assert app.feed.skipped > 0, "the burst should have overflowed the UI's queue"
        assert app.feed.pending_count == 0
        assert app.feed.shown + app.feed.skipped == runtime.bus.published
        assert "message 59999" in [line for line in screen_lines(app) if "message" in line][-1]
        await runtime.close()
    assert runtime.log_path is not None
    logged = SessionReader(runtime.log_path).events()
    assert [e.seq for e in logged] == list(range(1, published + 1))
    assert [e.id for e in logged] == [e.id for e in events]


async def test_a_paced_flood_is_shown_in_full_and_fully_logged(tmp_path: Path) -> None:
    source = ScriptedSource()
    runtime = SessionRuntime(source, sessions_dir=tmp_path, record=True)
    app = BackstageApp(runtime, tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        sent = 0
        for _ in range(50):  # 100 events every 5 ms: a 20,000/s flood for a quarter second
            source.sent.put_nowait([mixed(n) for n in range(sent, sent + 100)])
            sent += 100
            await asyncio.sleep(0.005)
        await wait_for(
            pilot,
            lambda: (
                app.feed.shown + app.feed.skipped + app.feed.pending_count == sent
                and runtime.recorder is not None
                and runtime.recorder.written == sent
            ),
            description="the feed and the log took every event sent",
            timeout=20,
        )
        assert app.feed.skipped == 0
        assert app.feed.shown == runtime.bus.published == sent
        await runtime.close()
    assert runtime.log_path is not None
    assert [e.seq for e in SessionReader(runtime.log_path).events()] == list(range(1, sent + 1))


async def test_a_drained_batch_is_put_on_the_screen_before_draw_frame_returns(
    tmp_path: Path,
) -> None:
    """The frame goes out in the same turn as its batch, not after Textual's idle relay (which under
    a flood was most of the p99 latency). If Textual's internals change, this says so."""
    runtime = SessionRuntime(ScriptedSource(), sessions_dir=tmp_path, record=False)
    app = BackstageApp(runtime, tz=UTC)
    put_out: list[list[str]] = []
    display = app._display

    def noting(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        if renderable is not None:
            put_out.append(screen_lines(app))

    app._display = noting  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app._frame_timer is not None
        app._frame_timer.pause()  # this test drives the frames
        for first in (0, 500):
            for n in range(first, first + 500):
                await runtime.publish(comment(n))
            before = len(put_out)
            app.draw_frame()
            assert len(put_out) == before + 1
            rows = [line for line in put_out[-1] if "message" in line]
            assert f"message {first + 499}" in rows[-1]
        # With a dialog on top, the frame waits for Textual to paint the screens in order.
        app.action_request_quit()
        await pilot.pause()
        await runtime.publish(comment(1000))
        before = len(put_out)
        app.draw_frame()
        assert len(put_out) == before
        await runtime.close()


async def test_a_flood_of_wrapping_lines_asks_for_no_layout_of_the_screen(tmp_path: Path) -> None:
    """Long comments coming and going change the feed's row count nearly every frame; the feed's
    place on screen does not depend on it, so only its scrollbar is fitted, never a layout of the
    whole screen (one a frame was the tail of the frame time on a real terminal)."""
    source = ScriptedSource()
    runtime = SessionRuntime(source, sessions_dir=tmp_path, record=False, feed_capacity=200)
    app = BackstageApp(runtime, tz=UTC, feed_capacity=200)
    long = " ".join(f"word{i}" for i in range(40))  # wraps onto several rows at this width
    layouts: list[int] = []
    async with app.run_test(size=SIZE) as pilot:
        sent = 0
        source.sent.put_nowait([comment(n) for n in range(400)])  # the feed overflows its view
        sent = 400
        await wait_for(pilot, lambda: app.feed.shown + app.feed.skipped >= 400,
                       description="the first 400 lines reached the feed")  # fmt: skip
        await pilot.pause()
        original = app.feed.refresh

        def counting_refresh(*args: Any, **kwargs: Any) -> Any:
            if kwargs.get("layout"):
                layouts.append(1)
            return original(*args, **kwargs)

        app.feed.refresh = counting_refresh  # type: ignore[method-assign]
        heights: set[int] = set()
        for round_ in range(12):
            batch = [comment(n) for n in range(sent, sent + 20)]
            if round_ % 2:
                batch = [c.model_copy(update={"text": long}) for c in batch]
            source.sent.put_nowait(batch)
            sent += 20
            await wait_for(pilot, lambda n=sent: app.feed.shown + app.feed.skipped >= n,
                           description=f"{sent} lines reached the feed")  # fmt: skip
            await pilot.pause()
            heights.add(app.feed.virtual_size.height)
        assert len(heights) > 1, "the row count never changed: the test proves nothing"
        assert layouts == [], f"{len(layouts)} layouts of the screen for a changing row count"
        scrollbar = app.feed.vertical_scrollbar
        assert scrollbar.window_virtual_size == app.feed.virtual_size.height
