"""The shared connection of the network sources, against real websocket servers on 127.0.0.1:
reconnecting after a drop (with a gap, and without the re-sent messages), a silent server, garbage
and oversized frames, a server that refuses or never answers, a server's retry-after."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from websockets.datastructures import Headers
from websockets.http11 import Response

from backstage_tui.events import Comment, Gap
from backstage_tui.runtime import SessionRuntime
from backstage_tui.session import SessionReader
from backstage_tui.sources.connection import (
    MAX_FRAME,
    Backoff,
    RecentIds,
    ReconnectPolicy,
    redact_url,
    retry_after_s,
)
from backstage_tui.sources.websocket import WebsocketSource
from tests.helpers import (
    FeedServer,
    SourceRun,
    is_one_readable_line,
    reconnecting_fast,
    tikfinity_chat,
    wait_for,
)


def websocket_source(url: str, **options: Any) -> WebsocketSource:
    return reconnecting_fast(WebsocketSource(url=url, **options))


async def forever(ws: Any, n: int) -> None:
    await asyncio.Future()


# --- the pieces ------------------------------------------------------------------------------


def test_recent_ids_remember_a_bounded_window() -> None:
    recent = RecentIds(capacity=3)
    assert [recent.seen(k) for k in ("a", "b", "a", "c", "d")] == [False, False, True, False, False]
    assert len(recent) == 3
    assert recent.seen("a") is False  # pushed out by b, c, d: the window never grows
    assert len(recent) == 3


def test_backoff_is_full_jitter_under_a_doubling_ceiling_and_starts_again_on_reset() -> None:
    backoff = Backoff(ReconnectPolicy(initial_s=1.0, cap_s=8.0))
    for failure in range(1, 40):
        delay = backoff.next_delay()
        assert 0 <= delay <= min(8.0, 2 ** (failure - 1))
    assert backoff.failures == 39
    backoff.reset()
    assert backoff.next_delay() <= 1.0 and backoff.failures == 1


def test_retry_after_reads_seconds_and_dates() -> None:
    assert retry_after_s("30", now=0) == 30
    assert retry_after_s("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10
    assert retry_after_s("soon", now=0) is None and retry_after_s(None, now=0) is None


def test_keys_in_a_url_are_hidden() -> None:
    url = "wss://ws.eulerstream.com?uniqueId=ana&apiKey=SECRET1&jwtKey=SECRET2&x=1"
    shown = redact_url(url)
    assert "SECRET" not in shown and "uniqueId=ana" in shown and "x=1" in shown


# --- against real servers ----------------------------------------------------------------------


async def test_a_dropped_connection_reconnects_records_the_gap_and_drops_resent_messages(
    tmp_path: Path,
) -> None:
    async def handler(ws: Any, n: int) -> None:
        if n == 1:
            for i in (1, 2, 3):
                await ws.send(tikfinity_chat(i, f"first {i}"))
            await asyncio.sleep(0.05)
            ws.transport.abort()  # dropped: no closing handshake
            return
        # A feed re-sends its recent messages to a client that connects: 2 and 3 again.
        for i in (2, 3, 4):
            await ws.send(tikfinity_chat(i, f"first {i}" if i < 4 else "after the drop"))
        await asyncio.Future()

    async with FeedServer(handler) as server:
        source = websocket_source(server.url)
        runtime = SessionRuntime(source, sessions_dir=tmp_path)
        async with runtime:
            await wait_for(None, lambda: runtime.state.stats.comments >= 4 and
                           runtime.state.stats.gaps == 1, description="four comments and a gap")  # fmt: skip
            status = runtime.status()
            assert status.link == "connected"
            assert source.link is not None and source.link.counters.duplicates == 2
        assert server.connections == 2
    assert runtime.log_path is not None
    events = SessionReader(runtime.log_path).events()
    comments = [e for e in events if isinstance(e, Comment)]
    assert [c.id for c in comments] == ["m1", "m2", "m3", "m4"]
    (gap,) = [e for e in events if isinstance(e, Gap)]
    assert gap.since <= gap.until and gap.until <= comments[-1].ts
    statuses = [e.status for e in events if e.type == "connection"]
    assert statuses == ["connecting", "connected", "reconnecting", "connected"]
    reconnecting = next(e for e in events if e.type == "connection" and e.status == "reconnecting")
    assert reconnecting.detail.startswith("in ") and is_one_readable_line(reconnecting.detail)


async def test_a_silent_server_is_noticed_and_left() -> None:
    async def handler(ws: Any, n: int) -> None:
        await ws.send(tikfinity_chat(n, f"hello {n}"))
        await asyncio.Future()  # then nothing, though the connection stays open

    async with (
        FeedServer(handler) as server,
        SourceRun(websocket_source(server.url, silent=0.3)) as run,
    ):
        await wait_for(None, lambda: len(run.texts()) >= 2, description="a second connection")
        assert server.connections >= 2
        assert any("no frame for 0.3 s" in d for d in run.details("reconnecting"))
        gap = run.of_type("gap")[0]
        assert "no frame" in gap.reason and gap.until - gap.since >= 0.3


async def test_garbage_and_oversized_frames_are_malformed_and_reading_goes_on() -> None:
    garbage: list[str | bytes] = [
        "not json {",
        b"\xff\xfe\x00 bytes",
        "[1, 2, 3]",
        '{"foo": 1}',
        "x" * (MAX_FRAME + 10),
        '{"event": "chat", "data": {"comment": "no user, still a comment"}}',
    ]

    async def handler(ws: Any, n: int) -> None:
        for frame in garbage:
            await ws.send(frame)
        await ws.send(tikfinity_chat(1, "still here"))
        await asyncio.Future()

    async with FeedServer(handler) as server:
        source = websocket_source(server.url)
        async with SourceRun(source) as run:
            await wait_for(None, lambda: "still here" in run.texts(), description="the good frame")
            malformed = run.of_type("malformed")
            assert len(malformed) == 5
            errors = [m.error for m in malformed]
            assert errors[0] == "not JSON" and "over 1 MiB" in errors[4]
            assert all(len(m.raw) <= 2000 for m in malformed)
            assert source.link is not None and source.link.counters.connects == 1


async def test_a_refused_connection_says_so_and_keeps_trying() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with SourceRun(websocket_source(f"ws://127.0.0.1:{port}/")) as run:
        await wait_for(None, lambda: len(run.details("reconnecting")) >= 2,
                       description="two tries, each saying when the next is")  # fmt: skip
        assert all("connection refused" in d for d in run.details("reconnecting"))
        assert run.error is None and not run.finished


async def test_a_server_that_never_answers_the_handshake_times_out_and_is_tried_again() -> None:
    accepted: list[Any] = []

    async def mute(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)  # accepts the TCP connection, says nothing

    server = await asyncio.start_server(mute, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with SourceRun(websocket_source(f"ws://127.0.0.1:{port}/", timeout=0.2)) as run:
            await wait_for(None, lambda: len(run.details("reconnecting")) >= 2,
                           description="two timed-out tries")  # fmt: skip
            assert "timed out" in run.details("reconnecting")[0]
            assert len(accepted) >= 2
    finally:
        for writer in accepted:
            writer.close()
        server.close()
        with contextlib.suppress(Exception):
            await server.wait_closed()


async def test_a_servers_retry_after_is_honoured_as_rate_limited_until() -> None:
    def too_many(connection: Any, request: Any) -> Response:
        return Response(429, "Too Many Requests", Headers({"Retry-After": "120"}), b"")

    async with (
        FeedServer(forever, process_request=too_many) as server,
        SourceRun(websocket_source(server.url)) as run,
    ):
        await wait_for(None, lambda: run.details("reconnecting"), description="the refusal")
        (detail,) = run.details("reconnecting")
        assert detail.startswith("rate-limited until ") and "HTTP 429" in detail
        assert server.connections == 0


async def test_an_unauthorised_handshake_stops_the_source_with_one_line() -> None:
    def refuse(connection: Any, request: Any) -> Response:
        return Response(401, "Unauthorized", Headers(), b"")

    async with (
        FeedServer(forever, process_request=refuse) as server,
        SourceRun(websocket_source(server.url)) as run,
    ):
        await wait_for(None, lambda: run.error is not None, description="the source to fail")
        assert "HTTP 401" in str(run.error) and is_one_readable_line(str(run.error))


@pytest.mark.parametrize(("stable_s", "failures"), [(0.0, 1), (60.0, 4)])
async def test_a_stable_connection_starts_the_backoff_again(stable_s: float, failures: int) -> None:
    """Four drops in a row, each after a connection that counts as stable (stable_s=0) or not:
    the delays start again from the first step, or climb."""

    async def handler(ws: Any, n: int) -> None:
        await ws.send(tikfinity_chat(n, f"hello {n}"))
        if n <= 4:
            await asyncio.sleep(0.02)
            ws.transport.abort()
            return
        await asyncio.Future()

    async with FeedServer(handler) as server:
        source = reconnecting_fast(
            WebsocketSource(url=server.url), initial_s=0.01, stable_s=stable_s
        )
        async with SourceRun(source) as run:
            await wait_for(None, lambda: len(run.texts()) == 5, description="five connections")
            assert source.link is not None and source.link.backoff.failures == failures


async def test_a_close_saying_try_again_later_waits_as_long_as_it_says() -> None:
    async def overloaded(ws: Any, n: int) -> None:
        await ws.close(1013, "90")

    async with FeedServer(overloaded) as server, SourceRun(websocket_source(server.url)) as run:
        await wait_for(None, lambda: run.details("reconnecting"), description="the wait")
        (detail,) = run.details("reconnecting")
        assert detail.startswith("rate-limited until ") and "1013" in detail
        until = datetime.strptime(detail.split()[2], "%H:%M:%S").time()
        now = datetime.now()
        wait = (datetime.combine(now.date(), until) - now).total_seconds() % 86400
        assert 85 <= wait <= 91
        assert server.connections == 1


async def test_a_follow_sent_as_social_and_as_follow_counts_once() -> None:
    user = {"uniqueId": "zed", "userId": "9", "msgId": "f1"}
    social = json.dumps(
        {"event": "social", "data": {**user, "displayType": "pm_mt_msg_viewer_follow"}}
    )
    follow = json.dumps({"event": "follow", "data": user})

    async def handler(ws: Any, n: int) -> None:
        for frame in (social, follow, tikfinity_chat(2, "after")):
            await ws.send(frame)
        await asyncio.Future()

    async with FeedServer(handler) as server, SourceRun(websocket_source(server.url)) as run:
        await wait_for(None, lambda: run.texts() == ["after"], description="the comment after")
        assert len(run.of_type("follow")) == 1
