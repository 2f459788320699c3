"""The running console against hostile text: clicks on it run nothing, huge text does not stall it.

Each test drives the real `BackstageApp` over a `SessionRuntime` with Pilot. No wall-clock limits:
"responsive" means the next ordinary comment is on screen within a bounded number of
``pilot.pause()`` cycles.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC
from pathlib import Path

import pytest
from rich.cells import cell_len

from backstage_tui.events import Comment, Event, Gift, Malformed, Question, User
from backstage_tui.safetext import MAX_COMBINING
from backstage_tui.session import SessionReader
from backstage_tui.tui.feed_lines import event_line
from tests.helpers import T0, make_app, screen_text, settled, wait_for

CLICK_BAIT = (
    "[@click=app.quit]free coins[/]",
    "[@click=app.simulate_key('q')]click me[/]",
    "[@click=app.screenshot('x.jsonl','sessions')]win[/]",
    "[@click=screen.dismiss()]x[/] [@click=app.pin]y[/]",
    "[link=https://evil.example]prize[/link]",
    "\x1b]8;;https://evil.example\x1b\\osc8 link\x1b]8;;\x1b\\",
    "a [/] b [b]unclosed",
)
MAX_PAUSES = 200
"""How many `pilot.pause()` cycles the console may take to show the comment after a huge one."""


def longest_mark_run(text: str) -> int:
    longest = run = 0
    for ch in text:
        run = run + 1 if unicodedata.combining(ch) or unicodedata.category(ch) == "Me" else 0
        longest = max(longest, run)
    return longest


def hostile_session() -> list[Event]:
    events: list[Event] = []
    for n, text in enumerate(CLICK_BAIT):
        who = User(id=f"h{n}", handle=text, name=text)
        kind = Question if n % 2 else Comment
        events.append(kind(id=f"c{n}", ts=T0 + n, user=who, text=text))
    events.append(
        Gift(id="g", ts=T0, user=User(id="g", name=CLICK_BAIT[0]), gift_name=CLICK_BAIT[2])
    )
    events.append(Malformed(id="m", ts=T0, raw=CLICK_BAIT[1], error=CLICK_BAIT[4]))
    return events


async def test_clicking_anywhere_on_hostile_lines_runs_no_action(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a screenshot action would write here
    events = hostile_session()
    app = make_app(tmp_path / "sessions", events)
    actions: list[str] = []
    real_run_action = app.run_action

    async def spy(action: object, *args: object, **kwargs: object) -> bool:
        actions.append(str(action))
        return await real_run_action(action, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(app, "run_action", spy)
    async with app.run_test(size=(110, 30)) as pilot:
        await wait_for(
            pilot,
            settled(app, len(events)),
            description="the state and the feed took all len(events) events",
        )
        screens = len(app.screen_stack)
        lines = app.feed.line_count
        assert lines == len(events)
        # Textual runs an action when the style under the mouse carries ``@click`` (or
        # ``@mouse.down``/``@mouse.up``) meta: no cell on the whole screen may carry any.
        width, height = app.size
        for y in range(height):
            for x in range(width):
                style = app.screen.get_style_at(x, y)
                assert not any(key.startswith("@") for key in style.meta), (x, y, style.meta)
                assert not style.link, (x, y, style.link)
        # And real clicks, along every line, where the bait's text is drawn.
        region = app.feed.scrollable_content_region
        left, top = region.x - app.feed.region.x, region.y - app.feed.region.y
        selected: set[int | None] = set()
        for y in range(min(len([row for row in app.feed.screen_lines() if row]), region.height)):
            for x in (1, 12, 20, 30, 45, 70):
                await pilot.click("#feed", offset=(left + x, top + y))
            # The click selected the line drawn on that row (a long line wraps onto several):
            # proof the clicks landed on the lines.
            assert app.feed.selected_index == app.feed.line_at(y)
            selected.add(app.feed.selected_index)
        assert selected == set(range(lines))  # every line was hit
        await pilot.pause()
        assert actions == [], f"a click on viewer text ran {actions}"
        assert app.is_running and app.return_code is None
        assert len(app.screen_stack) == screens
        assert not app.runtime.state.pins.pinned and not app.runtime.state.moderation.hidden
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sessions"]  # no screenshot written


async def test_a_megabyte_comment_and_a_zalgo_name_do_not_stall_the_console(
    tmp_path: Path,
) -> None:
    zalgo = "Z" + "\u0336\u0301\u0489" * 6_667  # 20,001 characters, 20,000 of them combining marks
    huge = ("spam " * 200_000) + "END"  # 1 MB
    who = User(id="z", handle="z", name=zalgo)
    events: list[Event] = [
        Comment(id="huge", ts=T0, user=who, text=huge),
        Comment(id="zalgo", ts=T0 + 1, user=who, text=zalgo),
        Question(id="q", ts=T0 + 2, user=User(id="q", name=huge), text=huge),
        Comment(id="after", ts=T0 + 3, user=User(id="a", name="Ann"), text="still responsive"),
    ]
    app = make_app(tmp_path, events)
    async with app.run_test(size=(120, 30)) as pilot:
        for _ in range(MAX_PAUSES):
            if "still responsive" in screen_text(app):
                break
            await pilot.pause()
        else:
            pytest.fail(f"the comment after the huge ones did not appear in {MAX_PAUSES} pauses")
        width = app.feed.scrollable_content_region.width
        for y in range(app.feed.scrollable_content_region.height):
            strip = app.feed.render_line(y)
            assert strip.cell_length == width
            assert cell_len(strip.text) <= width
        # Cut before layout: each line the view lays out is short, whatever the event held.
        for event in events:
            line = event_line(event, hidden=False, pinned=False, tz=UTC)
            assert len(line.plain) < 1_200 and line.cell_len < 1_200
        assert "(+999,503 chars)" in event_line(events[0], hidden=False, pinned=False, tz=UTC).plain
        assert longest_mark_run(screen_text(app)) <= MAX_COMBINING
        # Pinning the megabyte comment draws it (cut) in the Pinned pane too, and the app goes on.
        await pilot.press("g")
        await pilot.press("p")
        await wait_for(
            pilot,
            lambda: "huge" in app.runtime.state.pins.pinned,
            description='"huge" in app.runtime.state.pins.pinned',
        )
        await pilot.pause()
        assert len(str(app.pinned.body.render())) < 2_000
        assert app.is_running
        await app.runtime.close()
    assert app.runtime.log_path is not None
    logged = {e.id: e for e in SessionReader(app.runtime.log_path).events()}
    assert logged["huge"].text == huge  # type: ignore[union-attr]
    assert logged["zalgo"].user.name == zalgo  # type: ignore[union-attr]
