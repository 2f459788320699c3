"""`FeedView`: the chat feed as a Line-API `ScrollView` over a bounded buffer of events.

One event is one line (truncated, never wrapped), so line ``y`` is simply ``visible[y]`` and
`render_line` is a list index plus an LRU cache lookup. Batches arrive once a frame from the app; a
batch costs one `refresh()` whatever its size.

Tailing: while nothing is selected the view follows the newest line. When the buffer is full every
batch evicts from the front while the line count stays the same, so the scroll offset does not move;
unlike Textual's `Log` we repaint the whole view after every batch, so the newest line is always the
one on screen. While a message is selected (or the wheel scrolled up) the view freezes: new lines wait
in a bounded pending buffer, and what falls out of it is counted as skipped.

Counters: ``shown + skipped + pending_count == events handed to add_batch + bus_skipped``, so once
the view is tailing and drained, ``shown + skipped`` equals the bus's ``published``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from datetime import tzinfo
from typing import ClassVar

from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from ..events import Event
from ..state import ConsoleState, feed_kind, shows_in_feed
from .feed_lines import event_line, line_segments

DEFAULT_CAPACITY = 5000
StripKey = tuple[str, int, int, bool, bool, bool]


class FeedFrame(Vertical):
    """The border, title and status line around the feed.

    A widget's border is drawn by Textual line by line whenever the widget repaints, and under a
    flood the feed repaints every frame: drawn by this container, which does not repaint with it,
    the border costs nothing per frame (a fifth of the feed's share of a frame on this machine).
    """

    DEFAULT_CSS = """
    FeedFrame {
        height: 1fr;
    }
    """


class FeedView(ScrollView, can_focus=True):
    """The feed pane. Reads hidden/pinned marks from `state` at draw time."""

    COMPONENT_CLASSES = {"feed-view--cursor"}
    DEFAULT_CSS = """
    FeedView {
        overflow-x: hidden;
        overflow-y: auto;
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
    ]  # fmt: skip

    def __init__(
        self,
        state: ConsoleState,
        *,
        capacity: int = DEFAULT_CAPACITY,
        tz: tzinfo | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
    ) -> None:
        super().__init__(id=id)
        self.state = state
        self.capacity = capacity
        self.tz = tz
        self.fold_activity = False
        self.shown = 0
        """Events that reached the view: lines that entered the buffer, plus non-line events
        (viewer counts, actions) whose effect the view draws from the state."""
        self._bus_skipped = 0
        self._pending_dropped = 0
        self._buffer: deque[Event] = deque()
        self._visible: list[Event] = []
        self._pending: deque[Event] = deque()
        self._selected: int | None = None
        self._frozen = False
        self._cache: LRUCache[StripKey, Strip] = LRUCache(1024)
        self._line_styles: tuple[Style, Style] | None = None

    # -- public view of the state --

    @property
    def skipped(self) -> int:
        """Events never drawn: dropped by the bus subscription or pushed out of the pending buffer."""
        return self._bus_skipped + self._pending_dropped

    @property
    def bus_skipped(self) -> int:
        """The part of `skipped` the bus subscription dropped (the app passes its running count)."""
        return self._bus_skipped

    @property
    def paused(self) -> bool:
        return self._selected is not None or self._frozen

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    @property
    def line_count(self) -> int:
        return len(self._visible)

    @property
    def selected_event(self) -> Event | None:
        return None if self._selected is None else self._visible[self._selected]

    @property
    def selected_index(self) -> int | None:
        return self._selected

    def screen_lines(self) -> list[str]:
        """The plain text of the lines on screen, top to bottom (for tests and debugging)."""
        return [
            self.render_line(y).text.rstrip() for y in range(self.scrollable_content_region.height)
        ]

    # -- feeding --

    def add_batch(self, batch: Sequence[Event], bus_skipped: int = 0) -> None:
        """Take one frame's events. `bus_skipped` is the subscription's running skip count."""
        self._bus_skipped = max(self._bus_skipped, bus_skipped)
        lines = [event for event in batch if shows_in_feed(event)]
        self.shown += len(batch) - len(lines)
        if lines:
            if self.paused:
                self._pending.extend(lines)
                overflow = len(self._pending) - self.capacity
                for _ in range(max(0, overflow)):
                    self._pending.popleft()
                self._pending_dropped += max(0, overflow)
            else:
                self._append(lines)
        self._update_subtitle()

    def _shows(self, event: Event) -> bool:
        return not (self.fold_activity and feed_kind(event) == "activity")

    def _append(self, lines: list[Event]) -> None:
        self.shown += len(lines)
        buffer = self._buffer
        if len(lines) >= self.capacity:
            self._buffer = deque(lines[-self.capacity :])
            self._rebuild_visible()
        elif not self.fold_activity:
            # Nothing folded: the visible lines are the buffer. No per-line test (a flood brings
            # hundreds of lines a frame).
            buffer.extend(lines)
            self._visible.extend(lines)
            excess = len(buffer) - self.capacity
            if excess > 0:
                for _ in range(excess):
                    buffer.popleft()
                del self._visible[:excess]
        else:
            buffer.extend(lines)
            shows = self._shows
            self._visible.extend(event for event in lines if shows(event))
            # The visible list is the in-order subsequence of the buffer, so the evicted visible
            # lines are exactly its first `evicted` entries.
            evicted = 0
            for _ in range(len(buffer) - self.capacity):
                evicted += shows(buffer.popleft())
            if evicted:
                del self._visible[:evicted]
        self._sync_size()
        self._follow()

    def _rebuild_visible(self) -> None:
        shows = self._shows
        self._visible = [event for event in self._buffer if shows(event)]

    def _sync_size(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._visible))

    def _follow(self) -> None:
        # Always repaint: at capacity the size and offset do not change, yet every line did.
        if not self.paused:
            # force: before the first layout after the feed overflows, Textual has not enabled the
            # scrollbar yet and would ignore a plain scroll.
            self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)
        self.refresh()

    # -- cursor --

    def _select(self, index: int | None) -> None:
        self._selected = index
        if index is not None:
            height = max(1, self.scrollable_content_region.height)
            top = round(self.scroll_offset.y)
            if index < top:
                self.scroll_to(y=index, animate=False, force=True)
            elif index >= top + height:
                self.scroll_to(y=index - height + 1, animate=False, force=True)
        self.refresh()
        self._update_subtitle()

    def _move(self, delta: int) -> None:
        if not self._visible:
            return
        last = len(self._visible) - 1
        if self._selected is None:
            self._select(last if delta < 0 else None)
        else:
            self._select(min(last, max(0, self._selected + delta)))

    def action_cursor_up(self) -> None:
        self._move(-1)

    def action_cursor_down(self) -> None:
        self._move(+1)

    def action_page_up(self) -> None:
        self._move(-max(1, self.scrollable_content_region.height - 1))

    def action_page_down(self) -> None:
        self._move(max(1, self.scrollable_content_region.height - 1))

    def action_cursor_first(self) -> None:
        if self._visible:
            self._select(0)

    def action_tail(self) -> None:
        """Leave selection and freeze, draw what waited, follow the newest line again."""
        self._selected = None
        self._frozen = False
        if self._pending:
            waiting = list(self._pending)
            self._pending.clear()
            self._append(waiting)
        else:
            self._follow()
        self._update_subtitle()

    def action_toggle_fold(self) -> None:
        selected = self.selected_event
        self.fold_activity = not self.fold_activity
        self._rebuild_visible()
        self._sync_size()
        if selected is not None:
            # Keep the cursor on the same message, or the nearest older line if it was folded away.
            self._select(self._nearest_visible(selected))
        self._follow()
        self._update_subtitle()

    def _nearest_visible(self, wanted: Event) -> int | None:
        anchor: Event | None = None
        found = False
        for event in reversed(self._buffer):
            found = found or event is wanted
            if found and self._shows(event):
                anchor = event
                break
        if anchor is None:
            return 0 if self._visible else None
        return next(i for i, event in enumerate(self._visible) if event is anchor)

    # -- mouse: a click selects, the wheel up freezes the view, back at the bottom it tails --

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and 0 <= offset.y + self.scroll_offset.y < len(self._visible):
            self._select(offset.y + self.scroll_offset.y)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        if self._selected is None and self.max_scroll_y > 0:
            self._frozen = True
            self._update_subtitle()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self._frozen and self._selected is None and round(new_value) >= self.max_scroll_y:
            self.call_later(self.action_tail)

    # -- drawing --

    def _update_subtitle(self) -> None:
        parts: list[str] = []
        if self.paused:
            waiting = len(self._pending)
            if self.fold_activity:
                waiting = sum(1 for event in self._pending if self._shows(event))
            parts.append(f"paused · {waiting:,} new")
            if self._pending_dropped:
                parts.append(f"{self._pending_dropped:,} dropped")
            parts.append("esc: follow")
        else:
            parts.append("live")
        if self.fold_activity:
            parts.append("activity folded (f)")
        # Content, not str: a border title parses markup, and only plain text belongs here.
        subtitle = Content(" · ".join(parts))
        host = self._title_host
        if subtitle != host.border_subtitle:
            host.border_subtitle = subtitle

    @property
    def _title_host(self) -> Widget:
        """Where the status line goes: the surrounding `FeedFrame`, else the view's own border."""
        parent = self.parent
        return parent if isinstance(parent, FeedFrame) else self

    @property
    def subtitle(self) -> str:
        """The status line under the feed ("live", "paused · 12 new", ...)."""
        return str(self._title_host.border_subtitle)

    def on_mount(self) -> None:
        self._update_subtitle()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def on_resize(self, event: events.Resize) -> None:
        self._sync_size()
        if self._selected is not None:
            self._select(self._selected)
        else:
            self._follow()

    def render_lines(self, crop: Region) -> list[Strip]:
        # `rich_style` walks every ancestor and blends colours on each read: once per pass, not per
        # line (it showed up in the flood profile).
        self._line_styles = self._compute_line_styles()
        try:
            return super().render_lines(crop)
        finally:
            self._line_styles = None

    def _compute_line_styles(self) -> tuple[Style, Style]:
        base = self.rich_style
        return base, base + self.get_component_rich_style("feed-view--cursor")

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        base, cursor = self._line_styles or self._compute_line_styles()
        if not 0 <= index < len(self._visible):
            return Strip.blank(width, base)
        event = self._visible[index]
        selected = index == self._selected
        hidden = event.id in self.state.moderation.hidden
        pinned = event.id in self.state.pins.pinned
        key: StripKey = (event.id, event.seq, width, selected, hidden, pinned)
        strip = self._cache.get(key)
        if strip is None:
            text = event_line(event, hidden=hidden, pinned=pinned, tz=self.tz)
            style = cursor if selected else base
            strip = Strip(line_segments(text, width, style, self.app.console), width)
            self._cache[key] = strip
        return strip
