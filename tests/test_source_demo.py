import asyncio
import hashlib
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from backstage_tui.events import Event, Gift, event_to_json
from backstage_tui.runtime import SessionRuntime
from backstage_tui.session import SessionReader
from backstage_tui.sources import SourceError, demo, load_source
from backstage_tui.sources.demo import DemoSource

START = 1_790_000_000.0


async def collect(source: DemoSource) -> list[Event]:
    return [event async for event in source.events()]


def fast(seed: int, limit: int, **more: object) -> DemoSource:
    return DemoSource(rate=100_000.0, seed=seed, limit=limit, start=START, **more)


def digest(events: list[Event]) -> str:
    return hashlib.sha256(b"\n".join(event_to_json(e) for e in events)).hexdigest()


async def test_same_seed_same_events_ids_and_times() -> None:
    first = await collect(fast(7, 3000))
    second = await collect(fast(7, 3000))
    assert [event_to_json(e) for e in first] == [event_to_json(e) for e in second]
    assert first[0].id == "demo-7-1" and first[-1].id == "demo-7-3000"
    assert len({e.id for e in first}) == 3000


async def test_different_seed_different_events() -> None:
    a = await collect(fast(1, 500))
    b = await collect(fast(2, 500))
    texts_a = [getattr(e, "text", None) for e in a]
    texts_b = [getattr(e, "text", None) for e in b]
    assert texts_a != texts_b


async def test_deterministic_across_processes_and_hash_seeds() -> None:
    # Iterating a set of strings would make the stream depend on PYTHONHASHSEED; a fresh
    # interpreter with another hash seed must produce the very same bytes.
    here = digest(await collect(fast(11, 2000)))
    code = (
        "import asyncio, hashlib\n"
        "from backstage_tui.events import event_to_json\n"
        "from backstage_tui.sources.demo import DemoSource\n"
        "async def main():\n"
        f"    s = DemoSource(rate=100000.0, seed=11, limit=2000, start={START!r})\n"
        "    evs = [e async for e in s.events()]\n"
        "    print(hashlib.sha256(b'\\n'.join(event_to_json(e) for e in evs)).hexdigest())\n"
        "asyncio.run(main())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == here


async def test_timestamps_follow_the_simulated_clock() -> None:
    events = await collect(DemoSource(rate=100_000.0, seed=3, limit=100, start=START))
    step = 1 / 100_000
    for n, event in enumerate(events):
        assert event.ts == pytest.approx(START + n * step)
    assert all(e.seq == 0 for e in events)


async def test_starts_connected_and_mixes_every_kind() -> None:
    events = await collect(fast(5, 6000))
    first = events[0]
    assert first.type == "connection" and first.status == "connected"
    assert first.detail == "demo stream"
    kinds = Counter(e.type for e in events)
    for kind in ("comment", "question", "gift", "like", "join", "follow", "share", "viewers"):
        assert kinds[kind] > 0, f"no {kind} in {dict(kinds)}"


def stream_events(seed: int, count: int, rate: float = 12.0) -> list[Event]:
    # The simulation itself, without pacing: the mix depends on simulated time, not on waiting.
    stream = DemoSource(seed=seed, rate=rate, start=START).stream(START)
    return [next(stream) for _ in range(count)]


def test_mix_is_roughly_as_designed() -> None:
    events = stream_events(9, 20000)
    kinds = Counter(e.type for e in events)
    share = {kind: n / len(events) for kind, n in kinds.items()}
    for kind in ("comment", "question", "gift", "like", "join", "follow", "share", "viewers"):
        assert kinds[kind] > 0, f"no {kind} in {dict(kinds)}"
    assert 0.38 < share["comment"] < 0.58
    assert 0.15 < share["like"] < 0.26
    assert 0.07 < share["join"] < 0.13
    assert 0.03 < share["gift"] < 0.08
    assert 0.01 < share["question"] < 0.05
    # One viewer count every ~2 s at 12 events a second: ~1 in 24.
    assert 0.025 < share["viewers"] < 0.06


def test_viewer_counts_arrive_every_two_simulated_seconds_and_move() -> None:
    events = stream_events(4, 12000)
    viewers = [e for e in events if e.type == "viewers"]
    gaps = [b.ts - a.ts for a, b in zip(viewers, viewers[1:], strict=False)]
    assert all(1.5 < gap < 2.5 for gap in gaps)
    counts = [v.count for v in viewers]
    assert 200 <= counts[0] <= 400
    changes = sum(a != b for a, b in zip(counts, counts[1:], strict=False))
    assert changes > 0.7 * (len(counts) - 1)
    assert any(b > a for a, b in zip(counts, counts[1:], strict=False))
    assert any(b < a for a, b in zip(counts, counts[1:], strict=False))
    assert all(c > 0 for c in counts)


def test_gift_streaks_count_up_and_end_once() -> None:
    events = stream_events(2, 20000)
    streaks: dict[str, list[Gift]] = defaultdict(list)
    for event in events:
        if isinstance(event, Gift):
            streaks[event.streak_id].append(event)
    finished = {sid: gifts for sid, gifts in streaks.items() if gifts[-1].streak_end}
    assert len(finished) > 20
    long_ones = 0
    for gifts in finished.values():
        assert [g.repeat_count for g in gifts] == list(range(1, len(gifts) + 1))
        assert [g.streak_end for g in gifts] == [False] * (len(gifts) - 1) + [True]
        assert len({(g.user.id, g.gift_id, g.diamonds) for g in gifts}) == 1
        long_ones += len(gifts) > 1
    assert long_ones > 5
    # Streaks interleave with the rest of the stream rather than arriving as one block.
    positions = [i for i, e in enumerate(events) if isinstance(e, Gift)]
    assert max(b - a for a, b in zip(positions, positions[1:], strict=False)) > 1
    names = {g.gift_name for gifts in streaks.values() for g in gifts}
    assert "Rose" in names


def test_likes_keep_a_running_total() -> None:
    likes = [e for e in stream_events(6, 3000) if e.type == "like"]
    total = 0
    for like in likes:
        assert 1 <= like.count <= 15
        total += like.count
        assert like.total == total


def test_cast_roles_languages_and_hostile_text() -> None:
    events = stream_events(8, 30000)
    users = {e.user.id: e.user for e in events if hasattr(e, "user")}
    assert len(users) > 150
    roles = Counter(role for u in users.values() for role in u.roles)
    assert 1 <= roles["moderator"] <= 8
    assert 1 <= roles["top_gifter"] <= 10
    assert roles["follower"] > roles["subscriber"] > roles["moderator"]
    texts = [e.text for e in events if e.type == "comment"]
    joined = "\n".join(texts)
    for sample in ("ñ", "ã", "ệ", "ا", "こ", "안"):  # es, pt, vi, ar, ja, ko
        assert sample in joined, sample
    assert any("bit.ly/" in t for t in texts)
    assert any("\x1b" in t for t in texts)
    assert any("\u202e" in t for t in texts)
    assert any("[/" in t for t in texts)
    assert any("\u200b" in t for t in texts)
    # Spam bursts: the same text 8 times within 60 comments.
    where: dict[str, list[int]] = defaultdict(list)
    for i, text in enumerate(texts):
        where[text].append(i)
    bursts = [
        t for t, pos in where.items() if any(b - a < 60 for a, b in zip(pos, pos[7:], strict=False))
    ]
    assert bursts


def test_follow_makes_the_user_a_follower() -> None:
    events = stream_events(10, 20000)
    follows = [e for e in events if e.type == "follow"]
    assert follows and all(f.user.has("follower") for f in follows)


async def test_limit_is_respected() -> None:
    assert len(await collect(fast(1, 1))) == 1
    assert len(await collect(fast(1, 257))) == 257


async def test_high_rate_finishes_without_a_sleep_per_event() -> None:
    source = DemoSource(rate=20000.0, seed=1, limit=20000)
    began = time.perf_counter()
    events = await asyncio.wait_for(collect(source), timeout=30)
    elapsed = time.perf_counter() - began
    assert len(events) == 20000
    assert elapsed < 10


async def test_high_rate_sleeps_once_per_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    real_sleep = asyncio.sleep
    sleeps = 0

    async def counting_sleep(delay: float) -> None:
        nonlocal sleeps
        sleeps += 1
        await real_sleep(delay)

    monkeypatch.setattr(demo.asyncio, "sleep", counting_sleep)
    events = await collect(DemoSource(rate=20000.0, seed=1, limit=20000))
    assert len(events) == 20000
    # ~1 s of events with a wake-up every few ms: a few hundred sleeps, not 20000.
    assert 0 < sleeps < 2000


async def test_paces_at_low_rate() -> None:
    source = DemoSource(rate=50.0, seed=1, limit=11)
    began = time.perf_counter()
    await collect(source)
    # 10 intervals of 20 ms after the first event: clearly paced, generously bounded.
    assert 0.15 < time.perf_counter() - began < 3


async def test_endless_without_limit_and_cancellable() -> None:
    source = DemoSource(rate=20000.0, seed=1)
    got = 0
    async for _ in source.events():
        got += 1
        if got == 10000:
            break
    assert got == 10000


async def test_a_demo_session_records_and_reads_back(tmp_path: Path) -> None:
    # Every event the demo makes (hostile text included) must survive the real log round trip.
    source = DemoSource(rate=100_000.0, seed=21, limit=5000, start=START)
    expected = await collect(DemoSource(rate=100_000.0, seed=21, limit=5000, start=START))
    runtime = SessionRuntime(source, sessions_dir=tmp_path)
    await runtime.start()
    await asyncio.wait_for(runtime.wait_source_done(), 30)
    await runtime.close()
    assert runtime.source_error is None and runtime.log_path is not None
    reader = SessionReader(runtime.log_path)
    back = reader.events()
    assert reader.problems == []
    assert reader.header is not None and reader.header.options["seed"] == 21
    # The runtime names the source in each event; apart from that and seq, byte for byte the same.
    assert {e.source for e in back} == {"demo"}
    assert [e.model_copy(update={"seq": 0, "source": ""}) for e in back] == expected


def test_options_from_strings() -> None:
    source = DemoSource.from_strings({"rate": "50", "seed": "3"})
    assert isinstance(source, DemoSource)
    assert source.rate == 50.0 and source.seed == 3 and source.limit == 0
    assert source.config["seed"] == 3
    assert "seed 3" in source.describe()
    source = DemoSource.from_strings({"limit": "10", "start": "1700000000.5"})
    assert source.limit == 10 and source.start == 1700000000.5


def test_random_seed_is_chosen_and_kept() -> None:
    a, b = DemoSource(), DemoSource()
    assert isinstance(a.seed, int) and a.config["seed"] == a.seed
    assert a.seed != b.seed  # 1 in 4 billion


@pytest.mark.parametrize(
    "raw",
    [
        {"rate": "abc"},
        {"rate": "-1"},
        {"rate": "0"},
        {"rate": "inf"},
        {"seed": "x"},
        {"limit": "-3"},
        {"start": "nan"},
        {"speed": "2"},
    ],
)
def test_bad_options_raise_source_error(raw: dict[str, str]) -> None:
    with pytest.raises(SourceError) as info:
        DemoSource.from_strings(raw)
    assert "\n" not in str(info.value)


def test_registered_as_demo() -> None:
    assert load_source("demo") is DemoSource
