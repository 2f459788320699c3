"""`ReplaySource`: a saved session log played back at a chosen speed.

Events keep their original ids and times, so the reducers compute exactly what the live session
showed. A replay is not recorded again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import ClassVar

from ..events import Event
from ..session.reader import SessionLogError, SessionReader
from .base import Source, SourceError, SourceOption, parse_speed

# How long one sleep may last at most, so a long silence in the log still lets the UI breathe and a
# cancelled replay stops promptly.
MAX_SLEEP_S = 0.25
# At full speed, hand the loop back this often so the screen keeps drawing.
YIELD_EVERY = 512


class ReplaySource(Source):
    name: ClassVar[str] = "replay"
    description: ClassVar[str] = "a saved session log, at a speed"
    options: ClassVar[tuple[SourceOption, ...]] = (
        SourceOption("path", "the session log to play", Path, required=True),
        SourceOption("speed", "1 = as recorded, 2 = twice as fast, max = as fast as it can draw",
                     parse_speed, 1.0),
    )  # fmt: skip
    records: ClassVar[bool] = False

    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        path = self.config.get("path")
        if path is None:
            raise SourceError("source 'replay' needs option path=...")
        self.path = Path(str(path))
        self.speed = float(self.config["speed"] if self.config["speed"] is not None else 1.0)
        try:
            self.reader = SessionReader(self.path)
        except SessionLogError as exc:
            raise SourceError(str(exc)) from None
        self.replayed = 0
        self._problems: tuple[str, ...] = ()

    def describe(self) -> str:
        speed = "max" if self.speed == float("inf") else f"{self.speed:g}x"
        return f"replay {self.path.name} @ {speed}"

    def problems(self) -> Sequence[str]:
        """The damaged lines the reader skipped so far (it finds them as the replay goes)."""
        found = self.reader.problems
        if len(found) > len(self._problems):
            # Asked every frame: only the lines found since the last call are turned into text.
            self._problems += tuple(str(p) for p in found[len(self._problems) :])
        return self._problems

    async def events(self) -> AsyncIterator[Event]:
        batches: Iterator[list[Event]] = self.reader.batches()
        loop = asyncio.get_running_loop()
        origin_ts: float | None = None
        origin_clock = 0.0
        while True:
            batch = await asyncio.to_thread(next, batches, None)
            if batch is None:
                return
            for event in batch:
                if self.speed != float("inf"):
                    if origin_ts is None:
                        origin_ts, origin_clock = event.ts, loop.time()
                    due = origin_clock + (event.ts - origin_ts) / self.speed
                    while (delay := due - loop.time()) > 0:
                        await asyncio.sleep(min(delay, MAX_SLEEP_S))
                elif self.replayed % YIELD_EVERY == 0:
                    await asyncio.sleep(0)
                self.replayed += 1
                yield event
