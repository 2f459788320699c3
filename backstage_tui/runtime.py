"""`SessionRuntime`: one live session wired together: source -> bus -> recorder and state.

It is the whole console without a screen: the TUI drives one, tests and benchmarks drive one
headless. The state is folded from every event (a lossless subscriber), the recorder writes every
event (another), and a UI takes what it can draw through a ``latest`` subscription.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import reprlib
from datetime import UTC, datetime
from pathlib import Path
from typing import get_args

from . import __version__
from .bus import BusClosed, EventBus, Subscription, consume
from .events import ActionEvent, Connection, Event, Malformed
from .session import SessionHeader, SessionRecorder, default_sessions_dir, new_log_path
from .session.summary import SessionTotals
from .sources.base import Source
from .state import FEED_CAPACITY, ConsoleState

log = logging.getLogger(__name__)

LOSSLESS_QUEUE = 1 << 18
SOURCE_STOP_TIMEOUT_S = 2.0
"""How long `close` waits for a source to stop before leaving it behind."""
EVENT_CLASSES: tuple[type, ...] = get_args(get_args(Event)[0])


class SessionRuntime:
    def __init__(
        self,
        source: Source,
        *,
        sessions_dir: Path | None = None,
        record: bool | None = None,
        feed_capacity: int = FEED_CAPACITY,
    ) -> None:
        self.source = source
        self.bus = EventBus()
        self.state = ConsoleState.with_capacity(feed_capacity)
        self.record = source.records if record is None else record
        self.sessions_dir = sessions_dir
        self.log_path: Path | None = None
        self.recorder: SessionRecorder | None = None
        self.source_error: str | None = None
        self.source_finished = False
        self.started = False
        self._tasks: list[asyncio.Task[None]] = []
        self._pump_task: asyncio.Task[None] | None = None
        self._state_sub = self.bus.subscribe("state", "lossless", LOSSLESS_QUEUE)
        self._closing = False

    def subscribe_ui(self, maxsize: int = 20000) -> Subscription:
        """A subscription that never slows anyone: it keeps the newest `maxsize` events."""
        return self.bus.subscribe("ui", "latest", maxsize)

    async def start(self) -> None:
        """Open the log (raises `OSError` when it cannot be created) and start the flow."""
        if self.started:
            return
        self.started = True
        if self.record:
            started = datetime.now(UTC)
            folder = self.sessions_dir or default_sessions_dir()
            self.log_path = new_log_path(folder, started, self.source.name)
            header = SessionHeader(
                source=self.source.name,
                options={k: _jsonable(v) for k, v in self.source.config.items()},
                started=started,
                app_version=__version__,
            )
            self.recorder = SessionRecorder(self.log_path, header)
            await self.recorder.open()
            sub = self.bus.subscribe("recorder", "lossless", LOSSLESS_QUEUE)
            self._tasks.append(
                asyncio.create_task(self.recorder.run(sub, close_at_end=False), name="recorder")
            )
        self._tasks.append(
            asyncio.create_task(consume(self._state_sub, self.state.apply_all), name="state")
        )
        self._pump_task = asyncio.create_task(self._pump(), name="source")

    async def _pump(self) -> None:
        try:
            async for event in self.source.events():
                if not isinstance(event, EVENT_CLASSES):
                    event = _not_an_event(self.source.name, event)
                await self.bus.publish(event)
        except asyncio.CancelledError:
            raise
        except BusClosed:
            return
        except Exception as exc:  # noqa: BLE001 - any source failure becomes a visible event
            self.source_error = f"source {self.source.name!r} failed: {_one_line(exc)}"
            log.warning("%s", self.source_error, exc_info=True)
            with contextlib.suppress(BusClosed):
                await self.bus.publish(Connection(status="disconnected", detail=self.source_error))
            return
        self.source_finished = True

    async def publish(self, event: Event) -> Event:
        """Publish an event from outside the source (tests, tools)."""
        return await self.bus.publish(event)

    async def act(self, action: ActionEvent) -> Event:
        """Apply a console action: recorded and folded like any event, then offered to the source
        when the platform allows it."""
        stamped = await self.bus.publish(action)
        if action.type in self.source.capabilities:
            try:
                await self.source.act(action)
            except Exception as exc:  # noqa: BLE001 - a platform refusal must not stop the console
                await self.bus.publish(
                    Malformed(raw=action.type, error=f"forwarding failed: {_one_line(exc)}")
                )
        return stamped

    async def wait_source_done(self) -> None:
        if self._pump_task is not None:
            await asyncio.shield(self._pump_task)

    async def close(self) -> None:
        """Stop the source, let the recorder and state drain, close the log. Idempotent."""
        if self._closing:
            return
        self._closing = True
        if self._pump_task is not None and not self._pump_task.done():
            self._pump_task.cancel()
            # A source that swallows the cancellation must not keep the console from closing.
            await asyncio.wait([self._pump_task], timeout=SOURCE_STOP_TIMEOUT_S)
        self.bus.close()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.recorder is not None:
            # Both lossless subscribers have drained: the state is the fold of exactly the events
            # the recorder wrote, so it can close the log with their totals (the summary line).
            await self.recorder.close(SessionTotals.of(self.state))

    async def __aenter__(self) -> SessionRuntime:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def _not_an_event(source: str, item: object) -> Malformed:
    """What a source yielded instead of an event, kept (cut) so nothing passes unseen."""
    try:
        raw = reprlib.repr(item)
    except Exception:  # noqa: BLE001 - a hostile __repr__ must not stop the pump either
        raw = f"<{type(item).__name__}>"
    return Malformed(
        raw=raw, error=f"source {source!r} yielded a {type(item).__name__}, not an event"
    )


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _jsonable(value: object) -> object:
    if value is None or isinstance(value, str | int | bool):
        return value
    if isinstance(value, float):
        return (
            value if value == value and value not in (float("inf"), float("-inf")) else str(value)
        )
    return str(value)
