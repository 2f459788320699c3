"""`FeedView`: the chat feed as a Line-API `ScrollView` that draws a `FeedWindow`.

The window (in the core: `state.feed_window`) holds the buffer, the fold, the cursor, the pending
queue and the counters; this widget only lays its lines out in rows and draws them.

Rows: a line longer than the feed is wide wraps (`feed_lines.wrap_line`), so one message may take
several rows. A message is laid out when it comes into view, once per width and marks: its strips
are cached (an LRU keyed by the event's id and seq, the width, and the marks that change it:
selected, hidden, pinned), and its row count goes into a `RowIndex`, where a message nobody has
looked at yet counts as one row. Under a flood only the newest rows on screen are laid out each
frame, never the hundreds of lines that pass through the buffer unseen.

Tailing: while nothing is selected the view draws from the bottom up, the newest message's last row
on the last screen row, whatever the estimates above it say; the scrollbar follows. While a message
is selected (or the wheel scrolled up) the view freezes: it draws from its scroll offset down, and
new lines wait in the window's pending queue.

What the view tells its parent (paused or live, how many lines wait, the fold) goes up as a
`FeedView.StatusChanged` message, posted only when it changed; `FeedFrame` turns it into its
subtitle.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from typing import ClassVar, NamedTuple

from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..automod.engine import BY
from ..events import Event
from ..safetext import display
from ..state import FEED_CAPACITY, ConsoleState
from ..state.feed_filter import FeedFilter
from ..state.feed_window import FeedWindow
from .feed_lines import event_line, line_segments, wrap_line
from .feed_rows import RowIndex
from .textual_internals import set_virtual_size_quietly

StripKey = tuple[str, int, int, bool, bool, bool, int, bool, bool, bool, bool]
"""(event id, seq, width, selected, hidden, pinned, moderation marks, held, flagged, hidden by a
rule, lapsed from a full review queue): what a message's rows depend on."""
STRIP_CACHE = 256
"""Messages whose rows are kept: two screens' worth on a tall terminal, enough to scroll a frozen
feed back and forth without building its lines again. Not more: under a flood every entry is
replaced within a second, and each holds Textual strips with caches of their own, young objects
that every collection of the garbage collector walks (docs/performance.md)."""


class FeedStatus(NamedTuple):
    """What the feed tells its parent: the status line under it."""

    paused: bool
    waiting: int
    """Lines that will appear when the feed follows again."""
    dropped: int
    """Lines pushed out of the pending queue while paused."""
    folded: bool
    filter: str = ""
    """The `/` filter in force (already made safe to show), or empty."""

    @property
    def subtitle(self) -> str:
        """The status line: "live", "paused · 12 new · esc: follow", ..."""
        parts: list[str] = []
        if self.paused:
            parts.append(f"paused · {self.waiting:,} new")
            if self.dropped:
                parts.append(f"{self.dropped:,} dropped")
            parts.append("esc: follow")
        else:
            parts.append("live")
        if self.folded:
            parts.append("activity folded (f)")
        if self.filter:
            parts.append(f"filter: {self.filter}")
        return " · ".join(parts)


class FeedView(ScrollView, can_focus=True):
    """The feed pane. Reads hidden/pinned marks from `state` at draw time."""

    COMPONENT_CLASSES = {"feed-view--cursor"}
    DEFAULT_CSS = """
    FeedView {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
        & > .feed-view--cursor { background: $accent 45%; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k,up", "cursor_up", "Prev", key_display="k", id="feed.prev",
                tooltip="Select the previous message (the newest when none is selected)"),
        Binding("j,down", "cursor_down", "Next", key_display="j", id="feed.next",
                tooltip="Select the next message"),
        Binding("g,home", "cursor_first", "First", show=False, id="feed.first",
                tooltip="Select the oldest message in the buffer"),
        Binding("G,end", "tail", "Tail", show=False, id="feed.last",
                tooltip="Back to the newest line and follow the feed"),
        Binding("pageup", "page_up", "Page up", show=False, id="feed.page_up",
                tooltip="Select one page up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="feed.page_down",
                tooltip="Select one page down"),
        Binding("escape", "tail", "Tail", show=False, id="feed.tail",
                tooltip="Leave the selection and follow the feed again"),
        Binding("f", "toggle_fold", "Fold", id="feed.fold",
                tooltip="Fold activity lines (gifts, likes, follows, shares, joins)"),
        Binding("space", "toggle_freeze", "Freeze", show=False, id="feed.freeze",
                tooltip="Freeze the whole feed (new lines wait), or release it"),
    ]  # fmt: skip

    fold_activity: var[bool] = var(False)
    """Fold activity lines (gifts, likes, follows, shares, joins) away; the cursor stays on the same
    message, or the nearest older one on view."""
    tz: var[tzinfo | None] = var(None)
    """The zone of the feed's clock (local time when None)."""

    class StatusChanged(Message):
        """The feed's status (paused or live, lines waiting, the fold) changed.

        Posted at most once a frame and only on a change; under a flood while paused the waiting
        count changes every frame, so a newer one replaces one not yet handled.
        """

        def __init__(self, status: FeedStatus) -> None:
            super().__init__()
            self.status = status

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, FeedView.StatusChanged)

    def __init__(
        self,
        state: ConsoleState,
        *,
        capacity: int = FEED_CAPACITY,
        fold_activity: bool = False,
        tz: tzinfo | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
    ) -> None:
        super().__init__(id=id)
        self.state = state
        self.window = FeedWindow(capacity, fold_activity=fold_activity)
        self.set_reactive(FeedView.fold_activity, fold_activity)
        self.set_reactive(FeedView.tz, tz)
        self._rows = RowIndex()
        self._rows_width = -1
        self._cache: LRUCache[StripKey, list[Strip]] = LRUCache(STRIP_CACHE)
        self._line_styles: tuple[Style, Style] | None = None
        self._screen: list[Strip] | None = None
        """The rows on screen, laid out once per rendering pass."""
        self._status: FeedStatus | None = None
        self.feed_filter: FeedFilter | None = None
        """The `/` filter in force."""
        self._filter_label = ""
        self._filter_actions = 0
        """The moderation state's action count the filter last tested the lines at."""

    # -- public view of the window --

    @property
    def capacity(self) -> int:
        return self.window.capacity

    @property
    def shown(self) -> int:
        """Events that reached the view (see `FeedWindow.shown`)."""
        return self.window.shown

    @property
    def skipped(self) -> int:
        """Events never drawn: dropped by the bus subscription or pushed out of the pending queue."""
        return self.window.skipped

    @property
    def bus_skipped(self) -> int:
        """The part of `skipped` the bus subscription dropped (the app passes its running count)."""
        return self.window.bus_skipped

    @property
    def paused(self) -> bool:
        return self.window.paused

    @property
    def pending_count(self) -> int:
        return self.window.pending_count

    @property
    def line_count(self) -> int:
        """Messages on view (one message may take several rows)."""
        return self.window.line_count

    @property
    def selected_event(self) -> Event | None:
        return self.window.selected_event

    @property
    def selected_index(self) -> int | None:
        return self.window.selected

    @property
    def status(self) -> FeedStatus:
        """The status the view tells its parent, as of now."""
        window = self.window
        return FeedStatus(window.paused, window.waiting, window.pending_dropped,
                          window.fold_activity, self._filter_label)  # fmt: skip

    @property
    def subtitle(self) -> str:
        """The status line under the feed ("live", "paused · 12 new", ...)."""
        return self.status.subtitle

    def screen_lines(self) -> list[str]:
        """The plain text of the rows on screen, top to bottom (for tests and debugging)."""
        return [
            self.render_line(y).text.rstrip() for y in range(self.scrollable_content_region.height)
        ]

    # -- feeding --

    def add_batch(self, batch: Sequence[Event], bus_skipped: int = 0) -> None:
        """Take one frame's events. `bus_skipped` is the subscription's running skip count."""
        window = self.window
        before = (window.generation, window.removed, window.line_count)
        window.add_batch(batch, bus_skipped)
        if (window.generation, window.removed, window.line_count) != before:
            self._follow()
        self._announce()

    def reset_from(self, state: ConsoleState, position: int) -> None:
        """Show `state`'s feed buffer from scratch, following the newest line: a replay moved to
        another point of its session (`position` events in)."""
        self.window.reset(state.feed.items, position)
        self._follow()
        self._announce()

    def _announce(self) -> None:
        status = self.status
        if status != self._status:
            self._status = status
            self.post_message(self.StatusChanged(status))

    # -- rows --

    @property
    def _height(self) -> int:
        return self.scrollable_content_region.height

    def _sync_rows(self) -> RowIndex:
        """The row index, in step with the window's lines and the current width."""
        rows = self._rows
        width = self.scrollable_content_region.width
        if width != self._rows_width:
            self._rows_width = width
            rows.reset(self.window.line_count)
        rows.sync(self.window)
        return rows

    def _strips(self, index: int, width: int) -> list[Strip]:
        """The rows of line `index` at `width` (cached), noted in the row index."""
        event = self.window.lines[index]
        selected = index == self.window.selected
        hidden, held = self._suppressed(event)
        pinned = event.id in self.state.pins.pinned
        marks = self.state.moderation.marks(event)
        automod = self.state.automod
        flagged = event.id in automod.flagged
        lapsed = hidden and event.id in automod.lapsed
        by_rule = hidden and not lapsed and self._hidden_by_rule(event.id)
        key: StripKey = (event.id, event.seq, width, selected, hidden, pinned, marks, held, flagged,
                         by_rule, lapsed)  # fmt: skip
        strips = self._cache.get(key)
        if strips is None:
            base, cursor = self._styles()
            style = cursor if selected else base
            text = event_line(event, hidden=hidden, pinned=pinned, tz=self.tz, marks=marks,
                              held=held, flagged=flagged, by_rule=by_rule,
                              lapsed=lapsed)  # fmt: skip
            console = self.app.console
            rows = wrap_line(text, width, text.body_start, text.lead_start)
            strips = [Strip(line_segments(row, width, style, console), width) for row in rows]
            if len(rows) > 1:
                # A continuation row may hold only unstyled text (no spans), which Rich renders
                # without any style: give every row the view's background.
                strips = [strip.apply_style(style) for strip in strips]
            self._cache[key] = strips
        self._rows.set(index, len(strips))
        return strips

    def _hidden_by_rule(self, event_id: str) -> bool:
        """A hidden message the rules hid, or whose author the rules' ladder muted or blocked."""
        if event_id in self.state.automod.rule_hidden:
            return True
        if self.window.suppressed_ahead(event_id) == "hide":
            return True
        moderation = self.state.moderation
        silenced_by = moderation.silenced.get(event_id)
        entry = None if silenced_by is None else moderation.entry(silenced_by)
        return entry is not None and entry.by == BY

    def _suppressed(self, event: Event) -> tuple[bool, bool]:
        """(hidden, held) for a line. The state knows once it has folded the line; a line the
        state has not reached yet is judged by the rules' decisions the window saw before it (they
        are published first), so a held message is never drawn, not even for a frame."""
        state = self.state
        hidden = state.hidden_from_feed(event.id)
        held = state.automod.is_held(event.id)
        if event.seq > state.last_seq and not (hidden or held):
            ahead = self.window.suppressed_ahead(event.id)
            hidden, held = ahead == "hide", ahead == "hold"
        return hidden, held

    def _measure(self, first: int, step: int, rows: int) -> int:
        """Lay out lines from `first` on (`step` -1: towards older ones) until `rows` rows are
        covered or the lines end; the rows covered."""
        covered = 0
        index, count = first, self.window.line_count
        width = self.scrollable_content_region.width
        while covered < rows and 0 <= index < count:
            covered += len(self._strips(index, width))
            index += step
        return covered

    def _sync_size(self) -> None:
        size = Size(self.scrollable_content_region.width, self._rows.total)
        old = self.virtual_size
        if size == old:
            return
        # Under a flood the rows change nearly every frame (long comments come and go), and a full
        # layout of the screen each time was the tail of the frame time. When the width stays and
        # the content overflows the view before and after (the scrollbar stays), only the
        # scrollbar needs fitting.
        view = self.scrollable_content_region.height
        quiet = size.width == old.width and min(old.height, size.height) > view
        if quiet and set_virtual_size_quietly(self, size):
            return
        self.virtual_size = size

    def _screen_rows(self) -> list[tuple[int, Strip]]:
        """(line, strip) for each screen row from the top; fewer when the lines end.

        Tailing, the newest line's last row is at the bottom; else the rows start at the scroll
        offset. Laying out the lines on screen may correct their row counts; that moves only what
        is below the first row (frozen) or above the last (tailing), never the anchor.
        """
        rows = self._sync_rows()
        region = self.scrollable_content_region
        width, height, count = region.width, region.height, len(rows)
        if height <= 0 or not count:
            return []
        placed: list[tuple[int, Strip]] = []
        if not self.window.paused:
            index = count - 1
            while index >= 0 and len(placed) < height:
                placed.extend((index, strip) for strip in reversed(self._strips(index, width)))
                index -= 1
            placed.reverse()
            return placed[-height:]
        index, row = rows.locate(round(self.scroll_offset.y))
        while index < count and len(placed) < height:
            strips = self._strips(index, width)
            placed.extend((index, strip) for strip in strips[min(row, len(strips) - 1) :])
            index, row = index + 1, 0
        return placed[:height]

    # -- following and the cursor --

    def _follow(self) -> None:
        """After the lines changed: follow the newest line, unless paused; repaint."""
        if not self.window.paused:
            self._sync_rows()
            self._measure(self.window.line_count - 1, -1, self._height)
            self._sync_size()
            # force: before the first layout after the feed overflows, Textual has not enabled the
            # scrollbar yet and would ignore a plain scroll.
            self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)
        # Always repaint: at capacity the size and offset do not change, yet every line did.
        self.refresh()

    def _reveal(self, index: int) -> None:
        """Scroll so that all of line `index` is on screen (its top, when it is taller)."""
        rows, height = self._sync_rows(), max(1, self._height)
        # Lay out the screen above and below it first: their true heights decide where it lands.
        self._measure(index, -1, height)
        self._measure(index + 1, 1, height)
        self._sync_size()
        start, size = rows.start(index), rows.rows(index)
        top = round(self.scroll_offset.y)
        if start < top or size > height:
            top = start
        elif start + size > top + height:
            top = start + size - height
        self.scroll_to(y=top, animate=False, force=True, immediate=True)

    def _select(self, index: int | None) -> None:
        self.window.select(index)
        selected = self.window.selected
        if selected is not None:
            self._reveal(selected)
        self.refresh()
        self._announce()

    def select_id(self, event_id: str) -> bool:
        """Select the message `event_id` (taking in what waited while paused); False when it is
        not on view (gone from the buffer, folded or filtered away)."""
        index = self._index_of(event_id)
        if index is None and self.window.pending_count:
            self.window.tail()
            self._follow()
            index = self._index_of(event_id)
        if index is None:
            return False
        self._select(index)
        return True

    def _index_of(self, event_id: str) -> int | None:
        lines = self.window.lines
        return next((i for i in range(len(lines) - 1, -1, -1) if lines[i].id == event_id), None)

    def action_cursor_up(self) -> None:
        self.window.move(-1)
        self._select(self.window.selected)

    def action_cursor_down(self) -> None:
        self.window.move(+1)
        self._select(self.window.selected)

    def _page(self, step: int) -> None:
        """Move the cursor by a screen's worth of rows (at least one message)."""
        window = self.window
        if not window.line_count:
            return
        index = window.selected
        if index is None:
            if step > 0:
                return
            index = window.line_count - 1
        self._sync_rows()
        covered, target = 0, index
        region = self.scrollable_content_region
        page = max(1, region.height - 1)
        while 0 <= target + step < window.line_count and covered < page:
            target += step
            covered += len(self._strips(target, region.width))
        self._select(target)

    def action_page_up(self) -> None:
        self._page(-1)

    def action_page_down(self) -> None:
        self._page(+1)

    def action_cursor_first(self) -> None:
        if self.window.line_count:
            self._select(0)

    def action_tail(self) -> None:
        """Leave selection and freeze, draw what waited, follow the newest line again."""
        self.window.tail()
        self._follow()
        self._announce()

    def action_toggle_freeze(self) -> None:
        """Freeze the feed where it is, with nothing selected; pressed again (or on a selection),
        follow the newest line again."""
        if self.window.paused:
            self.action_tail()
        elif self.window.freeze():
            self.refresh()
            self._announce()

    def set_filter(self, feed_filter: FeedFilter | None) -> None:
        """Show only the lines `feed_filter` matches (None, or an empty one: every line); the
        cursor stays on the same message or the nearest older one on view."""
        if feed_filter is not None and feed_filter.empty:
            feed_filter = None
        self.feed_filter = feed_filter
        self._filter_actions = self.state.moderation.actions
        self._filter_label = "" if feed_filter is None else display(feed_filter.query, 40)
        self.window.set_filter(
            None
            if feed_filter is None
            else feed_filter.predicate(self.state.moderation, self.state.automod.held)
        )
        selected = self.window.selected
        if selected is not None:
            self._reveal(selected)
        self._follow()
        self._announce()

    def state_changed(self) -> None:
        """The state moved: a filter that reads the moderation state (`is:hidden`, ...) tests the
        lines again when an action changed it."""
        feed_filter = self.feed_filter
        if feed_filter is not None and feed_filter.reads_state:
            actions = self.state.moderation.actions
            if actions != self._filter_actions:
                self.set_filter(feed_filter)
        self.refresh()  # hidden/pinned marks are read from the state at draw time

    def action_toggle_fold(self) -> None:
        self.fold_activity = not self.fold_activity

    def watch_fold_activity(self, folded: bool) -> None:
        self.window.set_fold(folded)
        selected = self.window.selected
        if selected is not None:
            self._reveal(selected)
        self._follow()
        self._announce()

    def watch_tz(self) -> None:
        self._cache.clear()
        self.refresh()

    # -- mouse: a click selects, the wheel up freezes the view, back at the bottom it tails --

    def line_at(self, y: int) -> int | None:
        """The index of the line drawn on screen row `y` of the view, or None (no line there)."""
        placed = self._screen_rows()
        return placed[y][0] if 0 <= y < len(placed) else None

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        index = None if offset is None else self.line_at(offset.y)
        if index is not None:
            self._select(index)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        if self.max_scroll_y > 0 and self.window.freeze():
            self._announce()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        window, new = self.window, round(new_value)
        if not window.paused:
            # Scrolled up while tailing (the wheel, the scrollbar): stay where the moderator went.
            # Textual clamping the offset to a shorter feed lands on the end, which is not this.
            if new < round(old_value) and new < self.max_scroll_y and window.freeze():
                self._announce()
        elif window.frozen and window.selected is None and new >= self.max_scroll_y:
            self.call_later(self.action_tail)

    # -- drawing --

    def on_mount(self) -> None:
        self._announce()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._line_styles = None
        self._cache.clear()

    def on_resize(self, event: events.Resize) -> None:
        """A new size: lay the screen out again around what the moderator was looking at (the
        selected message, else the top line when frozen, else the newest)."""
        window = self.window
        anchor = window.selected
        if anchor is None and window.frozen:
            anchor = self._rows.locate(round(self.scroll_offset.y))[0] if len(self._rows) else None
        self._sync_rows()
        if anchor is not None and anchor < window.line_count:
            self._reveal(anchor)
            if window.selected is None:
                self.scroll_to(y=self._rows.start(anchor), animate=False, force=True,
                               immediate=True)  # fmt: skip
            self.refresh()
        else:
            self._follow()

    def render_lines(self, crop: Region) -> list[Strip]:
        # The rows on screen are laid out once per pass, not once per `render_line`.
        self._screen = self._screen_strips()
        try:
            return super().render_lines(crop)
        finally:
            self._screen = None
            if self._rows.total != self.virtual_size.height:
                # Laying out the screen corrected some row counts: the scrollbar catches up.
                self.call_after_refresh(self._settle_size)

    def _settle_size(self) -> None:
        self._sync_rows()
        self._sync_size()
        if not self.window.paused:
            self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)

    def _styles(self) -> tuple[Style, Style]:
        """(base, cursor): kept until the styles change. `rich_style` walks every ancestor and
        blends colours on each read (it showed up in the flood profile)."""
        if self._line_styles is None:
            base = self.rich_style
            self._line_styles = (base, base + self.get_component_rich_style("feed-view--cursor"))
        return self._line_styles

    def _screen_strips(self) -> list[Strip]:
        return [strip for _, strip in self._screen_rows()]

    def render_line(self, y: int) -> Strip:
        screen = self._screen if self._screen is not None else self._screen_strips()
        if 0 <= y < len(screen):
            return screen[y]
        base, _ = self._styles()
        return Strip.blank(self.scrollable_content_region.width, base)


class FeedFrame(Vertical):
    """The border, title and status line around the feed.

    A widget's border is drawn by Textual line by line whenever the widget repaints, and under a
    flood the feed repaints every frame: drawn by this container, which does not repaint with it,
    the border costs nothing per frame. The status line comes up from the feed as a message.
    """

    DEFAULT_CSS = """
    FeedFrame {
        height: 1fr;
    }
    """

    def on_feed_view_status_changed(self, message: FeedView.StatusChanged) -> None:
        message.stop()
        # Content, not str: a border title parses markup, and only plain text belongs here.
        subtitle = Content(message.status.subtitle)
        if subtitle != self.border_subtitle:
            self.border_subtitle = subtitle
