"""FeedView on its own: buffer bounds, tailing after eviction, the cursor, pending and counters,
folding, and the cost of a batch."""

from __future__ import annotations

from datetime import UTC

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult

from backstage_tui.events import Event, Gap, Hide, Join, Like, Malformed, Viewers
from backstage_tui.state import ConsoleState
from backstage_tui.tui.feed_lines import LineBuilder, event_line, format_clock, line_segments
from backstage_tui.tui.feed_view import FeedView
from tests.helpers import KINDS, T0, any_text, build, comment, user


class FeedHarness(App[None]):
    """Just a FeedView over a state the test folds by hand."""

    def __init__(self, capacity: int = 100) -> None:
        super().__init__()
        self.state = ConsoleState()
        self.feed = FeedView(self.state, capacity=capacity, id="feed")

    def compose(self) -> ComposeResult:
        yield self.feed

    def feed_in(self, events: list[Event], bus_skipped: int = 0) -> None:
        self.state.apply_all(events)
        self.feed.add_batch(events, bus_skipped=bus_skipped)


def comments(start: int, count: int) -> list[Event]:
    return [comment(n, f"message {n}") for n in range(start, start + count)]


async def test_newest_line_stays_on_screen_long_after_the_buffer_is_full() -> None:
    app = FeedHarness(capacity=50)
    async with app.run_test(size=(80, 20)) as pilot:
        for batch in range(40):  # 40 frames of 25 lines: 1,000 lines through a 50-line buffer
            app.feed_in(comments(batch * 25, 25))
            await pilot.pause()
            lines = app.feed.screen_lines()
            assert f"message {batch * 25 + 24}" in lines[-1]
        assert app.feed.line_count == 50
        assert app.feed.shown == 1000
        assert "message 999" in app.feed.screen_lines()[-1]
        assert "message 998" in app.feed.screen_lines()[-2]


async def test_a_batch_larger_than_the_buffer_keeps_the_newest() -> None:
    app = FeedHarness(capacity=30)
    async with app.run_test(size=(80, 20)) as pilot:
        app.feed_in(comments(0, 10))
        app.feed_in(comments(10, 500))
        await pilot.pause()
        assert app.feed.line_count == 30
        assert "message 509" in app.feed.screen_lines()[-1]


async def test_cursor_pauses_and_pending_overflow_counts_as_skipped() -> None:
    app = FeedHarness(capacity=10)
    async with app.run_test(size=(80, 20)) as pilot:
        app.feed_in(comments(0, 5))
        await pilot.press("k")
        assert app.feed.paused
        app.feed_in(comments(5, 25), bus_skipped=3)  # 25 lines wait; the pending buffer keeps 10
        await pilot.pause()
        assert app.feed.pending_count == 10
        assert app.feed.skipped == 3 + 15
        assert "paused · 10 new" in app.feed.subtitle
        assert "message 29" not in "\n".join(app.feed.screen_lines())
        await pilot.press("escape")
        assert not app.feed.paused
        assert app.feed.shown + app.feed.skipped == 5 + 25 + 3
        assert "message 29" in [line for line in app.feed.screen_lines() if line][-1]


async def test_non_line_events_count_as_shown() -> None:
    app = FeedHarness()
    async with app.run_test(size=(80, 20)):
        batch: list[Event] = [Viewers(count=3), Hide(target="x"), *comments(0, 2)]
        app.feed_in(batch)
        assert app.feed.shown == 4 and app.feed.line_count == 2


async def test_fold_hides_activity_and_keeps_the_selection() -> None:
    app = FeedHarness()
    async with app.run_test(size=(80, 20)) as pilot:
        who = user("amy", "Amy")
        app.feed_in([
            comment(0, "before"),
            Like(id="l", ts=T0, user=who, count=3),
            Join(id="j", ts=T0, user=who),
            comment(3, "after"),
            Gap(id="gap", ts=T0, since=T0 - 5, until=T0),
        ])  # fmt: skip
        await pilot.press("k", "k")  # the cursor on "after"
        assert app.feed.selected_event is not None and app.feed.selected_event.id == "c3"
        await pilot.press("f")
        text = "\n".join(app.feed.screen_lines())
        assert "liked" not in text and "joined" not in text
        assert "before" in text and "after" in text and "gap" in text  # system lines stay
        assert app.feed.selected_event is not None and app.feed.selected_event.id == "c3"
        assert "activity folded" in app.feed.subtitle
        await pilot.press("f")
        assert "liked ×3" in "\n".join(app.feed.screen_lines())


async def test_render_line_is_cached_and_a_big_batch_refreshes_once() -> None:
    app = FeedHarness(capacity=5000)
    async with app.run_test(size=(80, 20)) as pilot:
        calls: list[object] = []
        original = app.feed.refresh

        def counting_refresh(*args: object, **kwargs: object) -> FeedView:
            calls.append(args)
            return original(*args, **kwargs)  # type: ignore[arg-type]

        app.feed.refresh = counting_refresh  # type: ignore[method-assign]
        app.feed_in(comments(0, 1000))
        # A handful (the batch, the new size, the scroll, the subtitle), never one per line.
        assert len(calls) < 10
        app.feed.refresh = original  # type: ignore[method-assign]
        await pilot.pause()
        assert app.feed.render_line(3) is app.feed.render_line(3)


async def test_system_and_malformed_lines_are_sanitised() -> None:
    app = FeedHarness()
    async with app.run_test(size=(100, 20)) as pilot:
        app.feed_in([Malformed(raw="\x1b[2J", error="bad \x1b]0;x\x07 json")])
        await pilot.pause()
        line = app.feed.screen_lines()[0]
        assert "malformed payload" in line and "\x1b" not in line and "␛" in line


# -- the fast line renderer is Rich's, exactly ------------------------------------------------------

_console = Console(width=400, color_system="truecolor")
_styles = st.sampled_from(
    [Style(), Style(bold=True), Style(color="red", bgcolor="#112233"), Style(dim=True, italic=True)]
)


def _rich_way(text: Text, width: int, base: Style) -> list[Segment]:
    text = text.copy()
    text.style = base
    text.truncate(width, overflow="ellipsis", pad=True)
    return list(text.render(_console))


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(KINDS),
    name=any_text,
    body=any_text,
    hidden=st.booleans(),
    width=st.integers(min_value=1, max_value=160),
    base=_styles,
)
def test_feed_line_segments_equal_richs_truncate_and_render(
    kind: str, name: str, body: str, hidden: bool, width: int, base: Style
) -> None:
    line = event_line(build(kind, name, body, 1), hidden=hidden, pinned=not hidden, tz=UTC)
    assert line_segments(line, width, base, _console) == _rich_way(line, width, base)


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(
        st.tuples(any_text, st.one_of(st.none(), _styles, st.just("bold"))), max_size=6
    ),
    nested=st.booleans(),
    width=st.integers(min_value=1, max_value=80),
    base=_styles,
)
def test_any_text_segments_equal_richs_including_the_fallback(
    pieces: list[tuple[str, Style | str | None]], nested: bool, width: int, base: Style
) -> None:
    text = Text()
    for piece, style in pieces:
        text.append(piece, style)
    if nested and text.plain:
        text.stylize(Style(underline=True), 0, len(text.plain) // 2 + 1)  # overlapping spans
    assert line_segments(text, width, base, _console) == _rich_way(text, width, base)


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(st.tuples(any_text, st.one_of(st.none(), _styles)), max_size=8))
def test_the_line_builder_makes_the_text_appending_would(
    pieces: list[tuple[str, Style | None]],
) -> None:
    builder, text = LineBuilder(), Text(no_wrap=True, end="")
    for piece, style in pieces:
        builder.append(piece, style)
        text.append(piece, style)
    built = builder.text()
    assert built == text and built.spans == text.spans
    assert (built.no_wrap, built.end) == (True, "")


def test_the_clock_is_formatted_once_a_second_and_survives_any_float() -> None:
    from datetime import timedelta, timezone

    plus_two = timezone(timedelta(hours=2))
    assert format_clock(T0 + 0.25, UTC) == format_clock(T0 + 0.75, UTC) == "22:13:20"
    assert format_clock(T0 + 0.25, plus_two) == "00:13:20"  # another zone is not the cached one
    assert format_clock(T0 + 1.0, UTC) == "22:13:21"
    for bad in (float("nan"), float("inf"), -float("inf"), 1e300):
        assert format_clock(bad, UTC) == "--:--:--"
