"""`python -m benchmarks make-log N FILE`: an N-event session log, written by the real recorder.

The events are the demo source's own simulation (`DemoSource.stream`: the seeded realistic mix,
hostile text and all) at a simulated `rate` (default 100 events/s, so a 1,000,000-event log is a
2 h 47 min stream). They go through a real `EventBus` (which numbers them) to a real
`SessionRecorder` as fast as the recorder takes them, and are folded into a `ConsoleState` as the
live console folds them, so the log closes with the same summary line a live session ends with. The
header records the demo options, so the same log can be generated again.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path

from backstage_tui import __version__
from backstage_tui.bus import EventBus, consume
from backstage_tui.session import SessionHeader, SessionRecorder
from backstage_tui.session.summary import SessionTotals
from backstage_tui.sources.demo import DemoSource
from backstage_tui.state import ConsoleState

from .common import SEED, START_TS

CHUNK = 2000
LOG_RATE = 100.0


async def make_log(count: int, path: Path, *, rate: float = LOG_RATE, seed: int = SEED) -> float:
    """Write the log; returns the seconds it took. Refuses to overwrite an existing file."""
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} exists; give a new file name")
    source = DemoSource(rate=rate, seed=seed, limit=count, start=START_TS)
    header = SessionHeader(
        source=source.name,
        options=dict(source.config),
        started=datetime.fromtimestamp(START_TS, UTC),
        app_version=__version__,
    )
    bus = EventBus()
    recorder = SessionRecorder(path, header)
    started = time.perf_counter()
    await recorder.open()
    state = ConsoleState()
    folder = asyncio.create_task(
        consume(bus.subscribe("state", "lossless", 1 << 16), state.apply_all)
    )
    writer = asyncio.create_task(
        recorder.run(bus.subscribe("recorder", "lossless", 1 << 16), close_at_end=False)
    )
    stream = source.stream(START_TS)
    for done in range(0, count, CHUNK):
        for _ in range(min(CHUNK, count - done)):
            await bus.publish(next(stream))
        await asyncio.sleep(0)  # let the recorder take what queued
    bus.close()
    await folder
    await writer
    await recorder.close(SessionTotals.of(state))
    if recorder.error:
        raise OSError(recorder.error)
    return time.perf_counter() - started


def run(count: int, path: Path) -> float:
    return asyncio.run(make_log(count, path))
