"""`WebsocketSource`: the websocket feeds TikTok streamers already run (TikFinity, Euler Stream,
Social Stream Ninja, Streamer.bot), each frame recognised by its shape.

The connection (reconnects, silence, gaps, repeats) is the shared `Link`; this module says what a
frame means (`EnvelopeProtocol`, through the pure mappers of `envelopes`) and what Euler Stream's
close codes mean (`EULER_CLOSES`). A frame that is not JSON, or of a shape no known feed sends,
becomes a `Malformed` event with its raw text, and reading goes on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any, ClassVar

import orjson
from pydantic import Field

from ..events import Event, Malformed
from .base import Source
from .connection import (
    DEFAULT_SILENT_S,
    RATE_LIMIT_DEFAULT_S,
    Decoded,
    FeedProtocol,
    Link,
    ReconnectPolicy,
    Verdict,
    WebsocketUrl,
    raw_text,
    redact_url,
    silent_option,
    timeout_option,
)
from .envelopes import LABELS, Envelope, from_envelope, sniff, streamerbot_subscription
from .options import SourceOptions

NOT_LIVE_WAIT_S = 60.0
"""How long to wait before asking again when Euler Stream says the creator is not live."""

EULER_CLOSES: dict[int, Verdict] = {
    4005: Verdict("end", "the LIVE ended"),
    4404: Verdict("retry", "the creator is not live", wait_s=NOT_LIVE_WAIT_S),
    4429: Verdict("retry", "too many connections for this key", wait_s=RATE_LIMIT_DEFAULT_S,
                  rate_limited=True),
    4400: Verdict("fail", "Euler Stream refused the options: check uniqueId= in the url"),
    4401: Verdict("fail", "Euler Stream refused the key: check apiKey= (or jwtKey=) in the url"),
    4403: Verdict("fail", "Euler Stream: this key has no access to that creator"),
}  # fmt: skip
"""Euler Stream's close codes that say more than "try again"; any other close is retried."""

UNKNOWN_SHAPE = (
    "not a shape this source knows (TikFinity, Euler Stream, Social Stream Ninja, Streamer.bot)"
)


class EnvelopeProtocol(FeedProtocol):
    """Reads each frame as JSON and maps it by its envelope; answers Streamer.bot's greeting with
    the subscription it needs before it sends anything."""

    def __init__(self) -> None:
        self.label = "websocket"
        self.envelope: Envelope | None = None
        """The last recognised feed."""
        self._subscribed = False

    def opening(self) -> Sequence[str]:
        self._subscribed = False
        return ()

    def read(self, frame: str | bytes) -> Decoded:
        try:
            data: Any = orjson.loads(frame)
        except orjson.JSONDecodeError:
            data = _lenient_json(frame)
            if data is None:
                return Decoded([Malformed(raw=raw_text(frame), error="not JSON")])
        kind = sniff(data)
        if kind is None:
            return Decoded([Malformed(raw=raw_text(frame), error=UNKNOWN_SHAPE)])
        if kind != self.envelope:
            self.envelope = kind
            self.label = LABELS[kind]
        decoded = Decoded(from_envelope(kind, data))
        if kind == "streamerbot_control" and not self._subscribed:
            self._subscribed = True
            decoded.replies.append(orjson.dumps(streamerbot_subscription()).decode())
            if isinstance(data.get("authentication"), dict):
                decoded.events.append(
                    Malformed(
                        raw=raw_text(frame),
                        error="Streamer.bot asks for a password, which this source does not "
                        "send: turn off authentication for its websocket server",
                    )
                )
        return decoded

    def closed(self, code: int | None, reason: str) -> Verdict:
        known = EULER_CLOSES.get(code) if code is not None else None
        if known is None:
            return super().closed(code, reason)
        detail = f"{known.reason} ({code}{': ' + reason if reason else ''})"
        return Verdict(known.action, detail, wait_s=known.wait_s, rate_limited=known.rate_limited)


def _lenient_json(frame: str | bytes) -> Any:
    """A frame with stray bytes decoded leniently, so one bad byte in a name keeps the rest."""
    if not isinstance(frame, bytes):
        return None
    try:
        return orjson.loads(frame.decode("utf-8", "replace"))
    except orjson.JSONDecodeError:
        return None


class WebsocketOptions(SourceOptions):
    url: WebsocketUrl = Field(description="the feed's address: ws://host:port/... or wss://...")
    silent: float = silent_option(DEFAULT_SILENT_S)
    timeout: float = timeout_option()


class WebsocketSource(Source):
    name: ClassVar[str] = "websocket"
    description: ClassVar[str] = (
        "a websocket feed: TikFinity, Euler Stream, Social Stream Ninja or Streamer.bot"
    )
    Options = WebsocketOptions
    options: WebsocketOptions

    def __init__(self, **values: Any) -> None:
        super().__init__(**values)
        self.url = self.options.url
        self.protocol = EnvelopeProtocol()
        self.policy = ReconnectPolicy(open_timeout_s=self.options.timeout)
        self.link: Link | None = None

    @property
    def config(self) -> dict[str, object]:
        # The url may carry a key (Euler Stream's apiKey=): the log and the screen get it hidden.
        return {**super().config, "url": redact_url(self.url)}

    def events(self) -> AsyncIterator[Event]:
        self.link = Link(self.url, self.protocol, silent_s=self.options.silent, policy=self.policy)
        return self.link.events()

    def describe(self) -> str:
        return f"{self.protocol.label} · {redact_url(self.url)}"
