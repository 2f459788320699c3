"""Seeing frames: which events the screen drew, and when.

A frame is one call of Textual's `App._display` with a compositor update: by then the compositor has
asked every dirty widget for its lines, so whatever `render_line` produced is in that frame (headless,
Textual stops there; in a terminal it writes the update out inside `_display`). The feed builds a
line's `Text` with `feed_lines.event_line` only when the line is not in its strip cache, and the cache
key holds the event's seq, so that call happens exactly once per event, in the first frame that shows
it. `FrameProbe` wraps it to note the seq, and stamps every seq noted since the last frame with the
frame's time. Nothing in the app is changed; the wrapper only records.
"""

from __future__ import annotations

import time
from array import array
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import RenderableType
from textual.screen import Screen

from backstage_tui.runtime import SessionRuntime
from backstage_tui.tui import app as app_module
from backstage_tui.tui import feed_view
from backstage_tui.tui.app import BackstageApp

from .common import percentile


class FrameProbe:
    """Frame times, and the frame in which each seq was first drawn."""

    def __init__(self, capacity: int) -> None:
        self.drawn_at = array("d", bytes(8 * (capacity + 2)))
        """perf_counter() of the first frame that drew seq n; 0.0 when it was never drawn."""
        self.frames: list[tuple[float, int]] = []
        """(time, newest seq on screen so far) per frame."""
        self.newest = 0
        self._since_last: list[int] = []

    def saw(self, seq: int) -> None:
        self._since_last.append(seq)

    def frame(self) -> None:
        now = time.perf_counter()
        drawn_at = self.drawn_at
        for seq in self._since_last:
            if 0 < seq < len(drawn_at) and not drawn_at[seq]:
                drawn_at[seq] = now
                self.newest = max(self.newest, seq)
        self._since_last.clear()
        self.frames.append((now, self.newest))

    @contextmanager
    def watching_feed(self) -> Iterator[None]:
        """Wrap the feed's line builder for the duration (restored afterwards)."""
        original: Callable[..., Any] = feed_view.event_line

        def noting(event: Any, **kw: Any) -> Any:
            self.saw(event.seq)
            return original(event, **kw)

        feed_view.event_line = noting
        try:
            yield
        finally:
            feed_view.event_line = original

    def frame_of(self, seq: int, after: float = 0.0) -> float | None:
        """The time of the first frame after `after` whose newest drawn seq is `seq` or later."""
        for t, newest in self.frames:
            if t >= after and newest >= seq:
                return t
        return None


class MeasuredApp(BackstageApp):
    """The real `BackstageApp`, with a note taken after every frame it puts out."""

    # Textual resolves a relative CSS_PATH against the subclass's module: point at the app's own.
    CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))

    def __init__(self, runtime: SessionRuntime, probe: FrameProbe, **kwargs: Any) -> None:
        super().__init__(runtime, **kwargs)
        self.probe = probe

    def _display(self, screen: Screen[Any], renderable: RenderableType | None) -> None:
        super()._display(screen, renderable)
        if renderable is not None and not self._batch_count:
            self.probe.frame()


def latencies_ms(
    published_at: Sequence[float], drawn_at: Sequence[float], first: int, last: int
) -> list[float]:
    """Publication-to-first-frame latency of every drawn seq in first..last, in ms."""
    out: list[float] = []
    for seq in range(first, last + 1):
        t = drawn_at[seq]
        if t:
            out.append((t - published_at[seq]) * 1000)
    return out


def caught_up_ms(
    published_at: Sequence[float], frames: Sequence[tuple[float, int]], first: int, last: int
) -> list[float]:
    """For every seq in first..last, drawn or not: the time until a frame showed it or anything
    newer (the screen had moved past it), in ms. Seqs never passed are left out."""
    out: list[float] = []
    i = 0
    for seq in range(first, last + 1):
        while i < len(frames) and (frames[i][1] < seq or frames[i][0] < published_at[seq]):
            i += 1
        if i == len(frames):
            break
        out.append((frames[i][0] - published_at[seq]) * 1000)
    return out


def summary(values: Sequence[float]) -> dict[str, float]:
    return {
        "p50": percentile(values, 50),
        "p99": percentile(values, 99),
        "max": max(values) if values else float("nan"),
    }
