"""`ReplaySource`: a saved session log played back at a chosen speed.

Events keep their original ids and times, so the reducers compute exactly what the live session
showed. A replay is not recorded again.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field

from ..events import Event
from ..session.reader import SessionLogError, SessionReader
from .base import Source, SourceError
from .options import SourceOptions

# How long one sleep may last at most, so a long silence in the log still lets the UI breathe and a
# cancelled replay stops promptly.
MAX_SLEEP_S = 0.25
# At full speed, hand the loop back this often so the screen keeps drawing.
YIELD_EVERY = 512


def _max_is_unlimited(value: object) -> object:
    """``max`` (any case) is as fast as possible: an infinite speed."""
    if isinstance(value, str) and value.strip().lower() == "max":
        return math.inf
    return value


Speed = Annotated[float, BeforeValidator(_max_is_unlimited), Field(gt=0)]


class ReplayOptions(SourceOptions):
    path: Path = Field(description="the session log to play")
    speed: Speed = Field(
        1.0, description="1 = as recorded, 2 = twice as fast, max = as fast as it can draw"
    )


class ReplaySource(Source):
    name: ClassVar[str] = "replay"
    description: ClassVar[str] = "a saved session log, at a speed"
    Options = ReplayOptions
    options: ReplayOptions
    records: ClassVar[bool] = False

    def __init__(self, **values: Any) -> None:
        super().__init__(**values)
        self.path = self.options.path
        self.speed = self.options.speed
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
