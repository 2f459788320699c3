"""Seeking is exact: the state the replay index puts back at any point is the state folding the
log from its start gives, whatever snapshot it starts from; and the index never writes."""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections import deque
from dataclasses import fields, is_dataclass
from pathlib import Path

import pytest

from backstage_tui.events import Event, MarkDone
from backstage_tui.runtime import SessionRuntime
from backstage_tui.session import SessionReader, replay_index
from backstage_tui.session.replay_index import (
    MODERATION_TYPES,
    ReplayIndex,
    copy_state,
    replayed,
)
from backstage_tui.sources import replay as replay_source
from backstage_tui.sources.replay import ReplaySource
from backstage_tui.state import ConsoleState
from tests.helpers import wait_for
from tests.replay_logs import record_demo_with_actions

CAPACITY = 40
"""A small feed buffer, so the buffer a seek reads back is often cut by its capacity."""


def as_replayed(path: Path) -> list[Event]:
    """The log's events as a replay hands them over, read by the plain reader."""
    return [replayed(e, n, "replay") for n, e in enumerate(SessionReader(path).events(), 1)]


@pytest.fixture
def small_snapshots(monkeypatch: pytest.MonkeyPatch) -> int:
    every = 64
    monkeypatch.setattr(replay_index, "SNAPSHOT_EVERY", every)
    return every


async def test_the_state_at_every_point_equals_a_fold_from_the_start(
    tmp_path: Path, small_snapshots: int
) -> None:
    log = await record_demo_with_actions(tmp_path, 900)
    events = as_replayed(log)
    index = ReplayIndex.build(log, feed_capacity=CAPACITY)
    assert index.total == len(events)
    assert len(index.snapshots) == len(events) // small_snapshots + 1
    assert [events[p].type in MODERATION_TYPES for p in index.actions] == [True] * len(
        index.actions
    )
    assert len(index.actions) >= 8
    rnd = random.Random(3)
    edges = {0, 1, small_snapshots - 1, small_snapshots, small_snapshots + 1, len(events)}
    edges |= {p + d for p in index.actions for d in (0, 1)}
    for position in sorted(edges | {rnd.randrange(len(events) + 1) for _ in range(40)}):
        expected = ConsoleState.fold(events[:position], CAPACITY)
        assert index.state_at(position) == expected, position
    # A state put back is whole: its parts consult each other, not the state it was copied from.
    # (Marking a question answered asks the Questions list: one asked after the point is not on it.)
    middle = len(events) // 2
    later = next(e for e in events[middle:] if e.type == "question")
    probe = MarkDone(kind="question", target=later.id, ts=events[middle].ts, seq=middle + 1)
    restored, folded = index.state_at(middle), ConsoleState.fold(events[:middle], CAPACITY)
    restored.apply(probe)
    folded.apply(probe)
    assert restored == folded and restored.outcomes[probe.id] == "not on the questions list"
    # The snapshots are copies: putting states back and folding on from them changed none.
    again = index.state_at(len(events))
    assert again == ConsoleState.fold(events, CAPACITY)


async def test_reading_from_any_event_gives_the_logs_events(tmp_path: Path) -> None:
    log = await record_demo_with_actions(tmp_path, 300)
    events = as_replayed(log)
    index = ReplayIndex.build(log)
    for start, stop in ((0, 1), (0, len(events)), (17, 18), (100, 250), (299, 10_000)):
        assert index.events(start, stop) == events[start:stop]
    assert [e for batch in index.batches(123, size=50) for e in batch] == events[123:]


async def test_time_and_actions_are_found(tmp_path: Path) -> None:
    log = await record_demo_with_actions(tmp_path, 600)
    events = as_replayed(log)
    index = ReplayIndex.build(log)
    start = events[0].ts
    assert index.duration == pytest.approx(max(e.ts for e in events) - start)
    at_ten = index.position_at_time(start + 10)
    assert all(e.ts <= start + 10 for e in events[:at_ten])
    assert events[at_ten].ts > start + 10
    first, second = index.actions[0], index.actions[1]
    assert index.next_action(0) == first + 1
    assert index.next_action(first + 1) == second + 1
    assert index.previous_action(second + 1) == first + 1
    assert index.previous_action(first + 1) is None
    assert index.next_action(index.actions[-1] + 1) is None


def test_a_damaged_line_is_passed_over_and_reported(tmp_path: Path) -> None:
    log = asyncio.run(record_demo_with_actions(tmp_path, 200))
    lines = log.read_bytes().split(b"\n")
    lines[50] = b'{"type":"comment", torn'
    log.write_bytes(b"\n".join(lines))
    events = as_replayed(log)
    index = ReplayIndex.build(log, feed_capacity=CAPACITY)
    assert index.total == len(events)
    (problem,) = index.problems
    assert problem.line == 51 and "corrupt line skipped" in problem.message
    assert index.state_at(120) == ConsoleState.fold(events[:120], CAPACITY)


async def test_seeking_in_a_running_replay_puts_back_the_exact_state(
    tmp_path: Path, small_snapshots: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The runtime's state after each seek (back, forward, to an action; put back from a snapshot
    or, a short way forward, played through) is the fold of exactly the events before the target;
    playing on from there ends on the session's own final state. The log's bytes never change."""
    monkeypatch.setattr(replay_source, "FAST_FORWARD", 50)
    log = await record_demo_with_actions(tmp_path, 700)
    digest = hashlib.sha256(log.read_bytes()).hexdigest()
    events = as_replayed(log)
    source = ReplaySource.from_strings({"path": str(log), "speed": "max"})
    source.enable_controls()
    runtime = SessionRuntime(source, feed_capacity=CAPACITY)
    restored: list[int] = []
    runtime.restored.append(lambda: restored.append(runtime.state.last_seq))
    await runtime.start()
    try:
        await wait_for(None, lambda: source.at_end, description="the replay reached its end")
        assert runtime.state == ConsoleState.fold(events, CAPACITY)
        source.set_paused(True)
        for target in (10, 300, 65, 64, 699, 0, 450):
            source.seek_to(target)
            await wait_for(
                None,
                lambda t=target: (
                    source.position == t
                    and not source.where().seeking
                    and runtime.state.last_seq == t
                ),
                description=f"the seek to {target}",
            )
            assert runtime.state == ConsoleState.fold(events[:target], CAPACITY), target
        source.next_action()
        action = next(p for p in range(450, len(events)) if events[p].type in MODERATION_TYPES)
        await wait_for(None, lambda: source.position == action + 1, description="the next action")
        assert runtime.state == ConsoleState.fold(events[: action + 1], CAPACITY)
        source.step()
        await wait_for(None, lambda: runtime.state.last_seq == action + 2, description="one step")
        source.set_paused(False)
        await wait_for(None, lambda: source.at_end and runtime.state.last_seq == len(events),
                       description="played on to the end")  # fmt: skip
        assert runtime.state == ConsoleState.fold(events, CAPACITY)
        assert len(restored) >= 6  # the far seeks put a state back; the near ones played on
    finally:
        await runtime.close()
    assert hashlib.sha256(log.read_bytes()).hexdigest() == digest


async def test_a_copied_state_shares_only_what_never_changes(tmp_path: Path) -> None:
    """`copy_state` (a snapshot's copy) is equal to its original, shares its events and frozen
    records, and shares none of its containers: folding on from the copy leaves the original as
    it was."""
    log = await record_demo_with_actions(tmp_path, 400)
    events = as_replayed(log)
    state = ConsoleState.fold(events[:300])
    copied = copy_state(state)
    assert copied == state
    for part in fields(state):
        original, twin = getattr(state, part.name), getattr(copied, part.name)
        if not is_dataclass(original):
            continue
        assert twin is not original, part.name
        for name, value in vars(original).items():
            if isinstance(value, dict | list | set | deque):
                assert getattr(twin, name) is not value, f"{part.name}.{name}"
    assert copied.feed.items[-1] is state.feed.items[-1]  # the events themselves are shared
    before = ConsoleState.fold(events[:300])
    copied.apply_all(events[300:])
    assert state == before
    assert copied == ConsoleState.fold(events)
