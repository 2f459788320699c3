"""`recorder_events_per_s`: the session recorder's sustained rate to disk, and that it is off the loop.

Batches of demo events, already numbered (the bus's work is not the recorder's), go to
`SessionRecorder.write_batch`, the call its `run` loop makes for every batch it takes off the bus.
The rate is events over the wall time of all the writes, the fsyncs (about one a second) and the
final close. Meanwhile a 1 ms ticker on the event loop notes how late it wakes:
``recorder_loop_max_lag_ms`` is how long the loop was ever kept from running, which stays near the
timer resolution because serialising and writing happen in a worker thread.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from backstage_tui.bus import stamped_copy
from backstage_tui.events import Event
from backstage_tui.session import SessionHeader, SessionReader, SessionRecorder

from .common import POOL, Metrics, demo_events, percentile

BATCH = 1000
"""About what the recorder takes off the bus per write under a 20,000/s flood at a few ms a write."""


class Ticker:
    """Wakes every millisecond and notes how late it was, while a write is in flight (the batches
    are built on the loop between writes; that is the benchmark's work, not the recorder's)."""

    def __init__(self) -> None:
        self.writing = False
        self.lags: list[float] = []
        self.stop = False

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self.stop:
            was_writing = self.writing
            before = loop.time()
            await asyncio.sleep(0.001)
            if was_writing and self.writing:
                self.lags.append((loop.time() - before - 0.001) * 1000)


async def measure(count: int, batch: int = BATCH) -> Metrics:
    pool = demo_events(min(count, POOL))
    with tempfile.TemporaryDirectory(prefix="bench-recorder-") as tmp:
        path = Path(tmp) / "recorder.jsonl"
        header = SessionHeader(source="bench", started=datetime.now(UTC))
        recorder = SessionRecorder(path, header)
        await recorder.open()
        ticker = Ticker()
        ticking = asyncio.create_task(ticker.run())
        spent = 0.0
        seq = 0
        while seq < count:
            events: list[Event] = []
            for _ in range(min(batch, count - seq)):
                seq += 1
                events.append(stamped_copy(pool[seq % len(pool)], seq))
            ticker.writing = True
            started = time.perf_counter()
            await recorder.write_batch(events)
            spent += time.perf_counter() - started
            ticker.writing = False
        started = time.perf_counter()
        await recorder.close()
        spent += time.perf_counter() - started
        ticker.stop = True
        await ticking
        size = path.stat().st_size
        written = sum(len(b) for b in SessionReader(path).batches())
    return {
        "recorder_events_per_s": count / spent,
        "recorder_mb_per_s": size / spent / 1e6,
        "recorder_loop_max_lag_ms": max(ticker.lags, default=0.0),
        "recorder_loop_p99_lag_ms": percentile(ticker.lags, 99),
        "recorder_missing": float(count - written),
    }


def run(count: int) -> Metrics:
    return asyncio.run(measure(count))
