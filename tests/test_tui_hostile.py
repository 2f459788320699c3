"""Viewer text is hostile: markup, escapes and control characters must be shown, never obeyed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.segment import Segment
from textual.strip import Strip
from textual.widget import Widget

from backstage_tui.events import Comment, Gift, Malformed, User
from backstage_tui.tui.app import BackstageApp
from backstage_tui.tui.feed_lines import event_line
from tests.helpers import T0, make_app, settled, wait_for

HOSTILE = ["[@click=app.quit]x[/]", "a [/] b", "\x1b]0;t\x07", "[link=https://evil]y[/link]",
           "[b]bold?[/b] \u202eevil", "\x1b[2J\x1b[31mred"]  # fmt: skip


def hostile_events() -> list[Comment | Gift | Malformed]:
    events: list[Comment | Gift | Malformed] = []
    for n, text in enumerate(HOSTILE):
        who = User(id=f"h{n}", handle=text, name=text)
        events.append(Comment(id=f"hc{n}", ts=T0 + n, user=who, text=text))
    events.append(Gift(id="hg", ts=T0, user=User(id="g", name=HOSTILE[0]), gift_name=HOSTILE[1]))
    events.append(Malformed(id="hm", ts=T0, raw=HOSTILE[2], error=HOSTILE[0]))
    return events


def assert_inert(segments: Iterable[Segment]) -> None:
    for segment in segments:
        assert "\x1b" not in segment.text and "\x07" not in segment.text
        style = segment.style
        if style is not None:
            assert not style.link, segment
            meta = style.meta or {}
            assert not any(key.startswith("@") for key in meta), segment


def pane_strips(app: BackstageApp, widget: Widget) -> list[Strip]:
    region = widget.region
    strips = app.screen._compositor.render_strips()
    return [strip.crop(region.x, region.right) for strip in strips[region.y : region.bottom]]


async def test_hostile_names_and_comments_render_inert(tmp_path: Path) -> None:
    events = hostile_events()
    app = make_app(tmp_path, events, label="[@click=app.quit]src[/]", option="[/]")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot,
            settled(app, len(events)),
            description="the state and the feed took all len(events) events",
        )
        # Select and pin the first hostile comment so the Pinned pane shows viewer text too.
        for _ in range(len(events)):
            await pilot.press("k")
        await pilot.press("p")
        await wait_for(
            pilot,
            lambda: bool(app.runtime.state.pins.pinned),
            description="bool(app.runtime.state.pins.pinned)",
        )
        await pilot.press("escape")
        await pilot.pause(0.1)
        feed_text = "\n".join(app.feed.screen_lines())
        assert "[@click=app.quit]x[/]: [@click=app.quit]x[/]" in feed_text  # shown as typed
        assert "a [/] b" in feed_text
        assert "␛]0;t␇" in feed_text
        for y in range(app.feed.scrollable_content_region.height):
            assert_inert(app.feed.render_line(y))
        for widget in (app.feed, app.pinned, app.status):
            for strip in pane_strips(app, widget):
                assert_inert(strip)
        assert "[@click=app.quit]x[/]" in str(app.pinned.body.render())
        assert "[@click=app.quit]src[/]" in str(app.status.render())
        # Clicking where a parsed @click would have been does nothing but select the line.
        await pilot.click("#feed", offset=(20, 1))
        await pilot.click("#pinned", offset=(5, 2))
        await pilot.pause()
        assert app.is_running


@settings(max_examples=200, deadline=None)
@given(name=st.text(), text=st.text())
def test_any_text_becomes_one_inert_line(name: str, text: str) -> None:
    from rich.console import Console

    event = Comment(id="x", ts=T0, user=User(id="u", name=name, handle=name), text=text)
    line = event_line(event, hidden=False, pinned=False, tz=UTC)
    assert "\n" not in line.plain
    assert not any(ch in line.plain for ch in "\x1b\x07\r\x00\u202e")
    assert_inert(line.render(Console()))
