"""The `twitch` source against a loopback websocket server speaking Twitch's IRC lines: the
anonymous login, tags to roles, bits, CLEARCHAT and CLEARMSG, PING/PONG and RECONNECT."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from backstage_tui.events import Comment, Gift, PlatformModeration
from backstage_tui.sources import SourceError, load_source
from backstage_tui.sources.twitch import TwitchSource
from tests.helpers import FeedServer, SourceRun, reconnecting_fast, wait_for

LINES = (
    ":tmi.twitch.tv 001 justinfan12345 :Welcome, GLHF!",
    "@badges=broadcaster/1;display-name=Host;id=m1;user-id=1 :host!host@host.tmi.twitch.tv "
    "PRIVMSG #somechan :welcome in",
    "@badges=moderator/1,subscriber/6;display-name=Mo;id=m2;mod=1;subscriber=1;user-id=2 "
    ":mo!mo@mo.tmi.twitch.tv PRIVMSG #somechan :be nice",
    "@bits=250;display-name=Cy;id=m3;user-id=3 :cy!cy@cy.tmi.twitch.tv PRIVMSG #somechan :Cheer250",
    "@login=cy;target-msg-id=m3 :tmi.twitch.tv CLEARMSG #somechan :Cheer250",
    "@ban-duration=60;target-user-id=3 :tmi.twitch.tv CLEARCHAT #somechan :cy",
    ":tmi.twitch.tv CLEARCHAT #somechan",
    "PING :tmi.twitch.tv",
)


def twitch_source(url: str) -> TwitchSource:
    source = TwitchSource.from_strings({"channel": "#SomeChan", "url": url})
    assert isinstance(source, TwitchSource)
    return reconnecting_fast(source)


def test_the_source_is_registered_and_checks_the_channel() -> None:
    assert load_source("twitch") is TwitchSource
    with pytest.raises(SourceError, match="not a Twitch channel name"):
        TwitchSource.from_strings({"channel": "no spaces allowed"})
    with pytest.raises(SourceError, match="needs option channel"):
        TwitchSource.from_strings({})


async def test_a_channel_read_anonymously_with_roles_bits_and_moderation() -> None:
    async def twitch(ws: Any, n: int) -> None:
        # Two lines in one frame, as Twitch sends them, then one a frame.
        await ws.send("\r\n".join(LINES[:2]) + "\r\n")
        for line in LINES[2:]:
            await ws.send(line + "\r\n")
        await asyncio.Future()

    async with FeedServer(twitch) as server, SourceRun(twitch_source(server.url)) as run:
        await wait_for(None, lambda: "PONG :tmi.twitch.tv" in server.received,
                       description="the PONG")  # fmt: skip
        await wait_for(None, lambda: len(run.of_type("platform_moderation")) == 3,
                       description="the moderation notices")  # fmt: skip
        assert server.received[:4] == [
            "CAP REQ :twitch.tv/tags twitch.tv/commands",
            "PASS SCHMOOPIIE",
            "NICK justinfan12345",
            "JOIN #somechan",
        ]
    host, mod, cheer = run.of_type("comment")
    assert isinstance(host, Comment) and host.user.roles == ("host",) and host.platform == "twitch"
    assert set(mod.user.roles) == {"moderator", "subscriber"} and mod.text == "be nice"
    (bits,) = run.of_type("gift")
    assert isinstance(bits, Gift) and bits.repeat_count == 250 and bits.user.id == cheer.user.id
    deleted, timeout, cleared = run.of_type("platform_moderation")
    assert isinstance(deleted, PlatformModeration)
    assert (deleted.action, deleted.target) == ("delete", cheer.id)
    assert (timeout.action, timeout.duration_s, timeout.user.id) == ("timeout", 60, "3")
    assert cleared.action == "clear"
    assert not run.of_type("malformed")


async def test_twitch_asking_to_reconnect_is_obeyed_without_losing_messages() -> None:
    async def twitch(ws: Any, n: int) -> None:
        if n == 1:
            await ws.send("@id=a1;user-id=1 :ann!ann@ann PRIVMSG #somechan :before\r\n")
            await ws.send(":tmi.twitch.tv RECONNECT\r\n")
        else:
            await ws.send("@id=a2;user-id=1 :ann!ann@ann PRIVMSG #somechan :after\r\n")
        await asyncio.Future()

    async with FeedServer(twitch) as server, SourceRun(twitch_source(server.url)) as run:
        await wait_for(None, lambda: run.texts() == ["before", "after"],
                       description="a message on each connection")  # fmt: skip
        assert server.connections == 2
        assert "Twitch asked to reconnect" in run.details("reconnecting")[0]
        assert len(run.of_type("gap")) == 1


async def test_a_channel_that_does_not_exist_stops_the_source_with_twitchs_words() -> None:
    notice = (
        "@msg-id=msg_channel_suspended :tmi.twitch.tv NOTICE #somechan "
        ":This channel does not exist or has been suspended.\r\n"
    )

    async def twitch(ws: Any, n: int) -> None:
        await ws.send(notice)
        await asyncio.Future()

    async with FeedServer(twitch) as server, SourceRun(twitch_source(server.url)) as run:
        await wait_for(None, lambda: run.error is not None, description="the source to stop")
        assert isinstance(run.error, SourceError)
        assert (
            str(run.error) == "Twitch #somechan: This channel does not exist or has been suspended."
        )
        assert server.connections == 1
