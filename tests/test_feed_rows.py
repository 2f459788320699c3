"""How the feed lays messages out in rows, without a screen: the row index beside a `FeedWindow`,
and the wrapping of one line (word breaks as Rich's, continuation rows indented, nothing cut)."""

from __future__ import annotations

from datetime import UTC

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.style import Style
from rich.text import Text

from backstage_tui.events import Event, PlatformModeration
from backstage_tui.safetext import display
from backstage_tui.state import FeedWindow
from backstage_tui.tui.feed_lines import (
    MIN_BODY_CELLS,
    break_offsets,
    event_line,
    line_segments,
    wrap_line,
)
from backstage_tui.tui.feed_rows import RowIndex
from tests.helpers import KINDS, any_text, build, comment, user

# -- the row index ---------------------------------------------------------------------------------


def check(index: RowIndex, rows: list[int]) -> None:
    """`index` agrees with a plain list of row counts."""
    assert len(index) == len(rows)
    assert index.total == sum(rows)
    row = 0
    for i, count in enumerate(rows):
        assert index.start(i) == row
        for within in range(count):
            assert index.locate(row + within) == (i, within)
        row += count
    assert index.locate(row) == (len(rows), 0)


@settings(max_examples=200, deadline=None)
@given(
    steps=st.lists(
        st.one_of(
            st.tuples(st.just("batch"), st.integers(0, 9)),
            st.tuples(st.just("measure"), st.integers(0, 30), st.integers(1, 5)),
            st.tuples(st.just("fold"), st.booleans()),
        ),
        max_size=30,
    )
)
def test_the_row_index_follows_the_window_and_its_measurements(
    steps: list[tuple[str, int, int] | tuple[str, int] | tuple[str, bool]],
) -> None:
    window, index = FeedWindow(12), RowIndex()
    measured: dict[str, int] = {}  # event id -> rows, for the lines measured since the rebuild
    generation, n = window.generation, 0
    for step in steps:
        if step[0] == "batch":
            window.add_batch([comment(n + i, "x") for i in range(int(step[1]))])
            n += int(step[1])
        elif step[0] == "fold":
            window.set_fold(bool(step[1]))
        index.sync(window)
        if window.generation != generation:
            generation, measured = window.generation, {}  # a rebuild starts again
        if step[0] == "measure" and window.line_count:
            where = int(step[1]) % window.line_count
            index.set(where, int(step[2]))  # type: ignore[misc]
            measured[window.lines[where].id] = int(step[2])  # type: ignore[misc]
        check(index, [measured.get(event.id, 1) for event in window.lines])


def test_a_new_width_counts_every_line_as_one_row_again() -> None:
    window, index = FeedWindow(10), RowIndex()
    window.add_batch([comment(n, "x") for n in range(5)])
    index.sync(window)
    index.set(2, 4)
    assert index.total == 8 and index.locate(5) == (2, 3)
    index.reset(window.line_count)
    assert index.total == 5 and index.locate(3) == (3, 0)


# -- one line's rows -------------------------------------------------------------------------------

_console = Console(width=400)
words = st.lists(
    st.one_of(st.text("abcdefghij", min_size=1, max_size=30), st.sampled_from(["😀", "字", "é"])),
    max_size=25,
)
spaces = st.sampled_from([" ", "  ", " " * 5])


@settings(max_examples=300, deadline=None)
@given(pieces=words, gaps=st.lists(spaces, max_size=25), width=st.integers(2, 60))
def test_breaks_at_one_width_are_richs(pieces: list[str], gaps: list[str], width: int) -> None:
    text = "".join(piece + gap for piece, gap in zip(pieces, gaps + [" "] * 25, strict=False))
    rows = Text(text).divide(break_offsets(text, width))
    expected = Text(text).wrap(_console, width, overflow="fold")
    # Rich trims the spaces a row ends in afterwards (and cuts what still sticks out): so does the
    # feed (`wrap_line`).
    assert [row.plain.rstrip() for row in rows] == [row.plain.rstrip() for row in expected]


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(KINDS),
    name=any_text,
    body=any_text,
    width=st.integers(2, 160),
)
def test_a_wrapped_line_loses_nothing_and_every_row_fits(
    kind: str, name: str, body: str, width: int
) -> None:
    line = event_line(build(kind, name, body, 1), hidden=False, pinned=True, tz=UTC)
    rows = wrap_line(line, width, line.body_start, line.lead_start)
    assert all(cell_len(row.plain) <= width for row in rows)
    # The rows, their indentation taken off, are the line (spaces at a break may be trimmed).
    joined = "".join(row.plain for row in rows)
    assert "".join(joined.split()) == "".join(line.plain.split())
    # Each row is drawn whole: the fast renderer never has to cut it with an ellipsis.
    for row in rows:
        drawn = "".join(segment.text for segment in line_segments(row, width, Style(), _console))
        assert drawn.rstrip() == row.plain.rstrip() and cell_len(drawn) == width
    if cell_len(line.plain) <= width:
        assert rows == [line] and rows[0] is line  # a line that fits is not copied


def test_continuation_rows_sit_under_the_message() -> None:
    event = comment(1, "word " * 40, user("ann", "Ann"))
    line = event_line(event, hidden=False, pinned=False, tz=UTC)
    assert line.plain.startswith("22:13:21 TT Ann: word")
    rows = [row.plain for row in wrap_line(line, 50, line.body_start, line.lead_start)]
    indent = len("22:13:21 TT Ann: ")
    assert len(rows) > 3
    assert all(row.startswith(" " * indent + "word") for row in rows[1:])
    assert all(len(row.rstrip()) <= 50 for row in rows)


def test_a_long_name_on_a_narrow_feed_wraps_the_whole_line_under_the_name() -> None:
    who = user("long", "A Name So Long It Leaves No Room")
    line = event_line(comment(1, "word " * 20, who), hidden=False, pinned=False, tz=UTC)
    width = 40
    assert width - len("22:13:21 TT A Name So Long It Leaves No Room: ") < MIN_BODY_CELLS
    rows = [row.plain for row in wrap_line(line, width, line.body_start, line.lead_start)]
    assert rows[0].startswith("22:13:21 TT A Name So Long")
    assert all(row.startswith(" " * len("22:13:21 TT ")) for row in rows[1:])
    assert all(len(row) <= width for row in rows)


def test_a_word_longer_than_a_row_is_folded_not_cut() -> None:
    spam = "Z" * 130
    line = event_line(comment(1, spam), hidden=False, pinned=False, tz=UTC)
    rows = [row.plain for row in wrap_line(line, 60, line.body_start, line.lead_start)]
    assert "".join(row.strip() for row in rows).count("Z") == 130
    assert rows[0].startswith("22:13:21 TT Ann: ZZZZ")  # the first piece fills the first row
    assert all(len(row) <= 60 for row in rows)


def test_the_display_limit_still_cuts_very_long_text_with_a_note() -> None:
    event: Event = comment(1, "x " * 1000)
    line = event_line(event, hidden=False, pinned=False, tz=UTC)
    assert display("x " * 1000).endswith("(+1,500 chars)")
    assert line.plain.endswith("(+1,500 chars)")
    rows = wrap_line(line, 70, line.body_start, line.lead_start)
    assert rows[-1].plain.rstrip().endswith("(+1,500 chars)")


def test_the_platforms_own_moderation_shows_as_a_system_line() -> None:
    troll = user("troll", "Troll\x1b[2J")
    lines = {
        action: event_line(
            PlatformModeration(platform="twitch", action=action, user=troll, duration_s=600,
                               text="bad words"),
            hidden=False, pinned=False, tz=UTC,
        ).plain
        for action in ("delete", "timeout", "ban")
    }  # fmt: skip
    assert "message deleted (Troll" in lines["delete"] and "bad words" in lines["delete"]
    assert "timed out for 600s" in lines["timeout"] and "banned" in lines["ban"]
    assert all("TW" in line and "\x1b" not in line for line in lines.values())
    cleared = event_line(PlatformModeration(platform="twitch", action="clear"), hidden=False,
                         pinned=False, tz=UTC)  # fmt: skip
    assert "chat cleared" in cleared.plain
