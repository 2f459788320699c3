"""`rss_mb_1m`: resident memory after 1,000,000 events have passed through a live session.

The real app (`SessionRuntime` + `BackstageApp`, headless, 120x40, recording to a temporary folder)
takes demo events made on the fly (unique ids, the realistic mix) at 20,000 a second until a million
have gone through: recorded, folded and drawn. Run in a fresh process; the figures come from
``/proc/self/status``: ``VmRSS`` once the million have settled (``rss_mb_1m``), ``VmHWM`` (the peak,
``rss_peak_mb_1m``) and ``VmRSS`` right after the first frame (``rss_start_mb``), so the growth is
what the session itself holds.
"""

from __future__ import annotations

import asyncio
import gc
import tempfile
import time
from datetime import UTC
from pathlib import Path

from backstage_tui.runtime import SessionRuntime
from backstage_tui.sources.demo import DemoStream
from backstage_tui.tui.app import BackstageApp

from .common import SEED, START_TS, TARGET_RATE, FloodSource, Metrics, rss_mb

SCREEN = (120, 40)


async def measure(count: int, rate: float = TARGET_RATE) -> Metrics:
    stream = DemoStream(SEED, START_TS, rate)
    source = FloodSource(stream.__next__, count)
    with tempfile.TemporaryDirectory(prefix="bench-rss-") as tmp:
        runtime = SessionRuntime(source, sessions_dir=Path(tmp), record=True)
        app = BackstageApp(runtime, tz=UTC)
        async with app.run_test(size=SCREEN) as pilot:
            await pilot.pause()
            start_now, _ = rss_mb()
            started = time.perf_counter()
            source.run("rate", rate, count / rate)
            await source.idle.wait()
            while runtime.state.last_seq < count or (
                runtime.recorder is not None and runtime.recorder.written < count
            ):
                await asyncio.sleep(0.01)
            await pilot.pause(0.2)  # a few more frames: the feed has drawn the last of them
            spent = time.perf_counter() - started
            gc.collect()
            now, peak = rss_mb()
            shown = app.feed.shown + app.feed.skipped
            await runtime.close()
    return {
        "rss_mb_1m": now,
        "rss_peak_mb_1m": peak,
        "rss_start_mb": start_now,
        "rss_events": float(count),
        "rss_run_s": spent,
        "rss_ui_accounted": float(shown),
    }


def run(count: int) -> Metrics:
    return asyncio.run(measure(count))
