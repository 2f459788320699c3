"""`collector_paused`: reading a whole log without Python's cyclic garbage collector."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Millions of short-lived events, dicts and rows: the cyclic collector finds nothing to free
    in them but would scan the survivors again and again (a quarter of an export's time).
    Reference counting frees them as we go. Restores the collector only if it was on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
