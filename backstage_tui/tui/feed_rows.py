"""`RowIndex`: how many screen rows each line of the feed takes, and where each line starts.

A long comment wraps onto several rows, and how many depends on the width, so a line's row count is
known only once the view has laid it out, and the view lays out only the lines that come into view
(under a flood most lines pass through the buffer without ever being on screen). So a line counts as
one row until it is measured (`set`), and the row of a line is a prefix sum over these counts: kept
as running ends with an offset, recomputed lazily from the first count that changed. A frame's
batch appends at the end and drops from the front, which costs a list cut and a sum over the new
lines; a measurement near the end (where the view tails) recomputes only what follows it.

No Textual and no Rich here: plain lists, unit-tested on their own.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate, islice

from ..state.feed_window import FeedWindow


class RowIndex:
    """Rows per line of a `FeedWindow`, one entry per line of ``window.lines``."""

    def __init__(self) -> None:
        self._rows: list[int] = []
        """Rows of each line: 1 until measured."""
        self._ends: list[int] = []
        """``_ends[i] - _base``: the row just after line i; valid below `_clean`."""
        self._base = 0
        self._clean = 0
        self._generation = -1
        self._removed = 0

    def __len__(self) -> int:
        return len(self._rows)

    def sync(self, window: FeedWindow) -> None:
        """Follow the window's lines: drop what left the front, add what arrived at the end (one
        row each), or start again when the window rebuilt its lines."""
        count = window.line_count
        if window.generation != self._generation:
            self._generation = window.generation
            self._removed = window.removed
            self.reset(count)
            return
        dropped = window.removed - self._removed
        if dropped:
            self._removed = window.removed
            self._drop_front(min(dropped, len(self._rows)))
        added = count - len(self._rows)
        if added > 0:
            self._rows.extend([1] * added)
        elif added < 0:  # cannot happen while the window only appends; be safe anyway
            self.reset(count)

    def reset(self, count: int) -> None:
        """`count` lines of one row each (after a rebuild, or a new width)."""
        self._rows = [1] * count
        self._ends = []
        self._base = 0
        self._clean = 0

    def _drop_front(self, n: int) -> None:
        if n <= 0:
            return
        del self._rows[:n]
        if n <= self._clean:
            self._base = self._ends[n - 1]
            del self._ends[:n]
            self._clean -= n
        else:
            self._ends = []
            self._base = 0
            self._clean = 0

    def rows(self, index: int) -> int:
        return self._rows[index]

    def set(self, index: int, rows: int) -> None:
        """Line `index` takes `rows` rows (as measured at the current width)."""
        if self._rows[index] != rows:
            self._rows[index] = rows
            self._clean = min(self._clean, index)

    def _refresh(self) -> None:
        clean, count = self._clean, len(self._rows)
        if clean >= count:
            return
        start = self._ends[clean - 1] if clean else self._base
        del self._ends[clean:]
        self._ends.extend(islice(accumulate(self._rows[clean:], initial=start), 1, None))
        self._clean = count

    @property
    def total(self) -> int:
        """Rows of all the lines."""
        if not self._rows:
            return 0
        self._refresh()
        return self._ends[-1] - self._base

    def start(self, index: int) -> int:
        """The first row of line `index`."""
        if index <= 0:
            return 0
        self._refresh()
        return self._ends[index - 1] - self._base

    def locate(self, row: int) -> tuple[int, int]:
        """The line at `row` and the row within it; past the end, (len, 0)."""
        if row < 0 or not self._rows:
            return 0, 0
        self._refresh()
        index = bisect_right(self._ends, row + self._base)
        if index >= len(self._rows):
            return len(self._rows), 0
        return index, row - self.start(index)
