"""`TwitchSource`: a Twitch channel's chat, read anonymously over IRC-over-websocket.

No account or token: Twitch lets anyone read a channel's chat as ``justinfan<digits>``. The source
asks for the IRCv3 tags (badges, ids, bits) and Twitch's own commands (``CLEARCHAT``, ``CLEARMSG``,
``USERNOTICE``), joins the channel, answers ``PING`` with ``PONG``, and reconnects when Twitch
says ``RECONNECT``. The connection itself (backoff, silence, gaps, repeats) is the shared `Link`; the
lines are read by the pure functions of `irc`.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from typing import Any, ClassVar

from ..events import Event
from .base import Source, SourceError, SourceOption, parse_positive_float, parse_seconds
from .connection import (
    DEFAULT_OPEN_TIMEOUT_S,
    Decoded,
    FeedProtocol,
    Link,
    ReconnectPolicy,
    check_url,
    raw_text,
)
from .irc import malformed_line, parse_line, twitch_events

TWITCH_URL = "wss://irc-ws.chat.twitch.tv:443"
ANONYMOUS_NICK = "justinfan12345"
CAPABILITIES = "twitch.tv/tags twitch.tv/commands"
TWITCH_SILENT_S = 360.0
"""Twitch sends a PING about every five minutes even to a quiet channel: six minutes without any
line means the connection is dead."""
_CHANNEL = re.compile(r"^[a-z0-9_]{1,25}$")


class TwitchProtocol(FeedProtocol):
    """Twitch's IRC: log in anonymously, join one channel, read its lines."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.label = f"Twitch #{channel}"

    def opening(self) -> Sequence[str]:
        return (
            f"CAP REQ :{CAPABILITIES}",
            "PASS SCHMOOPIIE",
            f"NICK {ANONYMOUS_NICK}",
            f"JOIN #{self.channel}",
        )

    def read(self, frame: str | bytes) -> Decoded:
        text = frame if isinstance(frame, str) else raw_text(frame, len(frame))
        decoded = Decoded()
        # One frame may hold several lines, each ended by CR LF.
        for line in text.split("\r\n"):
            if not line:
                continue
            try:
                parsed = parse_line(line)
            except ValueError as exc:
                decoded.events.append(malformed_line(line, str(exc)))
                continue
            if parsed.command == "PING":
                decoded.replies.append(f"PONG :{parsed.trailing or 'tmi.twitch.tv'}")
            elif parsed.command == "RECONNECT":
                decoded.reconnect = "Twitch asked to reconnect"
            else:
                decoded.events.extend(twitch_events(parsed))
        return decoded


def parse_channel(value: str) -> str:
    """A channel name: ``#Name`` and ``name`` both give ``name``."""
    channel = value.strip().lstrip("#").lower()
    if not _CHANNEL.match(channel):
        raise ValueError(f"not a Twitch channel name: {value!r}")
    return channel


class TwitchSource(Source):
    name: ClassVar[str] = "twitch"
    description: ClassVar[str] = "a Twitch channel's chat, read anonymously (no account needed)"
    options: ClassVar[tuple[SourceOption, ...]] = (
        SourceOption("channel", "the channel to read, e.g. channel=somestreamer", parse_channel,
                     required=True),
        SourceOption("silent", "seconds without a line after which the link counts as dead and "
                     "reconnects (0: never)", parse_seconds, TWITCH_SILENT_S),
        SourceOption("timeout", "seconds a connection may take to open", parse_positive_float,
                     DEFAULT_OPEN_TIMEOUT_S),
        SourceOption("url", "Twitch's chat server (change only for testing)", str, TWITCH_URL),
    )  # fmt: skip

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        channel = self.config.get("channel")
        if not channel:
            raise SourceError("source 'twitch' needs option channel=... (the channel to read)")
        self.channel = parse_channel(str(channel))
        self.url = check_url(str(self.config["url"]), self.name)
        self.protocol = TwitchProtocol(self.channel)
        self.policy = ReconnectPolicy(open_timeout_s=float(self.config["timeout"]))
        self.link: Link | None = None

    def events(self) -> AsyncIterator[Event]:
        self.link = Link(
            self.url, self.protocol, silent_s=float(self.config["silent"]), policy=self.policy
        )
        return self.link.events()

    def describe(self) -> str:
        return self.protocol.label
