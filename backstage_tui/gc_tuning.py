"""Keep Python's cyclic garbage collector off a flood's budget: the console's and `--headless`'s.

Textual builds a couple of hundred thousand long-lived objects at start-up, and a full collection
rescans all of them: under a flood those pauses are what set the feed's worst latencies. Once the
first frame is out, `freeze` moves everything alive into the permanent generation, and a much
higher first threshold makes young collections rarer. Reference counting still frees almost
everything a flood allocates; cycles are still collected.

Why 150,000: events parsed from a source are young objects that live a quarter of a second in the
feed's buffer. Collected every 10,000 allocations (the threshold first tried), each was
scanned while young and again in the middle generation, many times a second under a flood. At
150,000 a collection comes about once a second and finds most of those events already freed, for
a little more resident memory. Without a screen the same holds for the runtime alone: at the
default threshold (700) a websocket flood spent a sixth of its loop collecting young events, and
fell behind 20,000 a second. The measurements are in docs/performance.md.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 150_000
OLDER_THRESHOLD = 10
"""Collections of the next younger generation before an older one is collected (CPython's default)."""


class CollectorTuning:
    def __init__(self) -> None:
        self._saved: tuple[int, int, int] | None = None

    def apply(self) -> None:
        if self._saved is not None:
            return
        self._saved = gc.get_threshold()
        gc.freeze()
        gc.set_threshold(YOUNG_THRESHOLD, OLDER_THRESHOLD, OLDER_THRESHOLD)

    def after_frame(self) -> None:
        """Collect now, just after a frame went out, if a collection is half due.

        Left to its threshold a collection starts at whichever allocation crosses it, often in the
        middle of composing a frame, and that frame waits for it. Just after a frame the loop has
        a frame's interval before the next one is due, so the pause delays nothing on screen. The
        generation is the one CPython would pick: an older one once the younger has been collected
        `OLDER_THRESHOLD` times since.
        """
        if self._saved is None:
            return
        young, middle, old = gc.get_count()
        if young < YOUNG_THRESHOLD // 2:
            return
        if old >= OLDER_THRESHOLD:
            gc.collect(2)
        elif middle >= OLDER_THRESHOLD:
            gc.collect(1)
        else:
            gc.collect(0)

    def restore(self) -> None:
        """Undo `apply`: tests and tools run many apps in one process."""
        if self._saved is None:
            return
        gc.set_threshold(*self._saved)
        gc.unfreeze()
        self._saved = None
