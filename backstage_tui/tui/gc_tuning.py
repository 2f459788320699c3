"""Keep Python's cyclic garbage collector off the frame budget.

Textual builds a couple of hundred thousand long-lived objects at start-up, and a full collection
rescans all of them: 60-150 ms each under a flood, which is what set the feed's p99 latency (see
docs/performance.md). Once the first frame is out, `freeze` moves everything alive into the
permanent generation, and a higher first threshold makes young collections rarer. Reference
counting still frees almost everything a flood allocates; cycles are still collected.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000


class CollectorTuning:
    def __init__(self) -> None:
        self._saved: tuple[int, int, int] | None = None

    def apply(self) -> None:
        if self._saved is not None:
            return
        self._saved = gc.get_threshold()
        gc.freeze()
        gc.set_threshold(YOUNG_THRESHOLD, 10, 10)

    def restore(self) -> None:
        """Undo `apply`: tests and tools run many apps in one process."""
        if self._saved is None:
            return
        gc.set_threshold(*self._saved)
        gc.unfreeze()
        self._saved = None
