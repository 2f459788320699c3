"""`FeedWindow`: the feed as the screen shows it, without the screen.

The UI subscription hands the view one batch of events a frame; `FeedWindow` decides what becomes a
line and what the moderator sees:

- a bounded buffer of the newest lines (`capacity`), and `lines`: the buffer without the activity
  lines (gifts, likes, follows, shares, joins) while those are folded away;
- a cursor (`selected`, an index into `lines`) that freezes the view, as does scrolling up
  (`freeze`); while frozen, new lines wait in a bounded pending queue, and what falls out of it is
  counted as dropped; `tail` puts what waited into the buffer and follows the newest line again;
- counters that account for every event handed to it:
  ``shown + skipped + pending_count == handed + bus_skipped``, where `handed` is every event passed
  to `add_batch` and `bus_skipped` the UI subscription's own running count of what it dropped. So
  once the view is tailing and drained, ``shown + skipped`` equals the bus's ``published``.

A view keeps its own per-line data (rows, caches) in step with `lines` from two numbers: `removed`
(lines dropped from the front since the last rebuild) and `generation` (bumped when `lines` is
rebuilt: a fold, or a batch bigger than the buffer). Appends add at the end.

Nothing here knows about rows, widths or styles: that is the view's business.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence

from ..events import AutomodDecision, Event
from .feed import FEED_CAPACITY, feed_kind, shows_in_feed

AHEAD_LIMIT = 4096
"""Rule decisions the window remembers for lines the state may not have folded yet."""


class FeedWindow:
    """The feed's buffer, fold, cursor, pending queue and counters.

    Args:
        capacity: Lines kept in the buffer, and in the pending queue while frozen.
        fold_activity: Start with activity lines folded away.
    """

    def __init__(self, capacity: int = FEED_CAPACITY, *, fold_activity: bool = False) -> None:
        if capacity < 1:
            raise ValueError("the feed must keep at least one line")
        self.capacity = capacity
        self.shown = 0
        """Events that reached the view: lines that entered the buffer, plus non-line events
        (viewer counts, actions) whose effect the view draws from the state."""
        self.generation = 0
        """Bumped whenever `lines` is rebuilt rather than appended to or cut at the front."""
        self.removed = 0
        """Lines dropped from the front of `lines` since the last rebuild."""
        self._fold = fold_activity
        self._bus_skipped = 0
        self._pending_dropped = 0
        self._buffer: deque[Event] = deque()
        self._lines: list[Event] = []
        self._pending: deque[Event] = deque()
        self._pending_activity = 0
        """Activity lines in `_pending` (what `waiting` leaves out while they are folded)."""
        self._selected: int | None = None
        self._frozen = False
        self._filter: Callable[[Event], bool] | None = None
        self._ahead: dict[str, str] = {}
        """Message id -> ``hide`` or ``hold``, from the rules' decisions seen in the batches."""
        self._released: list[Iterable[Event]] = []
        """What left the buffer since `let_go` was last called, not freed yet."""

    # -- what the view reads --

    @property
    def lines(self) -> Sequence[Event]:
        """The lines on view, oldest first (read-only: change them through the methods)."""
        return self._lines

    @property
    def line_count(self) -> int:
        return len(self._lines)

    @property
    def fold_activity(self) -> bool:
        """Whether activity lines are folded away (`set_fold` changes it)."""
        return self._fold

    @property
    def selected(self) -> int | None:
        """The index in `lines` of the selected message, or None."""
        return self._selected

    @property
    def selected_event(self) -> Event | None:
        return None if self._selected is None else self._lines[self._selected]

    @property
    def frozen(self) -> bool:
        """Scrolled away from the newest line with nothing selected."""
        return self._frozen

    @property
    def paused(self) -> bool:
        """New lines wait instead of entering the view (a selection, or scrolled up)."""
        return self._selected is not None or self._frozen

    @property
    def pending_count(self) -> int:
        """Events waiting while paused (folded activity included)."""
        return len(self._pending)

    @property
    def waiting(self) -> int:
        """The lines that will appear when the view follows again (folded ones left out)."""
        if not self._fold:
            return len(self._pending)
        return len(self._pending) - self._pending_activity

    @property
    def bus_skipped(self) -> int:
        """The UI subscription's running count of the events it dropped."""
        return self._bus_skipped

    @property
    def pending_dropped(self) -> int:
        """Events pushed out of the full pending queue while paused."""
        return self._pending_dropped

    @property
    def skipped(self) -> int:
        """Events never drawn: dropped by the bus subscription or pushed out of the pending queue."""
        return self._bus_skipped + self._pending_dropped

    def suppressed_ahead(self, event_id: str) -> str | None:
        """``hide`` or ``hold`` when a rule's decision on `event_id` came through the batches (it
        precedes its message), for the view to use until the state has folded that line."""
        return self._ahead.get(event_id)

    @property
    def filtered(self) -> bool:
        """Whether a filter (`set_filter`) leaves out the lines it does not match."""
        return self._filter is not None

    def shows(self, event: Event) -> bool:
        """Whether a buffered `event` is a line on view (not folded away, and matching the filter)."""
        if self._fold and feed_kind(event) == "activity":
            return False
        return self._filter is None or self._filter(event)

    # -- feeding --

    def add_batch(self, batch: Sequence[Event], bus_skipped: int = 0) -> None:
        """Take one frame's events. `bus_skipped` is the subscription's running skip count."""
        if self._released:
            self.let_go()  # nobody called it since the last batch: free them now, not later
        self._bus_skipped = max(self._bus_skipped, bus_skipped)
        for decision in [event for event in batch if event.type == "automod"]:
            assert isinstance(decision, AutomodDecision)
            if decision.outcome != "flag":
                self._ahead[decision.target] = decision.outcome
                if len(self._ahead) > AHEAD_LIMIT:
                    del self._ahead[next(iter(self._ahead))]
        lines = [event for event in batch if shows_in_feed(event)]
        self.shown += len(batch) - len(lines)
        if not lines:
            return
        if self.paused:
            pending = self._pending
            pending.extend(lines)
            activity = sum(1 for event in lines if feed_kind(event) == "activity")
            for _ in range(len(pending) - self.capacity):
                activity -= feed_kind(pending.popleft()) == "activity"
                self._pending_dropped += 1
            self._pending_activity += activity
        else:
            self._append(lines)

    def let_go(self) -> None:
        """Free the lines that left the buffer since the last call.

        Under a flood a frame's batch pushes hundreds of events out of the buffer, and freeing them
        (often their last reference) took ~2.5 ms of a ~12 ms frame. The view calls this once the
        frame is on the screen, so no line waits for it to be drawn; a window whose view does not
        call it frees them at the next batch instead."""
        self._released.clear()

    def _append(self, lines: list[Event]) -> None:
        self.shown += len(lines)
        buffer = self._buffer
        if len(lines) >= self.capacity:
            self._released.append(buffer)
            self._buffer = deque(lines[-self.capacity :])
            self._rebuild()
            return
        buffer.extend(lines)
        excess = len(buffer) - self.capacity
        gone = [buffer.popleft() for _ in range(excess)] if excess > 0 else []
        if gone:
            self._released.append(gone)
        if not self._fold and self._filter is None:
            # Nothing folded or filtered: the lines are the buffer. No per-line test (a flood brings hundreds
            # of lines a frame).
            self._lines.extend(lines)
            if gone:
                del self._lines[: len(gone)]
                self.removed += len(gone)
            return
        shows = self.shows
        self._lines.extend(event for event in lines if shows(event))
        # `lines` is the in-order subsequence of the buffer, so the evicted lines on view are
        # exactly its first `evicted` entries.
        evicted = sum(1 for event in gone if shows(event))
        if evicted:
            del self._lines[:evicted]
            self.removed += evicted

    def reset(self, lines: Iterable[Event], position: int) -> None:
        """Start again from `lines` (the newest `capacity` of them kept): a replay moved to another
        point of its session. What waited, the selection and the freeze go; the fold and the
        filter stay. `position` is how many events the session has had by then: what `shown`
        and `skipped` add up to afterwards."""
        self._buffer = deque(lines)
        while len(self._buffer) > self.capacity:
            self._buffer.popleft()
        self._pending.clear()
        self._pending_activity = 0
        self._pending_dropped = 0
        self._selected = None
        self._frozen = False
        self._ahead.clear()
        self.shown = max(0, position - self.skipped)
        self._rebuild()

    def _rebuild(self) -> None:
        shows = self.shows
        self._lines = [event for event in self._buffer if shows(event)]
        self.removed = 0
        self.generation += 1

    # -- the cursor --

    def select(self, index: int | None) -> None:
        """Select `lines[index]` (clamped to the lines there are), or nothing."""
        if index is not None and self._lines:
            index = min(len(self._lines) - 1, max(0, index))
        self._selected = index if self._lines else None

    def move(self, delta: int) -> None:
        """Move the cursor by `delta` lines. With nothing selected, a move up selects the newest
        line and a move down does nothing."""
        if not self._lines:
            return
        if self._selected is None:
            if delta < 0:
                self._selected = len(self._lines) - 1
        else:
            self.select(self._selected + delta)

    def freeze(self) -> bool:
        """Stop following the newest line with nothing selected (the wheel scrolled up); True if
        that changed anything."""
        if self._frozen or self._selected is not None:
            return False
        self._frozen = True
        return True

    def tail(self) -> None:
        """Leave the selection and the freeze, take what waited, follow the newest line again."""
        self._selected = None
        self._frozen = False
        if self._pending:
            waiting = list(self._pending)
            self._pending.clear()
            self._pending_activity = 0
            self._append(waiting)

    # -- folding --

    def set_fold(self, folded: bool) -> None:
        """Fold activity lines away (or show them again), keeping the cursor on the same message
        or, when that one was folded away, on the nearest older line on view."""
        if folded == self._fold:
            return
        selected = self.selected_event
        self._fold = folded
        self._rebuild()
        if selected is not None:
            self._selected = self._nearest_on_view(selected)

    def set_filter(self, matches: Callable[[Event], bool] | None) -> None:
        """Show only the buffered lines `matches` accepts (None: all), keeping the cursor as
        `set_fold` does. New lines are tested as they arrive."""
        selected = self.selected_event
        self._filter = matches
        self._rebuild()
        if selected is not None:
            self._selected = self._nearest_on_view(selected)

    def _nearest_on_view(self, wanted: Event) -> int | None:
        anchor: Event | None = None
        found = False
        for event in reversed(self._buffer):
            found = found or event is wanted
            if found and self.shows(event):
                anchor = event
                break
        if anchor is None:
            # Nothing older is on view: the oldest line there is, if any.
            return 0 if self._lines else None
        return next(i for i, event in enumerate(self._lines) if event is anchor)
