"""Properties of hostile text, floods and faults, checked for any input Hypothesis can think of.

- Rendering: any name or comment gives one feed line that never raises, carries no action, click or
  link, holds no control, format or bidi character (ZWJ aside) and has a bounded cell width.
- The log: ``replay(record(events)) == events`` for any text, including U+0085, U+2028, emoji and
  100 KB strings. A lone surrogate (no UTF-8 form) is recorded as U+FFFD rather than crashing the
  recorder or losing the event; a jsonl line that spells one is a `Malformed` event.
- Floods: ``shown + skipped == published`` for a ``latest`` subscription, the log's ``seq`` is
  gap-free, and a stateful mix of publish, flood, malformed payloads, disconnects, a slow lossless
  subscriber and a raising handler never stops the bus.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
import unicodedata
from collections.abc import Coroutine
from datetime import UTC
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from pydantic import ValidationError
from rich.cells import cell_len
from rich.console import Console

from backstage_tui.bus import BusClosed, EventBus, consume
from backstage_tui.events import (
    Comment,
    Connection,
    Event,
    Gift,
    Malformed,
    User,
)
from backstage_tui.runtime import SessionRuntime
from backstage_tui.safetext import BIDI_CONTROLS, DEFAULT_LIMIT, NAME_LIMIT, ZWJ, display
from backstage_tui.session import SessionReader, SessionRecorder
from backstage_tui.sources.jsonl import parse_line
from tests.helpers import (
    HOSTILE_SEQUENCES,
    KINDS,
    ListSource,
    any_text,
    build,
    header,
)

T = TypeVar("T")
SURROGATE = re.compile("[\ud800-\udfff]")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


async def record_and_replay(events: list[Event], folder: Path) -> tuple[list[Event], list[Event]]:
    """Publish `events` through a bus to a real recorder; return (as published, as read back)."""
    path = folder / "s.jsonl"
    bus = EventBus()
    recorder = SessionRecorder(path, header())
    await recorder.open()
    task = asyncio.create_task(recorder.run(bus.subscribe("recorder")))
    published = [await bus.publish(event) for event in events]
    bus.close()
    await task
    assert recorder.error is None and recorder.unwritten == 0
    assert recorder.written == len(events)
    reader = SessionReader(path)
    replayed = reader.events()
    assert reader.problems == []
    return published, replayed


# -- the log ----------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(KINDS), any_text, any_text), min_size=1, max_size=12))
def test_replay_of_record_is_the_events_for_any_text(items: list[tuple[str, str, str]]) -> None:
    events = [build(kind, name, text, n) for n, (kind, name, text) in enumerate(items)]
    with tempfile.TemporaryDirectory() as folder:
        published, replayed = run(record_and_replay(events, Path(folder)))
    # What a log can hold: the same text, with a lone surrogate (no UTF-8 form) as U+FFFD.
    expected = [
        build(kind, SURROGATE.sub("\ufffd", name), SURROGATE.sub("\ufffd", text), n).model_copy(
            update={"seq": n + 1}
        )
        for n, (kind, name, text) in enumerate(items)
    ]
    assert replayed == expected
    clean = [e for e, (_, name, text) in zip(published, items, strict=True)
             if not SURROGATE.search(name + text)]  # fmt: skip
    assert all(e in replayed for e in clean)  # surrogate-free events come back exactly


async def test_huge_and_odd_text_round_trips_exactly(tmp_path: Path) -> None:
    odd = "".join(HOSTILE_SEQUENCES[:-2])  # everything but the lone surrogates
    big = (odd + "\U0001f600 ok \u0301") * (100_000 // len(odd))
    events = [
        build("comment", "\x85name\u2028", big, 0),
        build("comment", big[:20_000], "x", 1),
        build("comment", "n", "y" * 1_000_000, 2),
    ]
    published, replayed = await record_and_replay(events, tmp_path)
    assert len(big) >= 100_000
    assert replayed == published


async def test_a_lone_surrogate_does_not_stop_the_recorder(tmp_path: Path) -> None:
    # Python's json module decodes "\ud800" into a lone surrogate, so a source can produce one.
    events = [
        build("comment", "a", "before", 0),
        build("comment", "\ud83d", "half an emoji \ud83d and \ude00", 1),
        build("comment", "c", "after", 2),
    ]
    _, replayed = await record_and_replay(events, tmp_path)
    assert [e.text for e in replayed if isinstance(e, Comment)] == [
        "before",
        "half an emoji \ufffd and \ufffd",
        "after",
    ]
    assert replayed[1].user.name == "\ufffd"  # type: ignore[union-attr]


def test_a_jsonl_line_spelling_a_lone_surrogate_is_a_malformed_event() -> None:
    event = parse_line(b'{"type":"comment","user":{"id":"1"},"text":"x\\ud800y"}', 7)
    assert isinstance(event, Malformed)
    assert "line 7" in event.error


def test_numbers_no_log_or_screen_can_hold_are_refused(tmp_path: Path) -> None:
    huge = 10**4000  # JSON parses it; `f"{huge:,}"` would raise in every pane that prints it
    for bad in ({"diamonds": huge}, {"repeat_count": -(10**30)}, {"ts": float("inf")},
                {"ts": float("nan")}):  # fmt: skip
        with pytest.raises(ValidationError):
            Gift.model_validate({"user": {"id": "1"}, **bad})
    # From a jsonl feed: a readable Malformed event, not a crash.
    line = b'{"type":"gift","user":{"id":"1"},"diamonds":' + b"9" * 4000 + b"}"
    event = parse_line(line, 3)
    assert isinstance(event, Malformed) and "line 3" in event.error
    # From a session log: the line is skipped and reported, the rest is read.
    log = tmp_path / "s.jsonl"
    header_line = header().model_dump_json().encode()
    good = b'{"type":"comment","user":{"id":"1"},"text":"ok"}'
    log.write_bytes(b"\n".join([header_line, line, good]) + b"\n")
    reader = SessionReader(log)
    assert [e.type for e in reader.events()] == ["comment"]
    assert len(reader.problems) == 1 and reader.problems[0].line == 2


# -- rendering ----------------------------------------------------------------------------------

feed_lines = pytest.importorskip("backstage_tui.tui.feed_lines")
LINE_CELLS = 60 + 2 * (NAME_LIMIT + 20) + 2 * (DEFAULT_LIMIT + 24)
"""Clock, badges and marks, then a cut name and a cut comment (each character at most two cells,
marks none, plus the "… (+N chars)" note)."""


def assert_inert_and_clean(text: str, segments: list[Any]) -> None:
    for ch in text:
        category = unicodedata.category(ch)
        assert category not in ("Cc", "Cs", "Zl", "Zp"), repr(ch)
        assert category != "Cf" or ch == ZWJ, repr(ch)
        assert ch not in BIDI_CONTROLS, repr(ch)
    for segment in segments:
        style = segment.style
        if style is None:
            continue
        assert not style.link, segment
        assert not any(key.startswith("@") for key in (style.meta or {})), segment


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(KINDS), name=any_text, text=any_text, hidden=st.booleans())
def test_any_text_renders_inert_clean_and_bounded(
    kind: str, name: str, text: str, hidden: bool
) -> None:
    event = build(kind, name, text, 1)
    line = feed_lines.event_line(event, hidden=hidden, pinned=not hidden, tz=UTC)
    segments = list(line.render(Console(width=4000, color_system="truecolor")))
    assert "\n" not in line.plain
    assert_inert_and_clean(line.plain, segments)
    assert cell_len(line.plain) <= LINE_CELLS


@settings(max_examples=200, deadline=None)
@given(text=any_text, limit=st.integers(min_value=1, max_value=600))
def test_display_cell_width_is_bounded(text: str, limit: int) -> None:
    shown = display(text, limit)
    assert cell_len(shown) <= 2 * limit + len(f"… (+{len(text):,} chars)")


# -- floods -------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    maxsize=st.integers(min_value=1, max_value=300),
    bursts=st.lists(st.integers(min_value=0, max_value=600), max_size=12),
    takes=st.lists(st.one_of(st.none(), st.integers(min_value=1, max_value=400)), max_size=12),
)
def test_under_a_flood_shown_plus_skipped_is_published(
    maxsize: int, bursts: list[int], takes: list[int | None]
) -> None:
    async def flood() -> None:
        bus = EventBus()
        ui = bus.subscribe("ui", "latest", maxsize)
        log = bus.subscribe("log", "lossless", 1 << 20)
        shown: list[Event] = []
        for n, burst in enumerate(bursts):
            for _ in range(burst):
                await bus.publish(Comment(user=User(id="u"), text="flood"))
            limit = takes[n] if n < len(takes) else None
            shown.extend(ui.take_nowait(limit))
        shown.extend(ui.take_nowait())
        assert len(shown) + ui.skipped == bus.published == sum(bursts)
        seqs = [e.seq for e in shown]
        assert seqs == sorted(set(seqs))  # in order, never twice
        if bus.published:
            assert seqs[-1] == bus.published  # the newest is always shown
        assert [e.seq for e in log.take_nowait()] == list(range(1, bus.published + 1))

    run(flood())


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(min_value=0, max_value=3000), ui_size=st.integers(min_value=1, max_value=64))
def test_under_a_flood_the_log_seq_is_gap_free(n: int, ui_size: int) -> None:
    async def session(folder: Path) -> None:
        events = [Comment(user=User(id="u"), text=f"m{i}") for i in range(n)]
        runtime = SessionRuntime(ListSource(events, stay_open=False), sessions_dir=folder)
        ui = runtime.subscribe_ui(maxsize=ui_size)
        await runtime.start()
        await asyncio.wait_for(runtime.wait_source_done(), 30)
        await runtime.close()
        assert len(ui.take_nowait()) + ui.skipped == runtime.bus.published == n
        assert runtime.log_path is not None
        logged = SessionReader(runtime.log_path).events()
        assert [e.seq for e in logged] == list(range(1, n + 1))
        assert [e.text for e in logged if isinstance(e, Comment)] == [e.text for e in events]

    with tempfile.TemporaryDirectory() as folder:
        run(session(Path(folder)))


# -- the bus under a hostile mix ----------------------------------------------------------------


class BusUnderFire(RuleBasedStateMachine):
    """Publish, flood, malformed payloads, disconnects, a slow lossless subscriber, a handler that
    raises, a UI that takes when it can, and close: the bus never stops and never loses a thing."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.bus = EventBus()
        self.published: list[Event] = []
        self.closed = False
        self.slow = self.bus.subscribe("slow", "lossless", maxsize=4)
        self.slow_got: list[Event] = []
        self.raising = self.bus.subscribe("raising", "lossless", maxsize=64)
        self.raising_got: list[Event] = []
        self.raised = 0
        self.ui = self.bus.subscribe("ui", "latest", maxsize=8)
        self.tasks = [
            self.loop.create_task(self._slow_consumer()),
            self.loop.create_task(consume(self.raising, self._choke_on_malformed)),
        ]

    async def _slow_consumer(self) -> None:
        while True:
            batch = await self.slow.get_batch(limit=2)
            if not batch:
                return
            for _ in range(3):
                await asyncio.sleep(0)  # a consumer that lets everyone else run first
            self.slow_got.extend(batch)

    def _choke_on_malformed(self, batch: list[Event]) -> None:
        self.raising_got.extend(batch)
        if any(isinstance(e, Malformed) for e in batch):
            self.raised += 1
            raise ValueError("this subscriber cannot handle malformed payloads")

    def _publish(self, events: list[Event]) -> None:
        async def go() -> None:
            for event in events:
                try:
                    stamped = await self.bus.publish(event)
                except BusClosed:
                    assert self.closed, "BusClosed from an open bus"
                    continue
                assert not self.closed, "published after close"
                self.published.append(stamped)

        self.loop.run_until_complete(asyncio.wait_for(go(), 10))

    @rule(text=any_text)
    def publish(self, text: str) -> None:
        self._publish([Comment(user=User(id="u", name=text), text=text)])

    @rule(n=st.integers(min_value=1, max_value=400))
    def flood(self, n: int) -> None:
        self._publish([Comment(user=User(id="f"), text=f"flood {i}") for i in range(n)])

    @rule(raw=st.binary(max_size=200) | any_text.map(lambda t: t.encode("utf-8", "replace")))
    def malformed_payload(self, raw: bytes) -> None:
        # The jsonl parser is what turns a payload into an event, or a `Malformed` one.
        event = parse_line(raw, 1)
        if event is not None:
            self._publish([event])

    @rule(raw=any_text)
    def malformed_event(self, raw: str) -> None:
        self._publish([Malformed(raw=raw, error="the source could not read this")])

    @rule(status=st.sampled_from(["disconnected", "reconnecting", "connected", "ended"]))
    def connection(self, status: str) -> None:
        self._publish([Connection(status=status, detail="network")])  # type: ignore[arg-type]

    @rule(limit=st.one_of(st.none(), st.integers(min_value=1, max_value=5)))
    def ui_takes(self, limit: int | None) -> None:
        self.ui.take_nowait(limit)

    @precondition(lambda self: not self.closed)
    @rule()
    def close(self) -> None:
        self.closed = True
        self.bus.close()
        self.loop.run_until_complete(asyncio.wait_for(asyncio.gather(*self.tasks), 10))

    def _drain(self) -> None:
        async def settle() -> None:
            for _ in range(100_000):
                if not len(self.slow) and not len(self.raising):
                    # One more turn so the consumers finish the batch they hold.
                    for _ in range(5):
                        await asyncio.sleep(0)
                    if not len(self.slow) and not len(self.raising):
                        return
                await asyncio.sleep(0)

        self.loop.run_until_complete(asyncio.wait_for(settle(), 10))

    @invariant()
    def seq_is_gap_free(self) -> None:
        assert [e.seq for e in self.published] == list(range(1, len(self.published) + 1))
        assert self.bus.published == len(self.published)

    @invariant()
    def lossless_subscribers_got_everything(self) -> None:
        self._drain()
        assert self.slow_got == self.published
        assert self.raising_got == self.published

    @invariant()
    def consumers_outlive_errors(self) -> None:
        for task in self.tasks:
            if self.closed:
                assert task.done() and task.exception() is None
            else:
                assert not task.done(), "a consumer stopped while the bus was open"

    @invariant()
    def ui_counts_add_up(self) -> None:
        ui = self.ui
        assert ui.delivered == self.bus.published
        assert ui.taken + ui.skipped + len(ui) == ui.delivered

    def teardown(self) -> None:
        self.bus.close()
        self.loop.run_until_complete(asyncio.wait_for(asyncio.gather(*self.tasks), 10))
        self.loop.close()


TestBusUnderFire = BusUnderFire.TestCase
TestBusUnderFire.settings = settings(
    max_examples=25,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
