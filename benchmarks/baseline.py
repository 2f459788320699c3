"""The anchor: the same load into a plain `RichLog`, one `write` per message.

What a first version of the console would do: an `App` whose only widget is a `RichLog`, and a task
that writes each event as it arrives, as the same one-line `Text` the feed draws
(`feed_lines.event_line`). No recorder, no reducers, no side panes: the widget alone. The same
`FloodSource` offers 20,000 events/s; every `write` renders the line at once, so the loop falls
behind and the source can only hand out what the writer takes.

- ``baseline_richlog_rate``: messages written per second over the measured period;
- ``baseline_richlog_p99_ms``: from the moment a message was handed to the writer to the first frame
  that drew its line (the log does not wrap, so line ``i`` is message ``i``; drawn lines are noted by
  wrapping `RichLog.render_line`, frames the same way as for the real app).
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC
from typing import Any

from rich.console import RenderableType
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import RichLog

from backstage_tui.tui.feed_lines import event_line

from .common import POOL, TARGET_RATE, FloodSource, Metrics, demo_events
from .probe import FrameProbe, latencies_ms, summary

SCREEN = (120, 40)


class ProbedLog(RichLog):
    def __init__(self, probe: FrameProbe) -> None:
        super().__init__(wrap=False, markup=False, highlight=False, auto_scroll=True)
        self.probe = probe
        self.seqs: list[int] = []
        """The seq of the message on each line."""

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        if 0 <= index < len(self.seqs):
            self.probe.saw(self.seqs[index])
        return super().render_line(y)


class RichLogApp(App[None]):
    def __init__(self, source: FloodSource, probe: FrameProbe) -> None:
        super().__init__()
        self.source = source
        self.probe = probe
        self.log_view = ProbedLog(probe)
        self.written = 0

    def compose(self) -> ComposeResult:
        yield self.log_view

    def on_mount(self) -> None:
        self.run_worker(self._write_all(), exclusive=True)

    async def _write_all(self) -> None:
        seq = 0
        view = self.log_view
        async for event in self.source.events():
            seq += 1
            view.seqs.append(seq)
            view.write(event_line(event, hidden=False, pinned=False, tz=UTC))
            self.written = seq

    def _display(self, screen: Screen[Any], renderable: RenderableType | None) -> None:
        super()._display(screen, renderable)
        if renderable is not None and not self._batch_count:
            self.probe.frame()


async def measure(seconds: float, warmup_s: float, rate: float = TARGET_RATE) -> Metrics:
    capacity = int(rate * (warmup_s + seconds) * 1.5) + 10_000
    source = FloodSource.cycling(demo_events(POOL), capacity)
    probe = FrameProbe(capacity)
    app = RichLogApp(source, probe)
    async with app.run_test(size=SCREEN) as pilot:
        await pilot.pause()
        # Measured by the wall clock: the source never forgives a debt, so a phase of N seconds of
        # events would last until the writer caught up, which it never does.
        source.run("rate", rate, 3600.0)
        await asyncio.sleep(warmup_s)
        start_t, start_n = time.perf_counter(), app.written
        await asyncio.sleep(seconds)
        end_t, end_n = time.perf_counter(), app.written
        source.stop()
        await source.idle.wait()
        await pilot.pause(0.2)
        app.exit()
    drawn = latencies_ms(source.published_at, probe.drawn_at, start_n + 1, end_n)
    lat = summary(drawn)
    return {
        "baseline_richlog_rate": (end_n - start_n) / (end_t - start_t),
        "baseline_richlog_p50_ms": lat["p50"],
        "baseline_richlog_p99_ms": lat["p99"],
        "baseline_richlog_drawn": float(len(drawn)),
    }


def run(seconds: float, warmup_s: float) -> Metrics:
    return asyncio.run(measure(seconds, warmup_s))
