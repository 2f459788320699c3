"""The connection every network source shares: reconnecting, noticing silence, gaps, repeats.

A network source describes only what its feed says (a `FeedProtocol`: what to send once the link
is open, how to read a frame, what a close code means); `Link` does the rest, the same way for
every source:

- it reconnects by itself, with exponential backoff and full jitter (`Backoff`: a uniform pick
  between 0 and ``min(cap, initial * 2**n)``), starting the schedule again after a stable period,
  and waits at least as long as a server asks (an HTTP 429's ``Retry-After``, a rate-limit close);
- it notices a silent connection (no frame for `silent_s`) and reconnects;
- it publishes `Connection` events, so Status says what is going on: ``connecting``,
  ``connected``, ``reconnecting`` ("in 4 s · connection refused", "rate-limited until 15:04:05"),
  ``ended``;
- it records a `Gap` for the time it was away, once it is back;
- it drops events it has already passed on, by the platform's message id, across reconnects
  (feeds re-send recent messages when a client connects), in a bounded window (`RecentIds`);
- a frame it cannot read becomes a `Malformed` event with the raw data (cut), and reading goes on.

Why a loop of our own rather than the websockets client's reconnecting iterator
(``async for ws in websockets.connect(...)``): that iterator keeps its delays to itself, so Status
could not say when the next try is; it retries only when opening fails, on a schedule set through
process-wide environment variables, without full jitter; and it knows nothing of a server's
retry-after, of a silent connection, or of close codes that mean "stop" (the stream ended) or
"wait" (rate-limited). The delays come from tenacity's `wait_random_exponential`, a maintained
implementation of exactly the full-jitter formula, so only the loop around them is ours.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field
from tenacity import RetryCallState, Retrying, wait_random_exponential
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, InvalidURI, WebSocketException
from websockets.uri import parse_uri

from ..events import Connection, Event, Gap, Malformed, is_generated_id
from .base import SourceError
from .jsonl import MAX_RAW

DEDUPE_WINDOW = 20_000
"""How many recent message ids are remembered to drop repeats: several minutes of a busy live's
chat, far more than a feed re-sends on connecting."""
MAX_FRAME = 1 << 20
"""A frame larger than this (1 MiB) is recorded as `Malformed` (cut) rather than read."""
HARD_MAX_FRAME = 16 << 20
"""Beyond this (16 MiB) the websocket library closes the connection instead of buffering it."""
DEFAULT_SILENT_S = 300.0
DEFAULT_OPEN_TIMEOUT_S = 10.0
CLOSE_TIMEOUT_S = 1.0
"""How long closing waits for the server's answer; a silent server must not hold a reconnect."""
RATE_LIMIT_DEFAULT_S = 60.0
ABNORMAL_CLOSURE = 1006
"""The close code for a connection that ended without a closing handshake (dropped)."""
TRY_AGAIN_LATER = 1013
"""The websocket close code for "the server is overloaded, try again later" (RFC 6455 registry)."""
"""How long to wait when a server says "too many requests" without saying how long."""


# --- the delays ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReconnectPolicy:
    """How a link waits between tries."""

    initial_s: float = 1.0
    """The first retry waits up to this long; each failure in a row doubles the ceiling."""
    cap_s: float = 60.0
    """No wait is longer than this, unless a server asks for longer."""
    stable_s: float = 60.0
    """Connected for this long, the link is stable: the next failure starts the schedule again."""
    open_timeout_s: float = DEFAULT_OPEN_TIMEOUT_S
    """How long opening a connection (TCP, TLS, the websocket handshake) may take."""


class Backoff:
    """Exponential backoff with full jitter, from tenacity's `wait_random_exponential`."""

    def __init__(self, policy: ReconnectPolicy) -> None:
        self._wait = wait_random_exponential(multiplier=policy.initial_s, max=policy.cap_s)
        self._state = RetryCallState(Retrying(), None, (), {})
        self.failures = 0

    def next_delay(self) -> float:
        """The wait before the next try, counting one more failure in a row."""
        self.failures += 1
        self._state.attempt_number = self.failures
        return float(self._wait(self._state))

    def reset(self) -> None:
        self.failures = 0


# --- repeats ---------------------------------------------------------------------------------


class RecentIds:
    """The last `capacity` message ids seen, oldest dropped first: memory stays bounded however
    long the session."""

    def __init__(self, capacity: int = DEDUPE_WINDOW) -> None:
        self.capacity = capacity
        self._order: deque[str] = deque()
        self._known: set[str] = set()

    def seen(self, key: str) -> bool:
        """True when `key` is among the remembered ids; otherwise remember it and say False."""
        known = self._known
        if key in known:
            return True
        known.add(key)
        order = self._order
        order.append(key)
        if len(order) > self.capacity:
            known.discard(order.popleft())
        return False

    def __len__(self) -> int:
        return len(self._order)


# --- what a feed says ------------------------------------------------------------------------


@dataclass
class Decoded:
    """What one frame said."""

    events: list[Event] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    """Frames to send back at once (an IRC ``PONG``, a subscription request)."""
    reconnect: str = ""
    """Non-empty: the server asked the client to reconnect, for this reason."""
    fail: str = ""
    """Non-empty: the feed cannot work (a channel that does not exist); the source stops with it."""


@dataclass(frozen=True)
class Verdict:
    """What a close (or a refused handshake) means for the link."""

    action: Literal["retry", "end", "fail"]
    """``retry``: connect again after a wait; ``end``: the stream is over, the source ends;
    ``fail``: it cannot work (bad key, bad options), the source stops with `reason`."""
    reason: str
    wait_s: float = 0.0
    """Wait at least this long before the next try."""
    rate_limited: bool = False


class FeedProtocol(ABC):
    """One kind of feed, on top of a `Link`."""

    label: str = "feed"
    """What Status calls the other end, e.g. ``TikFinity`` once it is recognised."""

    def opening(self) -> Sequence[str]:
        """Frames to send as soon as the link is open (a login, a subscription)."""
        return ()

    @abstractmethod
    def read(self, frame: str | bytes) -> Decoded:
        """One frame in (its bytes, text frames undecoded), what it says out. Must not raise for
        bad input: return `Malformed`."""

    def closed(self, code: int | None, reason: str) -> Verdict:
        """What the server's close code means: 1013 ("try again later") waits as long as its
        reason says in seconds (else a minute); anything else, try again."""
        if code == TRY_AGAIN_LATER:
            wait = retry_after_s(reason.strip().split(" ", 1)[0], time.time())
            wait_s = RATE_LIMIT_DEFAULT_S if wait is None else wait
            return Verdict("retry", close_words(code, reason), wait_s=wait_s, rate_limited=True)
        return Verdict("retry", close_words(code, reason))


def close_words(code: int | None, reason: str) -> str:
    """A close in words: ``closed (1006)``, ``closed (4404: not live)``."""
    if code is None or code == ABNORMAL_CLOSURE:
        return "connection lost"
    return f"closed ({code}: {reason})" if reason else f"closed ({code})"


def cut(text: str, limit: int = MAX_RAW) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def raw_text(frame: str | bytes, limit: int = MAX_RAW) -> str:
    """A frame as text for a `Malformed` event, cut to `limit` characters."""
    if isinstance(frame, bytes | bytearray | memoryview):
        return bytes(frame[: limit * 4]).decode("utf-8", "replace")[:limit]
    return frame[:limit]


def clock_time(ts: float) -> str:
    """HH:MM:SS in local time, for "rate-limited until ..."."""
    return datetime.fromtimestamp(ts).strftime("%H:%M:%S")


def retry_after_s(value: str | None, now: float) -> float | None:
    """An HTTP ``Retry-After`` value (seconds, or a date) as seconds from `now`."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


_SECRET_PARAM = re.compile(r"(?i)([?&][^=&#]*(?:key|token|secret|pass|jwt|auth)[^=&#]*=)[^&#]*")


def redact_url(url: str) -> str:
    """`url` with the values of key-like query parameters (``apiKey=``, ``token=``, ``jwtKey=``)
    replaced by ``***``: what is shown on screen and written to the session log."""
    return _SECRET_PARAM.sub(r"\1***", url)


def websocket_url(url: str) -> str:
    """`url` when it is a ws:// or wss:// address; else `ValueError` (an option validator)."""
    try:
        parse_uri(url)
    except InvalidURI:
        raise ValueError("not a websocket address (ws://host:port/... or wss://...)") from None
    return url


WebsocketUrl = Annotated[str, AfterValidator(websocket_url)]
"""An option holding a websocket address."""


def silent_option(default: float) -> Any:
    """The ``silent=`` option of a network source, with its default."""
    return Field(
        default,
        ge=0,
        allow_inf_nan=False,
        description="seconds without a frame after which the link counts as dead and "
        "reconnects (0: never)",
    )


def timeout_option() -> Any:
    """The ``timeout=`` option of a network source."""
    return Field(
        DEFAULT_OPEN_TIMEOUT_S,
        gt=0,
        allow_inf_nan=False,
        description="seconds a connection may take to open",
    )


# --- the link --------------------------------------------------------------------------------


@dataclass
class LinkCounters:
    """What a link has done so far (tests and diagnostics read it)."""

    connects: int = 0
    duplicates: int = 0
    malformed: int = 0
    frames: int = 0


class Link:
    """A websocket that stays up: `events()` runs until the stream ends or the source is stopped."""

    def __init__(
        self,
        url: str,
        protocol: FeedProtocol,
        *,
        silent_s: float = DEFAULT_SILENT_S,
        policy: ReconnectPolicy | None = None,
        recent: RecentIds | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self.protocol = protocol
        self.silent_s = silent_s
        """No frame for this long: the connection is dead, reconnect. 0 or less: never."""
        self.policy = policy or ReconnectPolicy()
        self.recent = recent or RecentIds()
        self.clock = clock
        self.counters = LinkCounters()
        self.backoff = Backoff(self.policy)
        """The delays; its `failures` count the tries that failed in a row."""
        self.alive_at = 0.0
        """When the link was last known to be alive (a frame came, or it opened or closed)."""
        self._verdict = Verdict("retry", "the connection ended")

    async def events(self) -> AsyncIterator[Event]:
        """The feed's events, with the link's own `Connection` and `Gap` events among them; ends
        after a close that means the stream is over, raises `SourceError` after one that means it
        cannot work."""
        backoff = self.backoff
        away_since: float | None = None
        away_reason = ""
        yield Connection(status="connecting", detail=redact_url(self.url))
        while True:
            opened_at: float | None = None
            try:
                async with connect(
                    self.url,
                    open_timeout=self.policy.open_timeout_s,
                    close_timeout=CLOSE_TIMEOUT_S,
                    max_size=HARD_MAX_FRAME,
                ) as ws:
                    opened_at = self.alive_at = self.clock()
                    self.counters.connects += 1
                    for frame in self.protocol.opening():
                        await ws.send(frame)
                    yield Connection(status="connected", detail=self.protocol.label)
                    if away_since is not None:
                        yield Gap(since=away_since, until=opened_at, reason=away_reason)
                        away_since = None
                    async with contextlib.aclosing(self._read(ws)) as frames:
                        async for event in frames:
                            yield event
                    verdict = self._verdict
            except InvalidStatus as exc:
                verdict = self._refused(exc)
            except (OSError, TimeoutError, WebSocketException) as exc:
                verdict = Verdict("retry", _failure_words(exc))
            now = self.clock()
            if opened_at is not None:
                if now - opened_at >= self.policy.stable_s:
                    backoff.reset()
                if away_since is None:
                    away_since = self.alive_at
                    away_reason = verdict.reason
            if verdict.action == "end":
                yield Connection(status="ended", detail=verdict.reason)
                return
            if verdict.action == "fail":
                raise SourceError(verdict.reason)
            delay = max(backoff.next_delay(), verdict.wait_s)
            if verdict.rate_limited:
                detail = f"rate-limited until {clock_time(now + delay)} · {verdict.reason}"
            else:
                detail = f"in {_seconds(delay)} · {verdict.reason}"
            yield Connection(status="reconnecting", detail=cut(detail, 300))
            await asyncio.sleep(delay)

    async def _read(self, ws: ClientConnection) -> AsyncGenerator[Event, None]:
        """The events of each frame until the connection ends; then `_verdict` says why, and
        `alive_at` is when the link was last known to be alive."""
        protocol = self.protocol
        recent = self.recent
        counters = self.counters
        clock = self.clock
        loop = asyncio.get_running_loop()
        watchdog = _Watchdog(loop, ws, self.silent_s) if self.silent_s > 0 else None
        try:
            while True:
                try:
                    # Undecoded: a protocol reads bytes (orjson parses them directly, and a stray
                    # invalid byte costs one character, where a strict decode drops the link).
                    frame = await ws.recv(decode=False)
                except ConnectionClosed:
                    if watchdog is not None and watchdog.fired:
                        # Silent since the last frame: that is when it was last alive.
                        self._verdict = Verdict("retry", f"no frame for {self.silent_s:g} s")
                        return
                    self.alive_at = clock()
                    # The sans-I/O protocol's view, there since websockets 13 (the connection's
                    # own close_code came later).
                    state = ws.protocol
                    self._verdict = protocol.closed(state.close_code, state.close_reason or "")
                    return
                self.alive_at = clock()
                counters.frames += 1
                if watchdog is not None:
                    watchdog.last = loop.time()
                if len(frame) > MAX_FRAME:
                    counters.malformed += 1
                    size = f"a frame of {len(frame):,} bytes, over {MAX_FRAME >> 20} MiB: not read"
                    yield Malformed(raw=raw_text(frame), error=size)
                    continue
                try:
                    decoded = protocol.read(frame)
                except Exception as exc:  # noqa: BLE001 - hostile input must not stop the source
                    counters.malformed += 1
                    yield Malformed(raw=raw_text(frame), error=cut(f"unreadable: {exc!r}", 200))
                    continue
                for reply in decoded.replies:
                    await ws.send(reply)
                for event in decoded.events:
                    if not is_generated_id(event.id) and recent.seen(event.id):
                        counters.duplicates += 1
                        continue
                    if event.type == "malformed":
                        counters.malformed += 1
                    yield event
                if decoded.fail:
                    self._verdict = Verdict("fail", decoded.fail)
                    return
                if decoded.reconnect:
                    self._verdict = Verdict("retry", decoded.reconnect)
                    return
        finally:
            if watchdog is not None:
                watchdog.stop()

    def _refused(self, exc: InvalidStatus) -> Verdict:
        status = exc.response.status_code
        reason = f"the server refused the connection: HTTP {status}"
        if status in (429, 503):
            header = exc.response.headers.get("Retry-After")
            wait = retry_after_s(header, self.clock())
            if status == 429 or wait is not None:
                return Verdict(
                    "retry", reason, wait_s=RATE_LIMIT_DEFAULT_S if wait is None else wait,
                    rate_limited=True,
                )  # fmt: skip
        if status in (401, 403):
            return Verdict("fail", f"{reason} (check the key or token in the url)")
        return Verdict("retry", reason)


class _Watchdog:
    """Aborts the connection when no frame came for `silent_s`. One timer per silent period, not
    one per frame: a frame only writes the time it came (`last`)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, ws: ClientConnection, silent_s: float):
        self.loop = loop
        self.ws = ws
        self.silent_s = silent_s
        self.last = loop.time()
        self.fired = False
        self._handle = loop.call_at(self.last + silent_s, self._check)

    def _check(self) -> None:
        due = self.last + self.silent_s
        if self.loop.time() < due:
            self._handle = self.loop.call_at(due, self._check)
            return
        self.fired = True
        # Abort rather than close: a silent server would not answer the closing handshake.
        with contextlib.suppress(Exception):
            self.ws.transport.abort()

    def stop(self) -> None:
        self._handle.cancel()


def _seconds(delay: float) -> str:
    return f"{delay:.1f} s" if delay < 10 else f"{delay:.0f} s"


def _failure_words(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return "no answer (timed out)"
    text = str(exc).strip().splitlines()
    words = text[0] if text else type(exc).__name__
    return cut(words, 200)
