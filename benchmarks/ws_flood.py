"""`ws_rate` and `ws_kept_up`: the `websocket` source under 20,000 events/s over loopback.

A websocket server in a process of its own (its work must not share the measured process's event
loop) sends TikFinity frames, one event each, of the demo mix (hostile text included) at the target
rate, paced every `TICK_S` like `FloodSource`, each with a message id of its own. The measured
process runs the real `WebsocketSource` (the shared `Link`: frame reading, JSON, the envelope
mapper, the repeat filter) in a `SessionRuntime`: the recorder writes the log and every reducer
folds, with the collector tuned as `--headless` tunes it once started. That is the console without a
screen; the screen's share is the in-process flood's.

- ``ws_rate``: over the measured period (after a warm-up), the slower of events folded and events
  recorded, per second.
- ``ws_kept_up``: 1 when that is within 3% of the offered rate and the source was never a second of
  events behind the server's schedule (`kept_up`, the rule of the other floods).
- ``ws_log_missing``: events the server sent that the log does not hold, once everything settled.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import tempfile
import time
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from typing import Any

import orjson

from backstage_tui.events import (
    Comment,
    Event,
    Follow,
    Gift,
    Join,
    Like,
    Question,
    Share,
    Viewers,
)
from backstage_tui.gc_tuning import CollectorTuning
from backstage_tui.runtime import SessionRuntime
from backstage_tui.session import SessionReader
from backstage_tui.sources.websocket import WebsocketSource

from .common import MAX_TICK, POOL, TARGET_RATE, TICK_S, Metrics, demo_events, kept_up

SETTLE_TIMEOUT_S = 60.0
_ID = "__MSG_ID__"

Frame = tuple[str, str]
"""A frame's text before and after its message id."""


def tikfinity_frame(event: Event) -> Frame | None:
    """`event` as TikFinity would send it, split around its message id; None for what TikFinity
    does not send on its own (a streak still running)."""
    body: dict[str, Any]
    if isinstance(event, Viewers):
        name, body = "roomUser", {"viewerCount": event.count}
    else:
        user = getattr(event, "user", None)
        if user is None:
            return None
        body = {
            "userId": user.id,
            "uniqueId": user.handle,
            "nickname": user.name,
            "isModerator": "moderator" in user.roles,
            "isSubscriber": "subscriber" in user.roles,
            "followRole": 1 if "follower" in user.roles else 0,
        }
        if isinstance(event, Comment):
            name, body["comment"] = "chat", event.text
        elif isinstance(event, Question):
            name, body["questionText"] = "questionNew", event.text
        elif isinstance(event, Gift):
            if not event.streak_end:
                return None
            name = "gift"
            body.update(giftId=event.gift_id, giftName=event.gift_name,
                        diamondCount=event.diamonds, repeatCount=event.repeat_count,
                        giftType=2, repeatEnd=True)  # fmt: skip
        elif isinstance(event, Like):
            name, body["likeCount"], body["totalLikeCount"] = "like", event.count, event.total
        elif isinstance(event, Follow | Share | Join):
            name = {"follow": "follow", "share": "share", "join": "member"}[event.type]
        else:
            return None
    body["msgId"] = _ID
    text = orjson.dumps({"event": name, "data": body}).decode()
    before, _, after = text.partition(_ID)
    return before, after


def frames(count: int) -> list[Frame]:
    return [f for f in map(tikfinity_frame, demo_events(count)) if f is not None]


# --- the server (its own process) --------------------------------------------------------------


def serve(pipe: Pipe, rate: float, seconds: float) -> None:
    """Run in a child process: send `port`, then on the first connection send `rate` frames a
    second for `seconds`; report ``{"start", "sent", "max_behind"}``; stop when told."""
    asyncio.run(_serve(pipe, rate, seconds))


async def _serve(pipe: Pipe, rate: float, seconds: float) -> None:
    from websockets.asyncio.server import serve as ws_serve

    pool = frames(POOL)
    loop = asyncio.get_running_loop()

    async def flood(ws: Any) -> None:
        origin = loop.time()
        pipe.send({"start": time.monotonic()})
        total = int(rate * seconds)
        sent = max_behind = 0
        while sent < total:
            due = min(total, int((loop.time() - origin) * rate) + 1)
            max_behind = max(max_behind, due - sent)
            for _ in range(min(due - sent, MAX_TICK)):
                before, after = pool[sent % len(pool)]
                await ws.send(f"{before}{sent}{after}")
                sent += 1
            await asyncio.sleep(TICK_S)
        pipe.send({"sent": sent, "max_behind": max_behind})
        await asyncio.Future()

    # No compression: TikFinity's local server sends plain frames.
    async with ws_serve(flood, "127.0.0.1", 0, compression=None) as server:
        pipe.send({"port": server.sockets[0].getsockname()[1]})
        await loop.run_in_executor(None, pipe.recv)


# --- the measured process ----------------------------------------------------------------------


async def _reply(pipe: Pipe, timeout: float = SETTLE_TIMEOUT_S) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    ready = await loop.run_in_executor(None, pipe.poll, timeout)
    if not ready:
        raise TimeoutError("the flood server did not answer")
    answer: dict[str, Any] = pipe.recv()
    return answer


async def measure(sustained_s: float, warmup_s: float, rate: float = TARGET_RATE) -> Metrics:
    context = multiprocessing.get_context("spawn")
    pipe, child_end = context.Pipe()
    server = context.Process(target=serve, args=(child_end, rate, warmup_s + sustained_s))
    server.start()
    try:
        port = (await _reply(pipe))["port"]
        with tempfile.TemporaryDirectory(prefix="bench-ws-") as tmp:
            source = WebsocketSource(url=f"ws://127.0.0.1:{port}/", silent=0)
            runtime = SessionRuntime(source, sessions_dir=Path(tmp))
            await runtime.start()
            collector = CollectorTuning()
            collector.apply()
            start = (await _reply(pipe))["start"]
            base = 2  # the source's "connecting" and "connected" come first
            result = await _follow(runtime, start, base, rate, warmup_s, sustained_s)
            report = await _reply(pipe)
            sent = int(report["sent"])
            await _settle(runtime, base + sent)
            await runtime.close()
            collector.restore()
            assert runtime.log_path is not None
            logged = sum(len(batch) for batch in SessionReader(runtime.log_path).batches())
        pipe.send("stop")
    finally:
        server.join(10)
        if server.is_alive():
            server.kill()
    worst = max(result.pop("worst_backlog"), float(report["max_behind"]))
    result.update(
        ws_offered=rate,
        ws_events=float(sent),
        ws_server_max_behind=float(report["max_behind"]),
        ws_max_backlog=worst,
        ws_kept_up=float(kept_up(result["ws_rate"], rate, worst)),
        ws_log_missing=float(base + sent - logged),
    )
    return result


def _through(runtime: SessionRuntime) -> int:
    """Events through the slower of the two lossless consumers."""
    recorded = runtime.recorder.written if runtime.recorder else runtime.state.last_seq
    return min(runtime.state.last_seq, recorded)


async def _follow(
    runtime: SessionRuntime,
    start: float,
    base: int,
    rate: float,
    warmup_s: float,
    sustained_s: float,
) -> Metrics:
    """Sample the slowest consumer every 50 ms against the server's schedule."""
    worst = 0.0
    measured: list[tuple[float, int]] = []
    end = start + warmup_s + sustained_s
    for mark in (start + warmup_s, end):
        while (now := time.monotonic()) < mark:
            through = _through(runtime) - base
            worst = max(worst, rate * (now - start) - through)
            await asyncio.sleep(min(0.05, max(0.0, mark - now)))
        measured.append((time.monotonic(), _through(runtime)))
    (t0, n0), (t1, n1) = measured
    return {"ws_rate": (n1 - n0) / (t1 - t0), "worst_backlog": worst}


async def _settle(runtime: SessionRuntime, total: int) -> None:
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while _through(runtime) < total:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the source settled at {_through(runtime):,} of {total:,} events")
        await asyncio.sleep(0.01)


def run(sustained_s: float, warmup_s: float) -> Metrics:
    return asyncio.run(measure(sustained_s, warmup_s))
