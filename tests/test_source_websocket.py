"""The `websocket` source against real websocket servers on 127.0.0.1, one per feed it recognises:
TikFinity, Euler Stream (and its close codes), Social Stream Ninja, Streamer.bot (which sends
nothing until the client subscribes)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from backstage_tui.sources import SourceError, load_source
from backstage_tui.sources.websocket import WebsocketSource
from tests.helpers import FeedServer, SourceRun, reconnecting_fast, tikfinity_chat, wait_for


def websocket_source(url: str, **options: Any) -> WebsocketSource:
    source = WebsocketSource(url=url, **options)
    return reconnecting_fast(source)


def sending(*frames: str, close: tuple[int, str] | None = None) -> Any:
    """A handler that sends `frames` on every connection, then closes with `close` or stays."""

    async def handler(ws: Any, n: int) -> None:
        for frame in frames:
            await ws.send(frame)
        if close is not None:
            await ws.close(*close)
        else:
            await asyncio.Future()

    return handler


def test_the_source_is_registered_and_checks_its_url() -> None:
    assert load_source("websocket") is WebsocketSource
    with pytest.raises(SourceError, match="not a websocket address"):
        WebsocketSource.from_strings({"url": "http://example.com"})
    with pytest.raises(SourceError, match="needs option url"):
        WebsocketSource.from_strings({})
    source = WebsocketSource.from_strings({"url": "wss://x.example/?apiKey=hunter2", "silent": "0"})
    assert "hunter2" not in source.describe() and "hunter2" not in str(source.config)
    assert source.config["silent"] == 0


async def test_tikfinity_feed_end_to_end() -> None:
    gift = json.dumps({"event": "gift", "data": {"uniqueId": "gi", "userId": "2", "giftName": "Rose",
                       "giftType": 1, "repeatCount": 3, "repeatEnd": True, "msgId": "g1"}})  # fmt: skip
    async with FeedServer(sending(tikfinity_chat(1, "hello from TikFinity"), gift)) as server:
        source = websocket_source(server.url)
        async with SourceRun(source) as run:
            await wait_for(None, lambda: run.of_type("gift"), description="the gift")
            assert run.texts() == ["hello from TikFinity"]
            assert [e.status for e in run.of_type("connection")] == ["connecting", "connected"]
            assert source.describe().startswith("TikFinity")


async def test_euler_stream_feed_and_its_stream_end_close() -> None:
    frame = json.dumps({"messages": [
        {"type": "WebcastChatMessage", "data": {"common": {"msgId": "e1"},
         "user": {"userId": "1", "uniqueId": "eu"}, "comment": "hello from Euler"}},
        {"type": "WebcastMemberMessage", "data": {"user": {"userId": "2", "uniqueId": "jo"}}},
    ]})  # fmt: skip
    async with (
        FeedServer(sending(frame, close=(4005, "stream end"))) as server,
        SourceRun(websocket_source(server.url)) as run,
    ):
        await wait_for(None, lambda: run.finished, description="the source to end")
        assert run.error is None and run.texts() == ["hello from Euler"]
        assert [e.type for e in run.events][-1] == "connection"
        assert run.events[-1].status == "ended" and "LIVE ended" in run.events[-1].detail
        assert server.connections == 1


@pytest.mark.parametrize(
    ("code", "words"),
    [(4404, "in 60 s · the creator is not live"), (4429, "rate-limited until ")],
)
async def test_euler_stream_not_live_and_rate_limited_wait_before_trying_again(
    code: int, words: str
) -> None:
    async with (
        FeedServer(sending(close=(code, ""))) as server,
        SourceRun(websocket_source(server.url)) as run,
    ):
        await wait_for(None, lambda: run.details("reconnecting"), description="the wait")
        assert words in run.details("reconnecting")[0]
        assert server.connections == 1


async def test_euler_stream_bad_key_stops_the_source() -> None:
    async with (
        FeedServer(sending(close=(4401, "invalid auth"))) as server,
        SourceRun(websocket_source(server.url)) as run,
    ):
        await wait_for(None, lambda: run.error is not None, description="the failure")
        assert isinstance(run.error, SourceError) and "apiKey" in str(run.error)


async def test_social_stream_ninja_feed() -> None:
    frame = json.dumps({"chatname": "Steve", "chatmessage": "hello from SSN", "type": "youtube"})
    async with FeedServer(sending(frame)) as server, SourceRun(websocket_source(server.url)) as run:
        await wait_for(None, run.texts, description="the comment")
        (comment,) = run.of_type("comment")
        assert comment.platform == "youtube" and comment.text == "hello from SSN"


async def test_streamerbot_is_subscribed_after_its_greeting_then_sends_chat() -> None:
    async def streamerbot(ws: Any, n: int) -> None:
        await ws.send(json.dumps({"request": "Hello", "info": {"name": "Streamer.bot"}}))
        request = json.loads(await server.inbox.get())
        assert request["request"] == "Subscribe" and "ChatMessage" in request["events"]["Twitch"]
        await ws.send(json.dumps({"status": "ok", "id": request["id"]}))
        await ws.send(json.dumps({
            "event": {"source": "Twitch", "type": "ChatMessage"},
            "data": {"message": {"msgId": "s1", "userId": "1", "username": "tw",
                                 "displayName": "Tw", "role": 4, "message": "hello from SB"}},
        }))  # fmt: skip
        await asyncio.Future()

    async with FeedServer(streamerbot) as server:
        source = websocket_source(server.url)
        async with SourceRun(source) as run:
            await wait_for(None, run.texts, description="the chat after subscribing")
            (comment,) = run.of_type("comment")
            assert comment.platform == "twitch" and comment.user.roles == ("host",)
            assert not run.of_type("malformed")
            assert source.describe().startswith("Streamer.bot")


async def test_streamerbot_asking_for_a_password_is_said_plainly() -> None:
    hello = json.dumps({"request": "Hello", "info": {"name": "Streamer.bot"},
                        "authentication": {"challenge": "c", "salt": "s"}})  # fmt: skip
    async with FeedServer(sending(hello)) as server, SourceRun(websocket_source(server.url)) as run:
        await wait_for(None, lambda: run.of_type("malformed"), description="the explanation")
        (malformed,) = run.of_type("malformed")
        assert "turn off authentication" in malformed.error


async def test_a_text_frame_with_a_bad_byte_keeps_its_event_and_the_link() -> None:
    """Frames are read as bytes and parsed leniently: one invalid UTF-8 byte in a name costs that
    character, not the event, and the connection stays up (a strict decode would close it, 1007)."""
    bad = tikfinity_chat(1, "after the bad byte").encode()
    bad = bad.replace(b'"uniqueId": "', b'"uniqueId": "\xff', 1)
    assert b"\xff" in bad

    async def handler(ws: Any, n: int) -> None:
        await ws.send(bad, text=True)
        await ws.send(tikfinity_chat(2, "still connected"))
        await asyncio.Future()

    async with FeedServer(handler) as server, SourceRun(websocket_source(server.url)) as run:
        await wait_for(None, lambda: len(run.texts()) == 2, description="both messages")
        assert run.texts() == ["after the bad byte", "still connected"]
        assert "\ufffd" in run.of_type("comment")[0].user.handle
        assert server.connections == 1 and not run.of_type("malformed")
