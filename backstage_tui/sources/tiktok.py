"""`TikTokSource`: a TikTok LIVE, read through the `TikTokLive` library (the ``tiktok`` extra).

The library (AGPL-3.0 with extra permissions) is imported only when this source is used: the
registry imports this module only for ``--source tiktok``, and the module checks first that the
library is installed, so a missing extra becomes the registry's one-line message naming it. The
library's events are mapped by the pure `tiktok_mapping.map_event`.

The connection is TikTok's and can drop, be refused or be rate-limited by the signing service the
library uses; the source reconnects by itself with the network sources' backoff
(`connection.Backoff`: the library owns its websocket, so the shared `Link` cannot drive it), says
each time why and when it tries again, records a `gap` for the time it was away, and drops what
TikTok sends again on a connect.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
import os
import re
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, ClassVar, Protocol

from pydantic import Field, SecretStr, field_validator

from ..events import ActionEvent, Connection, Event, Gap, Say
from .base import Source, SourceError
from .connection import Backoff, ReconnectPolicy, clock_time, silent_option
from .options import SourceOptions
from .tiktok_mapping import (
    HANDLED_EVENTS,
    LIVENESS_EVENTS,
    Failure,
    SilentConnection,
    TikTokMapper,
    classify_failure,
)

LIBRARY = "TikTokLive"
if importlib.util.find_spec(LIBRARY) is None:
    # The registry turns this into "needs an optional extra: pip install 'backstage-tui[tiktok]'".
    raise ImportError(f"No module named {LIBRARY!r}", name=LIBRARY)

SIGN_API_KEY_ENV = "BACKSTAGE_TIKTOK_SIGN_API_KEY"
"""The environment variable that gives the signing service's key when no option does."""
SESSION_ID_ENV = "BACKSTAGE_TIKTOK_SESSION_ID"
"""The environment variable that gives the account's session id when no option does."""

DEFAULT_SILENT_S = 300.0
"""TikTok sends viewer counts and rankings every few seconds, even on a quiet LIVE: five minutes of
nothing means the connection is dead."""
OFFLINE_RETRY_S = 60.0
"""How often to look again whether a host who is not LIVE has started."""
STOP_TIMEOUT_S = 1.0
"""How long stopping the source waits for the library to close its connection."""

_HANDLE = re.compile(r"[A-Za-z0-9_.]{1,64}")


class TikTokOptions(SourceOptions):
    user: str = Field(description="the TikTok account whose LIVE to read, as @name")
    room_id: int | None = Field(
        None,
        gt=0,
        description="the LIVE's room id, for when TikTok's page cannot be read (skips that step)",
    )
    silent: float = silent_option(DEFAULT_SILENT_S)
    sign_api_key: SecretStr | None = Field(
        None,
        min_length=1,
        description=f"key for the signing service the library uses (default: ${SIGN_API_KEY_ENV}); "
        "never recorded or shown",
    )
    session_id: SecretStr | None = Field(
        None,
        min_length=1,
        description="the sessionid cookie of the account to send chat as (answers, the goodbye; "
        f"default: ${SESSION_ID_ENV}); with target_idc; never recorded or shown",
    )
    target_idc: str | None = Field(
        None,
        pattern=r"^[a-z0-9-]{1,32}$",
        description="the tt-target-idc cookie that goes with session_id (e.g. useast2a)",
    )

    @field_validator("user")
    @classmethod
    def _handle(cls, value: str) -> str:
        handle = value.strip().removeprefix("https://www.tiktok.com/").removesuffix("/live")
        handle = handle.removeprefix("@")
        if not _HANDLE.fullmatch(handle):
            raise ValueError("expected a TikTok @name (letters, digits, _ and .)")
        return handle


class LiveClient(Protocol):
    """What the source uses of the library's `TikTokLiveClient`: the boundary the tests mock."""

    def add_listener(self, event: Any, f: Callable[[Any], None]) -> Any: ...

    async def start(self, **options: Any) -> asyncio.Task[Any]: ...

    async def disconnect(self) -> None: ...

    async def close(self) -> None:
        """Free what the client holds (its HTTP connections); it is not used again."""

    async def send_chat(self, text: str, session_id: str, target_idc: str) -> None:
        """Post `text` in the LIVE's chat as the session's account; raises when TikTok refuses."""


ClientFactory = Callable[[str, str | None], LiveClient]
"""Makes a client for ``(user, sign_api_key)``; one per connection, as the library wants."""
EventClasses = Callable[[], list[Any]]
"""The library's event classes the source listens for."""


def library_client(user: str, sign_api_key: str | None) -> LiveClient:
    """A real `TikTokLiveClient`, its logger kept off the terminal (the screen is ours)."""
    from TikTokLive import TikTokLiveClient
    from TikTokLive.client.logger import TikTokLiveLogHandler

    kwargs: dict[str, Any] = {}
    if sign_api_key:
        kwargs["web_kwargs"] = {"signer_kwargs": {"sign_api_key": sign_api_key}}
    client = TikTokLiveClient(unique_id=user, **kwargs)
    logger = TikTokLiveLogHandler.get_logger()
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    logger.addHandler(logging.NullHandler())
    logger.propagate = False
    return _LibraryClient(client)


class _LibraryClient:
    """The library's client behind `LiveClient`. Its own ``close`` runs the event loop to its end
    (made for scripts), so closing here frees only its HTTP client."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def add_listener(self, event: Any, f: Callable[[Any], None]) -> Any:
        return self._client.add_listener(event, f)

    async def start(self, **options: Any) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = await self._client.start(**options)
        return task

    async def disconnect(self) -> None:
        await self._client.disconnect()

    async def close(self) -> None:
        await self._client.web.close()

    async def send_chat(self, text: str, session_id: str, target_idc: str) -> None:
        answer = await self._client.web.send_room_chat(
            content=text,
            room_id=self._client.room_id,
            session_id=session_id,
            tt_target_idc=target_idc,
        )
        if answer.get("code"):
            why = answer.get("message") or "no reason given"
            raise SourceError(f"TikTok did not post it: {why} (code {answer['code']})")


def library_event_classes() -> list[Any]:
    import TikTokLive.events as library_events

    return [getattr(library_events, name) for name in (*HANDLED_EVENTS, *LIVENESS_EVENTS)]


_END = object()


class TikTokSource(Source):
    name: ClassVar[str] = "tiktok"
    description: ClassVar[str] = "a TikTok LIVE, read through the TikTokLive library"
    Options = TikTokOptions
    options: TikTokOptions
    capabilities_with_options: ClassVar[Mapping[str, str]] = {"say": "session_id and target_idc"}

    def __init__(
        self,
        *,
        client_factory: ClientFactory | None = None,
        event_classes: EventClasses | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        clock: Callable[[], float] | None = None,
        **values: Any,
    ) -> None:
        super().__init__(**values)
        secret = self.options.sign_api_key
        # Kept apart from the options the log header records; `config` masks the option anyway.
        self._sign_api_key = (
            secret.get_secret_value() if secret else os.environ.get(SIGN_API_KEY_ENV) or None
        )
        session = self.options.session_id
        self._session_id = (
            session.get_secret_value() if session else os.environ.get(SESSION_ID_ENV) or None
        )
        if self._session_id and not self.options.target_idc:
            raise SourceError(
                "tiktok: session_id needs target_idc too (the tt-target-idc cookie, e.g. useast2a)"
            )
        if self._session_id:
            # With an account's session the library can post in the chat: answers and goodbyes
            # are forwarded rather than queued for the app.
            self.capabilities = frozenset({"say"})  # type: ignore[misc]
        self._client: LiveClient | None = None
        """The connected client, while there is one (what `act` sends through)."""
        self._client_factory = client_factory or library_client
        self._event_classes = event_classes or library_event_classes
        self._sleep = sleep or asyncio.sleep
        self._clock = clock or time.time
        self._policy = ReconnectPolicy()
        self._backoff = Backoff(self._policy)
        self.mapper = TikTokMapper()

    def describe(self) -> str:
        return f"tiktok @{self.options.user}"

    async def act(self, action: ActionEvent) -> bool:
        """Post a `Say` in the chat, when the options hold a session; nothing else is possible."""
        if not isinstance(action, Say) or "say" not in self.capabilities:
            return False
        client = self._client
        if client is None:
            raise SourceError("not connected to the LIVE at the moment")
        assert self._session_id is not None and self.options.target_idc is not None
        await client.send_chat(action.text, self._session_id, self.options.target_idc)
        return True

    async def events(self) -> AsyncIterator[Event]:
        user = self.options.user
        yield Connection(status="connecting", detail=f"@{user}")
        away_since: float | None = None
        away_why = ""
        while True:
            started = self._clock()
            ended = False
            failure: Failure | None = None
            try:
                # Closed with this generator, wherever it stops: the library's connection with it.
                async with contextlib.aclosing(self._connection()) as connection:
                    async for event in connection:
                        if isinstance(event, Connection):
                            if ended:
                                continue  # the library's disconnect after the end says nothing new
                            if event.status == "connected" and away_since is not None:
                                yield Gap(since=away_since, until=self._clock(), reason=away_why)
                                away_since = None
                            ended = event.status == "ended"
                        yield event
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - every failure is read and shown
                failure = classify_failure(exc, user, self._clock())
            if ended:
                return
            now = self._clock()
            if now - started >= self._policy.stable_s:
                self._backoff.reset()
            if failure is not None and failure.final:
                raise SourceError(failure.message)
            why = failure.message if failure is not None else "TikTok closed the connection"
            if away_since is None:
                away_since, away_why = now, why
            until = self._next_try(failure, now)
            yield Connection(status="reconnecting", detail=self._waiting(why, failure, until, now))
            await self._sleep(max(0.0, until - now))

    def _next_try(self, failure: Failure | None, now: float) -> float:
        if failure is not None and failure.retry_at is not None:
            return failure.retry_at
        if failure is not None and failure.kind == "offline":
            return now + OFFLINE_RETRY_S
        return now + self._backoff.next_delay()

    def _waiting(self, why: str, failure: Failure | None, until: float, now: float) -> str:
        """The reconnecting line: why, and when the next try is."""
        kind = failure.kind if failure is not None else "other"
        if kind == "rate_limited":
            return f"rate-limited until {clock_time(until)} · {why}"
        if kind == "offline":
            return f"at {clock_time(until)} · {why}"
        return f"in {max(1, round(until - now))} s · {why}"

    async def _next(self, queue: asyncio.Queue[object]) -> object:
        """The next item from the library, or `SilentConnection` after `silent` seconds of none."""
        silent = self.options.silent
        try:
            return await asyncio.wait_for(queue.get(), silent or None)
        except TimeoutError:
            raise SilentConnection(f"no message from TikTok for {silent:g} s") from None

    async def _connection(self) -> AsyncGenerator[Event, None]:
        """One connection: the library's events, mapped, until it closes. Raises the library's
        error when it cannot connect or the connection fails."""
        client = self._client_factory(self.options.user, self._sign_api_key)
        queue: asyncio.Queue[object] = asyncio.Queue()
        for cls in self._event_classes():
            client.add_listener(cls, queue.put_nowait)
        task: asyncio.Task[Any] | None = None
        try:
            task = await client.start(room_id=self.options.room_id, fetch_room_info=True)
            task.add_done_callback(lambda _: queue.put_nowait(_END))
            self._client = client
            while (item := await self._next(queue)) is not _END:
                for event in self.mapper.map(item):
                    yield event
            if not task.cancelled() and (error := task.exception()) is not None:
                raise error
        finally:
            self._client = None
            with contextlib.suppress(Exception, asyncio.TimeoutError):
                await asyncio.wait_for(_release(client, task), STOP_TIMEOUT_S)
            if task is not None:
                task.cancel()


async def _release(client: LiveClient, task: asyncio.Task[Any] | None) -> None:
    """Close a connection still open (the source was stopped), then free the client."""
    if task is not None and not task.done():
        await client.disconnect()
    await client.close()
