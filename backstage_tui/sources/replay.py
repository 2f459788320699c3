"""`ReplaySource`: a saved session log played back at a chosen speed, with a video's controls.

Events keep their original ids and times, so the reducers compute exactly what the live session
showed. A replay is not recorded again, and never writes into the log it reads.

The controls (pause, speed, step, seek by time, jump to the next or previous moderation action)
are methods the replay screen's keys call; the playing loop obeys them at its next event. Seeking
needs the log's `ReplayIndex` (built in a worker thread when the controls are turned on) and the
session's permission to put its state back (`bind`, called by the runtime): the state at the target
comes from the index, and the playing goes on from there.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field

from ..events import Event
from ..session.reader import SessionLogError, SessionReader
from ..session.replay_index import IndexCancelled, ReplayIndex
from ..state import FEED_CAPACITY, ConsoleState
from .base import Source, SourceError
from .options import SourceOptions

# How long one sleep may last at most, so a long silence in the log still lets the UI breathe and a
# cancelled replay stops promptly.
MAX_SLEEP_S = 0.25
# At full speed, hand the loop back this often so the screen keeps drawing.
YIELD_EVERY = 512
SPEEDS: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0, math.inf)
"""The speeds `faster` and `slower` step through (``inf``: as fast as it can draw)."""
FAST_FORWARD = 2000
"""A seek this many events ahead or fewer plays them at once instead of putting a state back: a
step through the bus is cheaper than reading back a snapshot's feed buffer."""
SEEK_SHORT_S = 10.0
SEEK_LONG_S = 60.0

Restore = Callable[[ConsoleState], Awaitable[None]]
"""Puts the session's state back to a given one (`SessionRuntime.restore_state`)."""
Move = Callable[[ReplayIndex, int], int | None]
"""A seek: from the index and a position, the position to go to (None: stay)."""


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


@dataclass(frozen=True, slots=True)
class ReplayPosition:
    """Where a replay is, for the position bar."""

    position: int
    """Events played (the state is the fold of the first `position`)."""
    total: int | None
    """Events in the log, once the index knows."""
    elapsed: float
    """Seconds of the session played (from its first event)."""
    duration: float | None
    """The session's length in seconds, once the index knows."""
    paused: bool
    speed: float
    at_end: bool
    indexing: float | None
    """The share of the log indexed while the index is being built, else None."""
    seeking: bool
    error: str | None = None
    """Why the replay cannot seek (its index could not be built)."""


def speed_label(speed: float) -> str:
    return "max" if speed == math.inf else f"{speed:g}x"


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
        self.position = 0
        """Events handed over since the replay's position was last set."""
        self.paused = False
        self.at_end = False
        """Every event was played: with the controls on, the replay waits there for a seek."""
        self.controlled = False
        """The controls are on (`enable_controls`)."""
        self.index: ReplayIndex | None = None
        self.index_progress = 0.0
        self.index_error: str | None = None
        self.seeking = False
        self._feed_capacity = FEED_CAPACITY
        self._restore: Restore | None = None
        self._index_task: asyncio.Future[ReplayIndex] | None = None
        self._cancel = threading.Event()
        self._moves: list[Move] = []
        self._steps = 0
        self._skip = 0
        """Events to hand over at once, without the pace (a short seek forward)."""
        self._repace = False
        self._wake: asyncio.Event | None = None
        self._first_ts: float | None = None
        self._last_ts: float | None = None
        self._problems: tuple[str, ...] = ()

    @property
    def replayed(self) -> int:
        """Events handed over (the position)."""
        return self.position

    def describe(self) -> str:
        return f"replay {self.path.name} @ {speed_label(self.speed)}"

    def problems(self) -> Sequence[str]:
        """The damaged lines the reader skipped so far (it finds them as the replay goes; the index,
        once built, has found them all)."""
        found = self.index.problems if self.index is not None else self.reader.problems
        if len(found) > len(self._problems):
            # Asked every frame: only the lines found since the last call are turned into text.
            self._problems += tuple(str(p) for p in found[len(self._problems) :])
        return self._problems

    # -- wiring --

    def bind(self, feed_capacity: int, restore: Restore) -> None:
        """The session's feed capacity (the index's snapshots fold with it) and how to put the
        session's state back when seeking; called by the runtime."""
        self._feed_capacity = feed_capacity
        self._restore = restore

    def enable_controls(self) -> None:
        """Turn the controls on (the replay screen does): the index is built as the replay starts,
        and at the end the replay waits for a seek instead of finishing."""
        self.controlled = True

    # -- the controls --

    def toggle_pause(self) -> None:
        self.set_paused(not self.paused)

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        self._steps = 0
        self._changed()

    def faster(self) -> float:
        """The next speed up (`SPEEDS`); the new speed."""
        self.speed = next((s for s in SPEEDS if s > self.speed), self.speed)
        self._changed()
        return self.speed

    def slower(self) -> float:
        self.speed = next((s for s in reversed(SPEEDS) if s < self.speed), self.speed)
        self._changed()
        return self.speed

    def step(self) -> None:
        """Pause, and play one event."""
        self.paused = True
        self._steps += 1
        self._changed()

    def seek(self, move: Move) -> None:
        """Go where `move` says once the index is ready (seeks asked before one is done add up)."""
        self._moves.append(move)
        self._changed()

    def seek_to(self, position: int) -> None:
        self.seek(lambda index, _: position)

    def seek_by(self, seconds: float) -> None:
        """Seek `seconds` of session time forward (or back, below 0) from where the replay is."""

        def by_time(index: ReplayIndex, position: int) -> int:
            if not index.total:
                return 0
            when = index.time_at(position) if position else index.clock[0]
            target = index.position_at_time(when + seconds)
            # Back goes back at least one event, forward at least one, so a long silence in the
            # log never holds the replay where it is.
            if seconds < 0:
                return min(target, max(0, position - 1))
            return max(target, min(index.total, position + 1))

        self.seek(by_time)

    def next_action(self) -> None:
        self.seek(lambda index, position: index.next_action(position))

    def previous_action(self) -> None:
        self.seek(lambda index, position: index.previous_action(position))

    def where(self) -> ReplayPosition:
        index = self.index
        first = index.clock[0] if index is not None and index.total else self._first_ts
        elapsed = 0.0
        if self.position and first is not None:
            now = index.time_at(self.position) if index is not None else self._last_ts
            elapsed = max(0.0, (now or first) - first)
        indexing = None
        if self.controlled and index is None and self.index_error is None:
            indexing = self.index_progress
        return ReplayPosition(
            position=self.position,
            total=index.total if index is not None else None,
            elapsed=elapsed,
            duration=index.duration if index is not None else None,
            paused=self.paused,
            speed=self.speed,
            at_end=self.at_end,
            indexing=indexing,
            seeking=self.seeking or bool(self._moves) or self._skip > 0,
            error=self.index_error,
        )

    def _changed(self) -> None:
        self._repace = True
        if self._wake is not None:
            self._wake.set()

    # -- the index --

    def _start_index(self) -> asyncio.Future[ReplayIndex]:
        if self._index_task is None:

            def progress(share: float) -> None:
                self.index_progress = share

            task = asyncio.ensure_future(
                asyncio.to_thread(
                    ReplayIndex.build,
                    self.path,
                    feed_capacity=self._feed_capacity,
                    source=self.name,
                    progress=progress,
                    cancel=self._cancel,
                )
            )
            task.add_done_callback(self._index_built)
            self._index_task = task
        return self._index_task

    def _index_built(self, task: asyncio.Future[ReplayIndex]) -> None:
        if task.cancelled():
            return
        error = task.exception()
        if error is None:
            self.index = task.result()
        elif not isinstance(error, IndexCancelled):
            self.index_error = f"cannot index {self.path.name}: {error}"

    async def ready_index(self) -> ReplayIndex | None:
        """The log's index, once built (None when it could not be)."""
        if self.index is None and self.index_error is None:
            with contextlib.suppress(Exception):
                await asyncio.shield(self._start_index())
            self._index_built(self._start_index())
        return self.index

    async def _jump(self) -> Iterator[list[Event]] | None:
        """Carry out the seeks asked for: the state put back at the target, and the events from
        there on; None when there is nowhere to go."""
        index = await self.ready_index()
        moves, self._moves = self._moves, []
        if index is None or self._restore is None:
            return None
        # From where the replay is going: a seek asked during a fast-forward counts from its end.
        position = self.position + self._skip
        for move in moves:
            target = move(index, position)
            if target is not None:
                position = max(0, min(index.total, target))
        if self.position <= position <= self.position + FAST_FORWARD:
            self._skip = position - self.position
            return None
        self._skip = 0
        self.seeking = True
        try:
            state = await asyncio.to_thread(index.state_at, position)
            await self._restore(state)
        finally:
            self.seeking = False
        self.position = position
        self.at_end = position >= index.total
        self._last_ts = index.time_at(position) if position else None
        return index.batches(position)

    # -- playing --

    async def events(self) -> AsyncIterator[Event]:
        loop = asyncio.get_running_loop()
        wake = self._wake = asyncio.Event()
        if self.controlled:
            self._start_index()
        batches: Iterator[list[Event]] = self.reader.batches()
        pending: deque[Event] = deque()
        origin: tuple[float, float] | None = None
        """(a log time, the loop's time it is played at): the pace counts from there."""
        try:
            while True:
                wake.clear()
                if self._repace:
                    self._repace = False
                    origin = None
                if self._moves:
                    jumped = await self._jump()
                    if jumped is not None:
                        batches = jumped
                        pending.clear()
                    continue
                if self.paused and not self._steps and not self._skip:
                    await wake.wait()
                    continue
                if not pending:
                    batch = await asyncio.to_thread(next, batches, None)
                    if not batch:
                        if not self.controlled:
                            return
                        self.at_end = True
                        self._steps = self._skip = 0
                        await wake.wait()
                        continue
                    pending.extend(batch)
                event = pending[0]
                if self._skip:
                    self._skip -= 1
                    if self._skip % YIELD_EVERY == 0:
                        await asyncio.sleep(0)
                elif self._steps:
                    self._steps -= 1
                elif self.speed != math.inf:
                    if origin is None:
                        start = self._last_ts if self._last_ts is not None else event.ts
                        origin = (min(start, event.ts), loop.time())
                    due = origin[1] + (event.ts - origin[0]) / self.speed
                    delay = due - loop.time()
                    if delay > 0:
                        # Woken early by a control: everything is looked at again.
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(wake.wait(), min(delay, MAX_SLEEP_S))
                        continue
                elif self.position % YIELD_EVERY == 0:
                    await asyncio.sleep(0)
                pending.popleft()
                self.position += 1
                self.at_end = False
                if self._first_ts is None:
                    self._first_ts = event.ts
                self._last_ts = event.ts if self._last_ts is None else max(self._last_ts, event.ts)
                yield event
        finally:
            self._cancel.set()
