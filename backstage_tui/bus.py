"""The event bus: one ordered stream of events, many subscribers, each with its own policy.

`publish` gives every event its gap-free `seq` and hands it to each subscription without awaiting a
consumer, so one consumer's pace never decides another's:

- ``lossless`` (the recorder, the state): never drops. Its queue is bounded; when it is full the
  *publisher* waits for room, so a consumer that falls far behind slows the source that feeds it
  rather than losing an event or growing memory without end.
- ``latest`` (the UI): never makes anyone wait. Its queue keeps the newest ``maxsize`` events; older
  ones are dropped and counted in ``skipped``, so ``taken + skipped == delivered`` always holds.

Consumers take whole batches (`get_batch`), which is what lets the recorder write thousands of lines
with one system call and the UI draw a flood once a frame.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Sequence
from typing import Literal

from .events import Event

log = logging.getLogger(__name__)

Policy = Literal["lossless", "latest"]


class BusClosed(Exception):
    """Raised by `EventBus.publish` after `close()`."""


class Subscription:
    """One consumer's view of the bus. Create through `EventBus.subscribe`."""

    def __init__(self, bus: EventBus, name: str, policy: Policy, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.bus = bus
        self.name = name
        self.policy: Policy = policy
        self.maxsize = maxsize
        self._queue: deque[Event] = deque()
        self._ready = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self.closed = False
        self.delivered = 0
        """Events handed to this subscription."""
        self.taken = 0
        """Events the consumer took."""
        self.skipped = 0
        """Events a ``latest`` subscription dropped because its consumer was behind."""

    def __len__(self) -> int:
        return len(self._queue)

    # -- producer side (called by the bus) --

    def _offer(self, event: Event) -> None:
        """Deliver without waiting; the bus has made room in lossless queues beforehand."""
        queue = self._queue
        queue.append(event)
        self.delivered += 1
        if self.policy == "latest" and len(queue) > self.maxsize:
            queue.popleft()
            self.skipped += 1
        ready = self._ready
        if not ready.is_set():
            ready.set()

    def _offer_all(self, events: list[Event]) -> None:
        """`_offer` for each of `events`, in one go (a source's batch)."""
        queue = self._queue
        queue.extend(events)
        self.delivered += len(events)
        if self.policy == "latest" and len(queue) > self.maxsize:
            excess = len(queue) - self.maxsize
            for _ in range(excess):
                queue.popleft()
            self.skipped += excess
        ready = self._ready
        if not ready.is_set():
            ready.set()

    async def _wait_room(self) -> None:
        while not self.closed and len(self._queue) >= self.maxsize:
            self._room.clear()
            await self._room.wait()

    # -- consumer side --

    def take_nowait(self, limit: int | None = None) -> list[Event]:
        """Whatever is queued now (up to `limit`), oldest first; empty when nothing waits."""
        queue = self._queue
        n = len(queue) if limit is None else min(limit, len(queue))
        if n == len(queue):
            batch = list(queue)
            queue.clear()
        else:
            batch = [queue.popleft() for _ in range(n)]
        self.taken += len(batch)
        if not queue:
            self._ready.clear()
        if len(queue) < self.maxsize:
            self._room.set()
        return batch

    async def get_batch(self, limit: int | None = None) -> list[Event]:
        """Wait for at least one event, then take all that wait (up to `limit`).

        Returns an empty list once the bus is closed and this queue is drained.
        """
        while not self._queue:
            if self.closed:
                return []
            await self._ready.wait()
        return self.take_nowait(limit)

    def close(self) -> None:
        self.closed = True
        self._ready.set()
        self._room.set()


class EventBus:
    """Ordered publish/subscribe for `Event`s."""

    def __init__(self) -> None:
        self._subs: list[Subscription] = []
        self._lossless: list[Subscription] = []
        """The lossless subset of `_subs`: the only ones `publish` may have to wait for."""
        self._seq = 0
        self.closed = False
        self._lock = asyncio.Lock()

    @property
    def published(self) -> int:
        """How many events have been published (also the last `seq` given)."""
        return self._seq

    def renumber_from(self, seq: int) -> None:
        """The next event published gets ``seq + 1``: a replay that seeks puts the session back at
        the state after event `seq`, and the events it plays from there keep their numbers."""
        if seq < 0:
            raise ValueError("seq cannot be negative")
        self._seq = seq

    def subscribe(
        self, name: str, policy: Policy = "lossless", maxsize: int = 65536
    ) -> Subscription:
        sub = Subscription(self, name, policy, maxsize)
        self._subs.append(sub)
        if policy == "lossless":
            self._lossless.append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        sub.close()
        if sub in self._subs:
            self._subs.remove(sub)
        if sub in self._lossless:
            self._lossless.remove(sub)

    def _stamp(self, event: Event) -> Event:
        self._seq += 1
        if event.seq == 0 and event.__pydantic_extra__ is None:
            # Never published: nobody but its source holds it yet, and a source hands an event over
            # once. Giving it its seq in place saves a copy of every event a source publishes.
            # `seq` is then never written again: see below.
            event.__dict__["seq"] = self._seq
            event.__pydantic_fields_set__.add("seq")
            return event
        # Already published (a source that re-sends an event, a replayed line): subscribers hold it
        # with its old seq; events are frozen facts, so it gets its new seq in a copy.
        return stamped_copy(event, self._seq)

    async def publish(self, event: Event) -> Event:
        """Stamp `event` with the next `seq` and deliver it; returns the stamped event.

        Only waits when a lossless subscriber's queue is full. Concurrent publishers keep the `seq`
        order equal to the delivery order thanks to the lock, taken only on that slow path.
        """
        if self.closed:
            raise BusClosed("the bus is closed")
        if not self._lock.locked() and self._has_room():
            return self._deliver(event)
        async with self._lock:
            for sub in self._lossless:
                await sub._wait_room()
            if self.closed:
                raise BusClosed("the bus is closed")
            return self._deliver(event)

    async def publish_many(self, events: Sequence[Event]) -> list[Event]:
        """`publish` each of `events` in order; returns them stamped.

        A source's batch (the lines of one read) in one go when every lossless queue has room for
        all of it: each subscription takes the batch at once instead of event by event. Otherwise
        one at a time, waiting for room as `publish` does."""
        if self.closed:
            raise BusClosed("the bus is closed")
        if not events:
            return []
        if not self._lock.locked() and self._has_room(len(events)):
            stamp = self._stamp
            stamped = [stamp(event) for event in events]
            for sub in self._subs:
                sub._offer_all(stamped)
            return stamped
        return [await self.publish(e) for e in events]

    def _has_room(self, count: int = 1) -> bool:
        # A plain loop, not all(<generator>): this runs once per event, and the generator costs
        # more than the two or three checks it would make.
        for sub in self._lossless:  # noqa: SIM110
            if len(sub._queue) + count > sub.maxsize:
                return False
        return True

    def _deliver(self, event: Event) -> Event:
        stamped = self._stamp(event)
        for sub in self._subs:
            sub._offer(stamped)
        return stamped

    def close(self) -> None:
        """No more publishing; subscribers drain what is queued and then see an empty batch."""
        self.closed = True
        for sub in self._subs:
            sub.close()


_set_attribute = object.__setattr__


def stamped_copy(event: Event, seq: int) -> Event:
    """``event.model_copy(update={"seq": seq})``, at half the cost: this runs once per event.

    The same shallow copy pydantic makes (a new ``__dict__`` and fields-set, ``seq`` marked as set),
    without its generic handling of extra fields and private attributes, which events do not have
    (they fall back to `model_copy` should one ever carry them).
    """
    if event.__pydantic_extra__ is not None or event.__pydantic_private__ is not None:
        return event.model_copy(update={"seq": seq})
    cls = type(event)
    copy = cls.__new__(cls)
    fields = event.__dict__.copy()
    fields["seq"] = seq
    fields_set = set(event.__pydantic_fields_set__)
    fields_set.add("seq")
    _set_attribute(copy, "__dict__", fields)
    _set_attribute(copy, "__pydantic_fields_set__", fields_set)
    _set_attribute(copy, "__pydantic_extra__", None)
    _set_attribute(copy, "__pydantic_private__", None)
    return copy


async def consume(sub: Subscription, handle: Callable[[list[Event]], object]) -> None:
    """Feed every batch of `sub` to `handle` until the bus closes. A raising handler is logged and
    the loop goes on: one bad event must not stop a consumer."""
    while True:
        batch = await sub.get_batch()
        if not batch:
            return
        try:
            handle(batch)
        except Exception:  # noqa: BLE001 - the consumer must outlive one bad batch
            log.exception("subscriber %s failed on a batch", sub.name)
