"""The tiktok source: connecting, failing, reconnecting and the key, with the library's client
mocked at its boundary (no network). The client emits events built with the library's classes."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip(
    "TikTokLive", reason="the tiktok extra is not installed (pip install -e '.[tiktok]')"
)

from TikTokLive.client import errors as tt_errors  # noqa: E402
from TikTokLive.events import (  # noqa: E402
    CommentEvent,
    ConnectEvent,
    ControlEvent,
    DisconnectEvent,
    GiftEvent,
)

from backstage_tui.events import Connection, Event, Gap, Say  # noqa: E402
from backstage_tui.runtime import SessionRuntime  # noqa: E402
from backstage_tui.session import SessionReader  # noqa: E402
from backstage_tui.sources import SourceError, load_source  # noqa: E402
from backstage_tui.sources.connection import clock_time  # noqa: E402
from backstage_tui.sources.tiktok import (  # noqa: E402
    SESSION_ID_ENV,
    SIGN_API_KEY_ENV,
    TikTokSource,
    _LibraryClient,
    library_event_classes,
)
from tests.helpers import is_one_readable_line, run_cli, wait_for  # noqa: E402

KEY = "euler_0123456789abcdefSECRET"
T0 = 1_700_000_000.0
HANG = object()
"""In a script: the connection stays open until the source is stopped."""


def comment(msg_id: int, text: str) -> Any:
    return CommentEvent().parse(
        bytes(
            CommentEvent.from_dict(
                {
                    "common": {"msgId": str(msg_id)},
                    "user": {"id": "1", "displayId": "ann"},
                    "content": text,
                }
            )
        )
    )


def live_end() -> Any:
    return ControlEvent.from_dict({"common": {"msgId": "999"}, "action": 3})


def connect() -> Any:
    return ConnectEvent(unique_id="host", room_id=42)


class FakeClient:
    """The library's `TikTokLiveClient` as the source uses it: listeners by class, `start` that
    either raises the library's error or returns the task that emits the scripted events."""

    def __init__(self, script: BaseException | Iterable[object]) -> None:
        self.script = script
        self.listeners: dict[str, Callable[[Any], None]] = {}
        self.started_with: dict[str, Any] | None = None
        self.disconnected = False
        self.closed = False
        self.said: list[tuple[str, str, str]] = []
        self.refuse = ""
        self._stop = asyncio.Event()

    def add_listener(self, event: Any, f: Callable[[Any], None]) -> None:
        self.listeners[event.get_type()] = f

    async def start(self, **options: Any) -> asyncio.Task[None]:
        self.started_with = options
        if isinstance(self.script, BaseException):
            raise self.script
        return asyncio.create_task(self._run(list(self.script)))

    async def _run(self, script: list[object]) -> None:
        for item in script:
            if item is HANG:
                await self._stop.wait()
                return
            if isinstance(item, BaseException):
                raise item
            if callable(item):
                item()  # a step of the test's own (the clock moving on)
                continue
            handler = self.listeners.get(type(item).__name__)
            if handler is not None:
                handler(item)
            await asyncio.sleep(0)
        # The library emits a DisconnectEvent when its websocket loop ends.
        handler = self.listeners.get("DisconnectEvent")
        if handler is not None:
            handler(DisconnectEvent())

    async def disconnect(self) -> None:
        self.disconnected = True
        self._stop.set()

    async def close(self) -> None:
        self.closed = True

    async def send_chat(self, text: str, session_id: str, target_idc: str) -> None:
        if self.refuse:
            raise SourceError(self.refuse)
        self.said.append((text, session_id, target_idc))


class Harness:
    """A source on fake clients, a fake clock and a sleep that only moves that clock."""

    def __init__(self, *scripts: BaseException | Iterable[object], **options: str) -> None:
        self.clients = [FakeClient(s) for s in scripts]
        self.made: list[tuple[str, str | None]] = []
        self.now = T0
        self.slept: list[float] = []
        self.source = TikTokSource(
            client_factory=self._make,
            event_classes=library_event_classes,
            sleep=self._sleep,
            clock=lambda: self.now,
            **{"user": "@host", **options},
        )

    def _make(self, user: str, key: str | None) -> FakeClient:
        self.made.append((user, key))
        return self.clients[len(self.made) - 1]

    async def _sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)

    async def collect(self, limit: int = 100) -> list[Event]:
        out: list[Event] = []
        async for event in self.source.events():
            out.append(event)
            if len(out) >= limit:
                break
        return out


def links(events: list[Event]) -> list[tuple[str, str]]:
    return [(e.status, e.detail) for e in events if isinstance(e, Connection)]


async def test_a_live_flows_until_it_ends() -> None:
    h = Harness([connect(), comment(1, "hi"), comment(2, "yo"), live_end()])
    events = await h.collect()
    assert [e.type for e in events] == [
        "connection",
        "connection",
        "comment",
        "comment",
        "connection",
    ]
    assert links(events) == [
        ("connecting", "@host"),
        ("connected", "@host · room 42"),
        ("ended", "the LIVE ended"),
    ]
    assert h.made == [("host", None)]
    assert h.clients[0].started_with == {"room_id": None, "fetch_room_info": True}


async def test_a_dropped_connection_reconnects_records_the_gap_and_drops_resent_comments() -> None:
    h = Harness(
        [connect(), comment(1, "one"), comment(2, "two")],  # then TikTok closes it
        [connect(), comment(1, "one"), comment(2, "two"), comment(3, "three"), live_end()],
    )
    events = await h.collect()
    texts = [e.text for e in events if e.type == "comment"]  # type: ignore[union-attr]
    assert texts == ["one", "two", "three"]
    statuses = [s for s, _ in links(events)]
    assert statuses == [
        "connecting",
        "connected",
        "disconnected",
        "reconnecting",
        "connected",
        "ended",
    ]
    waiting = links(events)[3][1]
    assert waiting.startswith("in ") and waiting.endswith(" s · TikTok closed the connection")
    assert len(h.slept) == 1 and 0 <= h.slept[0] <= 1.0  # the first wait of the backoff
    gaps = [e for e in events if isinstance(e, Gap)]
    assert len(gaps) == 1 and gaps[0].since == T0 and gaps[0].until == T0 + h.slept[0]
    after = events[events.index(gaps[0]) + 1]  # recorded just before the link is back
    assert isinstance(after, Connection) and after.status == "connected"
    assert h.source.mapper.repeats == 2
    assert all(c.closed for c in h.clients)  # each connection's client was freed


async def test_a_rate_limit_shows_when_the_next_try_is() -> None:
    response = httpx.Response(429, headers={"RateLimit-Remaining": "90", "RateLimit-Reset": "0"})
    limited = tt_errors.SignatureRateLimitError(None, "try again in %s seconds.", response=response)
    h = Harness(limited, [connect(), live_end()])
    events = await h.collect()
    assert links(events)[1] == (
        "reconnecting",
        f"rate-limited until {clock_time(T0 + 90)} · the signing service's rate limit was reached",
    )
    assert h.slept == [90.0]


async def test_an_offline_host_is_looked_at_again_every_minute() -> None:
    h = Harness(tt_errors.UserOfflineError(), [connect(), live_end()])
    events = await h.collect()
    assert links(events)[1] == (
        "reconnecting",
        f"at {clock_time(T0 + 60)} · @host is not LIVE right now",
    )
    assert h.slept == [60.0]


async def test_blocked_connections_back_off_further_each_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Each wait is drawn below a ceiling (full jitter); drawing the ceiling itself shows it grow.
    monkeypatch.setattr(random, "uniform", lambda low, high: high)
    blocked = [tt_errors.WebcastBlockedError("rejected") for _ in range(5)]
    h = Harness(*blocked, [connect(), live_end()])
    events = await h.collect()
    waits = [d for s, d in links(events) if s == "reconnecting"]
    assert waits[0] == "in 1 s · TikTok blocked the connection (rejected)"
    assert h.slept == [1, 2, 4, 8, 16]
    assert all(c.closed for c in h.clients)  # a client that never connected is freed too


async def test_a_stable_connection_starts_the_waits_small_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(random, "uniform", lambda low, high: high)
    h = Harness()
    blocked = [tt_errors.WebcastBlockedError("rejected") for _ in range(3)]
    h.clients = [
        *(FakeClient(b) for b in blocked),
        FakeClient([connect(), lambda: setattr(h, "now", h.now + 61)]),  # a minute, then a drop
        FakeClient([connect(), live_end()]),
    ]
    await h.collect()
    assert h.slept == [1, 2, 4, 1]


async def test_a_silent_connection_is_dropped_and_opened_again() -> None:
    h = Harness([connect(), HANG], [connect(), live_end()], silent="0.05")
    events = await h.collect()
    assert ("reconnecting", "in 1 s · no message from TikTok for 0.05 s") in links(events)
    assert h.clients[0].disconnected and h.clients[0].closed
    assert [e.type for e in events].count("gap") == 1


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (tt_errors.UserNotFoundError("host", "user_not_found"), "TikTok has no LIVE account @host"),
        (tt_errors.AgeRestrictedError("Age restricted stream."), "@host's LIVE is age-restricted"),
    ],
)
async def test_failures_that_cannot_heal_stop_the_source(error: Exception, says: str) -> None:
    h = Harness(error)
    with pytest.raises(SourceError) as info:
        await h.collect()
    assert str(info.value).startswith(says) and is_one_readable_line(str(info.value))
    assert len(h.made) == 1


async def test_a_failure_inside_the_connection_is_read_like_one_at_the_start() -> None:
    h = Harness([connect(), tt_errors.WebcastBlockedError("dropped")], [connect(), live_end()])
    events = await h.collect()
    assert (
        "reconnecting",
        "in 1 s · TikTok blocked the connection (dropped)",
    ) in links(events)


async def test_gift_streak_events_flow_through() -> None:
    def streak(n: int, end: bool) -> Any:
        data = {"common": {"msgId": str(10 + n)}, "user": {"id": "3"}, "giftId": 1, "repeatCount": n,
                "repeatEnd": int(end), "gift": {"id": 1, "name": "Rose", "diamondCount": 1, "type": 1}}  # fmt: skip
        return GiftEvent.from_dict(data)

    h = Harness([connect(), streak(1, False), streak(2, True), live_end()])
    gifts = [e for e in await h.collect() if e.type == "gift"]
    assert [g.streak_end for g in gifts] == [False, True]  # type: ignore[union-attr]


async def test_the_key_goes_to_the_library_and_nowhere_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SIGN_API_KEY_ENV, raising=False)
    h = Harness([connect(), comment(1, "hi"), HANG], sign_api_key=KEY)
    assert h.source.config["sign_api_key"] == "**********"
    runtime = SessionRuntime(h.source, sessions_dir=tmp_path)
    await runtime.start()
    await wait_for(None, lambda: runtime.state.stats.comments == 1, description="the comment")
    await runtime.close()
    assert h.made == [("host", KEY)]
    assert h.clients[0].disconnected and h.clients[0].closed  # stopping closed the connection
    assert runtime.log_path is not None
    log = runtime.log_path.read_text()
    assert KEY not in log and '"sign_api_key":"**********"' in log
    assert KEY not in runtime.status().source


async def test_stopping_the_source_mid_stream_closes_the_connection() -> None:
    h = Harness([connect(), comment(1, "hi"), HANG])
    stream = h.source.events()
    async for event in stream:
        if event.type == "comment":
            break  # the consumer stops here, the source suspended at its yield
    await stream.aclose()
    assert h.clients[0].disconnected and h.clients[0].closed


async def test_the_key_can_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SIGN_API_KEY_ENV, KEY)
    h = Harness([connect(), live_end()])
    await h.collect()
    assert h.made == [("host", KEY)]
    assert h.source.config["sign_api_key"] is None  # not an option: nothing to record


SESSION = "sid-0123456789abcdef"


async def test_with_a_session_the_source_posts_answers_in_the_chat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the account's session, `say` is forwarded: posted through the connected client as that
    account, TikTok's answer recorded; the session id is nowhere in the log or on screen."""
    monkeypatch.delenv(SESSION_ID_ENV, raising=False)
    h = Harness([connect(), comment(1, "hi"), HANG], session_id=SESSION, target_idc="useast2a")
    assert h.source.capabilities == {"say"}
    assert type(h.source).capabilities == frozenset()  # only this source, with its session
    runtime = SessionRuntime(h.source, sessions_dir=tmp_path)
    await runtime.start()
    await wait_for(None, lambda: runtime.state.stats.comments == 1, description="the comment")
    result = await runtime.act(Say(text="@ann welcome!", target="c1"))
    assert result.effect == "forwarded" and result.forward_error is None
    assert h.clients[0].said == [("@ann welcome!", SESSION, "useast2a")]
    h.clients[0].refuse = "TikTok did not post it: too fast (code 7)"
    refused = await runtime.act(Say(text="again"))
    assert refused.effect == "forwarded" and refused.forward_error == h.clients[0].refuse
    await runtime.close()
    assert runtime.log_path is not None
    log = runtime.log_path.read_text()
    assert SESSION not in log and '"session_id":"**********"' in log
    results = [e for e in SessionReader(runtime.log_path).events() if e.type == "forward_result"]
    assert [(r.ok, r.error) for r in results] == [(True, ""), (False, h.clients[0].refuse)]
    # The posted one is done; the refused one waits on the In the app list, ready to copy.
    todo = runtime.state.moderation.todo.values()
    assert [item.detail for item in todo] == ["post in the chat: again"]


async def test_without_a_session_an_answer_waits_on_the_in_the_app_list(tmp_path: Path) -> None:
    h = Harness([connect(), comment(1, "hi"), HANG])
    assert "say" not in h.source.capabilities
    runtime = SessionRuntime(h.source, sessions_dir=tmp_path)
    await runtime.start()
    result = await runtime.act(Say(text="thanks for the rose!"))
    assert result.effect == "queued" and h.clients[0].said == []
    (item,) = runtime.state.moderation.todo.values()
    assert item.detail == "post in the chat: thanks for the rose!"
    await runtime.close()


async def test_a_session_needs_its_data_centre_and_can_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(SourceError, match="session_id needs target_idc"):
        TikTokSource(user="@host", session_id=SESSION)
    monkeypatch.setenv(SESSION_ID_ENV, SESSION)
    source = TikTokSource(user="@host", target_idc="eu-ttp2")
    assert source.capabilities == {"say"} and source.config["session_id"] is None
    with pytest.raises(SourceError, match="not connected"):
        await source.act(Say(text="hi"))


async def test_the_library_client_reads_tiktoks_refusal() -> None:
    class Web:
        async def send_room_chat(self, **kw: Any) -> dict[str, Any]:
            self.kw = kw
            return {"code": 20003, "message": "you are muted", "data": None}

    class Library:
        room_id = 42
        web = Web()

    with pytest.raises(SourceError, match=r"you are muted \(code 20003\)"):
        await _LibraryClient(Library()).send_chat("hi", SESSION, "useast2a")
    assert Library.web.kw == {
        "content": "hi",
        "room_id": 42,
        "session_id": SESSION,
        "tt_target_idc": "useast2a",
    }


async def test_room_id_is_passed_to_the_library() -> None:
    h = Harness([connect(), live_end()], room_id="7300000000000000001")
    await h.collect()
    assert h.clients[0].started_with == {"room_id": 7300000000000000001, "fetch_room_info": True}


def test_options_are_checked_before_anything_connects() -> None:
    source = load_source("tiktok").from_strings({"user": "https://www.tiktok.com/@some.host/live"})
    assert isinstance(source, TikTokSource) and source.options.user == "some.host"
    for bad in ({}, {"user": "not a name!"}, {"user": "x", "room_id": "-3"}):
        with pytest.raises(SourceError) as info:
            load_source("tiktok").from_strings(bad)
        assert is_one_readable_line(str(info.value))
    with pytest.raises(SourceError) as info:
        load_source("tiktok").from_strings({"user": "x", "sign_api_key": ""})
    assert KEY not in str(info.value)


def test_cli_without_a_user_is_one_line_and_exit_2() -> None:
    result = run_cli("--source", "tiktok")
    assert result.returncode == 2
    assert is_one_readable_line(result.stderr.strip()) and "needs option user=" in result.stderr
