"""Strips freed when they are dropped, not when the cyclic collector next runs.

Every line Textual's compositor puts on the screen goes through `Strip.divide`, at the cuts where
other widgets overlap it. A line no other widget overlaps is cut only at its own end, and Textual
answers ``[self]`` and keeps that answer in the strip's own cache: the strip then refers to itself,
and reference counting can never free it. Each such strip, with its segments and its seven small
caches, waits for the cyclic collector. Under a flood the feed draws new lines every frame, and
those cycles were most of what the collector found (its pauses are what a flood's worst latencies
are made of; docs/performance.md has the figures).

`install` puts a `divide` in front of Textual's that answers a cut at the strip's own end itself,
with a new one-item list, before anything is cached; every other cut goes to Textual's method
unchanged. The answer is the same list Textual returns, so nothing on the screen changes.
`tests/test_strip_cycles.py` checks both that Textual still caches itself (so this is still
needed) and that, installed, a divided strip refers to nothing that refers back to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.strip import Strip

_textual_divide = Strip.divide


def _divide(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
    cuts = list(cuts)
    length = self.cell_length
    if [cut for cut in cuts if cut <= length] == [length]:
        return [self]  # what Textual answers, without the cache entry that holds `self`
    return _textual_divide(self, cuts)


def install() -> None:
    """Route `Strip.divide` through `_divide` (once; later calls do nothing)."""
    if Strip.divide is not _divide:
        Strip.divide = _divide  # type: ignore[method-assign]


def uninstall() -> None:
    """Textual's own `divide` again (for the test that shows why `install` exists)."""
    Strip.divide = _textual_divide  # type: ignore[method-assign]
