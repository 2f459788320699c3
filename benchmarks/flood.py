"""`sustained_rate`, `p99_ms` and `burst_catchup_s`: the whole app, headless, under a flood.

One `SessionRuntime` (recorder, reducers) and the real `BackstageApp` (all four panes) run under
Textual's `run_test` on a 120x40 screen. `FloodSource` offers 20,000 events/s of the demo mix in
batches every 5 ms for a warm-up, then for the measured period; then, once everything has settled, a
burst of 50,000 events is published at once. The log is read back at the end: it must hold every
event, in order. A share of the comments (`LONG_SHARE` by default, ``--long-share``) is made
`LONG_COMMENT_CHARS` long, so the feed wraps them over several rows, as real chat makes it do.

- ``sustained_rate``: over the measured period, the slowest of: events published, recorded, folded
  into the state, and taken by the feed (`feed.shown`), per second. Skipped events do not count.
- ``p99_ms``: the 99th percentile, over the events the feed drew, from the moment the event was
  handed to the bus to the first frame that drew it (see `probe`). ``p99_caught_up_ms`` is the same
  over *every* event, drawn or not, up to the first frame that drew it or anything newer.
- ``burst_catchup_s``: from the first event of the burst handed to the bus to the first frame that
  drew the last one.

The flood runs with the default auto-moderation rules plus `automod_cost.TERMS` blocked terms on, as
a live session does (``rules=False`` runs without). With ``sources=3`` three sources share the
offered rate (the burst comes from the first). With ``poll=True`` a poll is open and a share of
the comments are votes (`poll_flood`). A rule's decision is published just before its
message, so an event's seq is not its place in its source's stream: `SeqStamps` notes, by seq, when
the source handed over the event behind each publication.
"""

from __future__ import annotations

import asyncio
import gc
import random
import tempfile
import time
from array import array
from collections.abc import Callable, Sequence
from datetime import UTC
from pathlib import Path

from backstage_tui.automod.engine import AutomodEngine
from backstage_tui.events import Comment, Event
from backstage_tui.runtime import SessionRuntime
from backstage_tui.session import SessionReader
from backstage_tui.state import shows_in_feed

from . import poll_flood
from .automod_cost import blocked_terms, settings
from .common import (
    LONG_SHARE,
    POOL,
    SEED,
    TARGET_RATE,
    FloodSource,
    Metrics,
    demo_events,
    kept_up,
)
from .probe import FrameProbe, MeasuredApp, caught_up_ms, latencies_ms, summary

SCREEN = (120, 40)
SETTLE_TIMEOUT_S = 30.0
LONG_COMMENT_CHARS = 150
"""Long enough to wrap over two or three rows of the feed on the `SCREEN`."""
CHAT_WORDS = (
    "ok", "so", "the", "build", "order", "was", "wild", "last", "night", "and", "chat", "went",
    "crazy", "when", "the", "raid", "came", "in", "can", "you", "do", "that", "again", "please",
)  # fmt: skip

RECORD = True
on_sustained_start: list[Callable[[], None]] = []
"""Called as the measured period starts (the profiler hooks in here)."""


class Counters:
    """How far each consumer got, read off the app."""

    def __init__(self, app: MeasuredApp) -> None:
        runtime = app.runtime
        self.t = time.perf_counter()
        self.published = runtime.bus.published
        # Without a recorder (an experiment), nothing waits on it.
        self.recorded = runtime.recorder.written if runtime.recorder else self.published
        self.folded = runtime.state.last_seq
        self.shown = app.feed.shown
        self.skipped = app.feed.skipped
        self.pending = app.feed.pending_count

    @property
    def backlog(self) -> int:
        """Events published but not yet through the slowest consumer."""
        ui = self.shown + self.skipped + self.pending
        return self.published - min(self.recorded, self.folded, ui)


class SeqStamps:
    """When each published event's source handed it over, by seq (a rule's decision: the time of
    the message it precedes), and the newest seq that is a feed line while `watch_lines` is on."""

    def __init__(self, runtime: SessionRuntime, sources: Sequence[FloodSource], capacity: int):
        self.at = array("d", bytes(8 * (capacity + 2)))
        self.watch_lines = False
        self.newest_line = 0
        by_name = {source.name: source for source in sources}
        publish, publish_many = runtime.bus.publish, runtime.bus.publish_many
        at = self.at

        def note(stamped: Event) -> None:
            source = by_name.get(stamped.source)
            seq = stamped.seq
            # A decision carries no source: it was published just before the message of the
            # source that pumped last.
            at[seq] = source.handed if source is not None else _latest(sources)
            if self.watch_lines and shows_in_feed(stamped):
                self.newest_line = seq

        async def publishing(event: Event) -> Event:
            stamped = await publish(event)
            note(stamped)
            return stamped

        async def publishing_many(events: Sequence[Event]) -> list[Event]:
            # The runtime publishes a source's batch (and a message with its rule's decision)
            # in one go.
            stamped = await publish_many(events)
            for event in stamped:
                note(event)
            return stamped

        runtime.bus.publish = publishing  # type: ignore[method-assign]
        runtime.bus.publish_many = publishing_many  # type: ignore[method-assign]


def _latest(sources: Sequence[FloodSource]) -> float:
    return max(source.handed for source in sources)


async def wait_for(check: Callable[[], bool], timeout: float = SETTLE_TIMEOUT_S) -> float:
    """Poll every 2 ms; the time it took (raises TimeoutError)."""
    start = time.perf_counter()
    while not check():
        if time.perf_counter() - start > timeout:
            raise TimeoutError("the app did not settle")
        await asyncio.sleep(0.002)
    return time.perf_counter() - start


def with_long_comments(pool: Sequence[Event], share: float, seed: int = SEED) -> list[Event]:
    """`pool` with about `share` of its comments replaced by `LONG_COMMENT_CHARS`-character ones
    (the same choice for the same seed)."""
    chooser = random.Random(seed)
    out: list[Event] = []
    for event in pool:
        if isinstance(event, Comment) and chooser.random() < share:
            words = [event.text]
            while sum(len(word) + 1 for word in words) < LONG_COMMENT_CHARS:
                words.append(chooser.choice(CHAT_WORDS))
            event = event.model_copy(update={"text": " ".join(words)[:LONG_COMMENT_CHARS]})
        out.append(event)
    return out


async def measure(
    *,
    sustained_s: float,
    warmup_s: float,
    burst: int,
    rate: float = TARGET_RATE,
    long_share: float = LONG_SHARE,
    rules: bool = True,
    sources: int = 1,
    poll: bool = False,
) -> Metrics:
    each = int(rate / sources * (warmup_s + sustained_s)) + burst + 10

    def pool(n: int) -> list[Event]:
        events = with_long_comments(demo_events(POOL, seed=SEED + n), long_share)
        return poll_flood.with_votes(events, seed=SEED + n) if poll else events

    floods = [
        FloodSource.cycling(
            pool(n),
            each,
            name="bench" if n == 0 else f"bench{n + 1}",
        )
        for n in range(sources)
    ]
    first = floods[0]
    probe = FrameProbe(each * sources * 2)
    engine = AutomodEngine(settings(blocked_terms())) if rules else None
    with tempfile.TemporaryDirectory(prefix="bench-flood-") as tmp:
        runtime = SessionRuntime(
            sources=floods, sessions_dir=Path(tmp), record=RECORD, automod=engine
        )
        stamps = SeqStamps(runtime, floods, each * sources * 2)
        app = MeasuredApp(runtime, probe, tz=UTC)
        result: Metrics = {"long_share": long_share, "rules": float(rules)}

        async def flood(*phase: object) -> None:
            for source in floods:
                source.run(*phase)
            await asyncio.gather(*(source.idle.wait() for source in floods))

        with probe.watching_feed():
            async with app.run_test(size=SCREEN):
                await wait_for(lambda: len(probe.frames) > 0)
                if poll:
                    await runtime.act(poll_flood.poll_start())
                gc.collect()
                await flood("rate", rate / sources, warmup_s)
                before = Counters(app)
                first_seq = before.published + 1
                backlogs: list[int] = []
                sampler = asyncio.create_task(_sample(app, backlogs))
                for hook in on_sustained_start:
                    hook()
                await flood("rate", rate / sources, sustained_s)
                after = Counters(app)
                sampler.cancel()
                settled = await wait_for(lambda: Counters(app).backlog == 0)
                result.update(
                    _sustained(stamps.at, probe, before, after, first_seq, rate, backlogs)
                )
                result["sustained_settle_s"] = settled

                await asyncio.sleep(0.5)  # a quiet moment, as before a raid
                start_seq = runtime.bus.published + 1
                skipped_before = app.feed.skipped
                stamps.watch_lines = True
                first.run("burst", burst)
                await first.idle.wait()
                last_seq = runtime.bus.published
                # The newest *feed line* of the burst (its very last event may be a viewer count,
                # which the status pane shows rather than the feed).
                target = stamps.newest_line
                # From the first event handed to the bus to the last: the publishing loop itself.
                publish_s = stamps.at[last_seq] - stamps.at[start_seq]
                await wait_for(lambda: probe.newest >= target)
                start = stamps.at[start_seq]
                frame = probe.frame_of(target)
                catchup = (frame - start) if frame is not None else float("nan")
                await wait_for(lambda: Counters(app).backlog == 0)
                result["burst_catchup_s"] = catchup
                result["burst_publish_s"] = publish_s
                result["burst_skipped_on_screen"] = app.feed.skipped - skipped_before
                published = runtime.bus.published
                if poll:
                    result["voters"] = float(runtime.state.polls.polls[0].voters)
                await runtime.close()
                log_path = runtime.log_path
        seqs = (
            [event.seq for batch in SessionReader(log_path).batches() for event in batch]
            if log_path is not None
            else list(range(1, published + 1))  # not recording: nothing to check
        )
        burst_found = sum(1 for s in seqs if start_seq <= s <= last_seq)
        result["burst_log_missing"] = (last_seq - start_seq + 1) - burst_found
        result["log_missing"] = published - len(seqs)
        result["log_in_order"] = float(seqs == list(range(1, len(seqs) + 1)))
    return result


async def _sample(app: MeasuredApp, into: list[int]) -> None:
    while True:
        into.append(Counters(app).backlog)
        await asyncio.sleep(0.05)


def _sustained(
    published_at: Sequence[float],
    probe: FrameProbe,
    before: Counters,
    after: Counters,
    first_seq: int,
    offered: float,
    backlogs: list[int],
) -> Metrics:
    span = after.t - before.t
    rates = {
        "published": (after.published - before.published) / span,
        "recorded": (after.recorded - before.recorded) / span,
        "folded": (after.folded - before.folded) / span,
        "shown": (after.shown - before.shown) / span,
    }
    last_seq = after.published
    drawn = latencies_ms(published_at, probe.drawn_at, first_seq, last_seq)
    passed = caught_up_ms(published_at, probe.frames, first_seq, last_seq)
    frames = sum(1 for t, _ in probe.frames if before.t <= t <= after.t)
    lat = summary(drawn)
    sustained = min(rates.values())
    worst_backlog = max(backlogs, default=0)
    return {
        "sustained_rate": sustained,
        "sustained_offered": offered,
        **{f"sustained_{k}_rate": v for k, v in rates.items()},
        "sustained_kept_up": float(kept_up(sustained, offered, worst_backlog)),
        "sustained_max_backlog": float(worst_backlog),
        "sustained_skipped": float(after.skipped - before.skipped),
        "sustained_drawn": float(len(drawn)),
        "sustained_events": float(after.published - before.published),
        "frames_per_s": frames / span,
        "p50_ms": lat["p50"],
        "p99_ms": lat["p99"],
        "max_ms": lat["max"],
        "p99_caught_up_ms": summary(passed)["p99"],
    }


def run(
    sustained_s: float,
    warmup_s: float,
    burst: int,
    long_share: float = LONG_SHARE,
    *,
    rules: bool = True,
    sources: int = 1,
    poll: bool = False,
) -> Metrics:
    return asyncio.run(
        measure(
            sustained_s=sustained_s,
            warmup_s=warmup_s,
            burst=burst,
            long_share=long_share,
            rules=rules,
            sources=sources,
            poll=poll,
        )
    )
