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
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, Field

from ..events import Event
from .base import Source
from .connection import (
    Decoded,
    FeedProtocol,
    Link,
    ReconnectPolicy,
    WebsocketUrl,
    raw_text,
    silent_option,
    timeout_option,
)
from .irc import malformed_line, parse_line, twitch_events
from .options import SourceOptions

TWITCH_URL = "wss://irc-ws.chat.twitch.tv:443"
ANONYMOUS_NICK = "justinfan12345"
CAPABILITIES = "twitch.tv/tags twitch.tv/commands"
TWITCH_SILENT_S = 360.0
"""Twitch sends a PING about every five minutes even to a quiet channel: six minutes without any
line means the connection is dead."""
FATAL_NOTICES = frozenset({"msg_channel_suspended", "msg_channel_blocked", "msg_banned"})
"""Twitch's notices that mean the channel cannot be read (it does not exist, is suspended, ...)."""
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
            elif parsed.command == "NOTICE" and parsed.tags.get("msg-id") in FATAL_NOTICES:
                decoded.fail = f"Twitch #{self.channel}: {parsed.trailing or 'refused'}"
            else:
                decoded.events.extend(twitch_events(parsed))
        return decoded


def parse_channel(value: str) -> str:
    """A channel name: ``#Name`` and ``name`` both give ``name``."""
    channel = value.strip().lstrip("#").lower()
    if not _CHANNEL.match(channel):
        raise ValueError(f"not a Twitch channel name: {value!r}")
    return channel


class TwitchOptions(SourceOptions):
    channel: Annotated[str, AfterValidator(parse_channel)] = Field(
        description="the channel to read; a leading # and the case do not matter"
    )
    silent: float = silent_option(TWITCH_SILENT_S)
    timeout: float = timeout_option()
    url: WebsocketUrl = Field(
        TWITCH_URL, description="Twitch's chat server (change only for testing)"
    )


class TwitchSource(Source):
    name: ClassVar[str] = "twitch"
    description: ClassVar[str] = "a Twitch channel's chat, read anonymously (no account needed)"
    Options = TwitchOptions
    options: TwitchOptions

    def __init__(self, **values: Any) -> None:
        super().__init__(**values)
        self.channel = self.options.channel
        self.protocol = TwitchProtocol(self.channel)
        self.policy = ReconnectPolicy(open_timeout_s=self.options.timeout)
        self.link: Link | None = None

    def events(self) -> AsyncIterator[Event]:
        self.link = Link(
            self.options.url, self.protocol, silent_s=self.options.silent, policy=self.policy
        )
        return self.link.events()

    def describe(self) -> str:
        return self.protocol.label
