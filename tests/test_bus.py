import asyncio

import pytest

from backstage_tui.bus import BusClosed, EventBus, consume
from backstage_tui.events import Viewers


def viewers(n: int) -> Viewers:
    return Viewers(count=n)


async def test_seq_is_gap_free_and_every_subscriber_sees_the_same_order() -> None:
    bus = EventBus()
    a = bus.subscribe("a", "lossless")
    b = bus.subscribe("b", "latest", maxsize=1000)
    for i in range(100):
        await bus.publish(viewers(i))
    got_a = a.take_nowait()
    got_b = b.take_nowait()
    assert [e.seq for e in got_a] == list(range(1, 101))
    assert got_a == got_b
    assert bus.published == 100


async def test_an_event_published_again_never_changes_under_those_who_hold_it() -> None:
    bus = EventBus()
    sub = bus.subscribe("a", "lossless")
    fresh = viewers(7)
    first = await bus.publish(fresh)
    # A fresh event is stamped in place (no copy per event on the hot path)...
    assert first is fresh and first.seq == 1
    # ...but one that was already published is copied: the first holder's event keeps its seq.
    again = await bus.publish(fresh)
    assert again is not first and again.seq == 2 and again.count == 7
    held = sub.take_nowait()
    assert [e.seq for e in held] == [1, 2] and held[0] is first and first.seq == 1


async def test_latest_policy_keeps_the_newest_and_counts_what_it_skipped() -> None:
    bus = EventBus()
    ui = bus.subscribe("ui", "latest", maxsize=10)
    for i in range(25):
        await bus.publish(viewers(i))
    batch = ui.take_nowait()
    assert [e.count for e in batch] == list(range(15, 25))
    assert ui.skipped == 15
    assert ui.taken + ui.skipped == bus.published


async def test_a_slow_latest_subscriber_never_blocks_the_publisher() -> None:
    bus = EventBus()
    bus.subscribe("ui", "latest", maxsize=5)
    # Nobody ever reads: publishing must still finish without waiting.
    await asyncio.wait_for(bus.publish_many([viewers(i) for i in range(10_000)]), timeout=5)
    assert bus.published == 10_000


async def test_lossless_subscriber_applies_back_pressure_and_loses_nothing() -> None:
    bus = EventBus()
    rec = bus.subscribe("recorder", "lossless", maxsize=8)
    got: list[int] = []

    async def slow_reader() -> None:
        while True:
            batch = await rec.get_batch(limit=3)
            if not batch:
                return
            got.extend(e.seq for e in batch)
            await asyncio.sleep(0)

    reader = asyncio.create_task(slow_reader())
    for i in range(200):
        await bus.publish(viewers(i))
        assert len(rec) <= 8
    bus.close()
    await asyncio.wait_for(reader, timeout=5)
    assert got == list(range(1, 201))


async def test_publisher_waits_while_the_lossless_queue_is_full() -> None:
    bus = EventBus()
    rec = bus.subscribe("recorder", "lossless", maxsize=2)
    await bus.publish(viewers(1))
    await bus.publish(viewers(2))
    blocked = asyncio.create_task(bus.publish(viewers(3)))
    await asyncio.sleep(0.01)
    assert not blocked.done()
    rec.take_nowait()
    await asyncio.wait_for(blocked, timeout=1)
    assert bus.published == 3


async def test_close_drains_then_ends_and_refuses_new_events() -> None:
    bus = EventBus()
    sub = bus.subscribe("s")
    await bus.publish(viewers(1))
    bus.close()
    assert [e.count for e in await sub.get_batch()] == [1]
    assert await sub.get_batch() == []
    with pytest.raises(BusClosed):
        await bus.publish(viewers(2))


async def test_consume_outlives_a_handler_that_raises() -> None:
    bus = EventBus()
    sub = bus.subscribe("s")
    seen: list[int] = []

    def handle(batch: list) -> None:
        seen.extend(e.count for e in batch)
        if batch[0].count == 0:
            raise RuntimeError("boom")

    task = asyncio.create_task(consume(sub, handle))
    await bus.publish(viewers(0))
    await asyncio.sleep(0)
    await bus.publish(viewers(1))
    bus.close()
    await asyncio.wait_for(task, timeout=1)
    assert seen == [0, 1]
