"""Replay is exact: the state after a live session equals the state after replaying its log."""

import asyncio
from pathlib import Path

from backstage_tui.runtime import SessionRuntime
from backstage_tui.session import SessionReader
from backstage_tui.sources.replay import ReplaySource
from backstage_tui.state import ConsoleState
from tests.helpers import chat, record_demo_session, record_session, wait_for


async def test_live_state_equals_replayed_state(tmp_path: Path) -> None:
    live = await record_demo_session(tmp_path)
    assert live.log_path is not None
    replay = SessionRuntime(ReplaySource.from_strings({"path": str(live.log_path), "speed": "max"}))
    assert replay.record is False
    await replay.start()
    await asyncio.wait_for(replay.wait_source_done(), 30)
    await wait_for(
        None,
        lambda: replay.state.last_seq >= live.state.last_seq,
        description=f"the replay folded all {live.state.last_seq} recorded events",
    )
    await replay.close()
    assert replay.state == live.state
    assert replay.state.pins.pinned and replay.state.moderation.hidden


async def test_state_after_every_prefix_matches(tmp_path: Path) -> None:
    live = await record_demo_session(tmp_path, n=400)
    assert live.log_path is not None
    events = SessionReader(live.log_path).events()
    for n in (1, 50, 200, len(events)):
        assert ConsoleState.fold(events[:n]) == ConsoleState.fold(events[:n])
    assert ConsoleState.fold(events) == live.state


async def test_replay_keeps_the_recorded_pace(tmp_path: Path) -> None:
    events = [chat(f"m{i}", ts=1000.0 + i) for i in range(5)]
    log_path = await record_session(tmp_path, events)
    source = ReplaySource.from_strings({"path": str(log_path), "speed": "20"})
    loop = asyncio.get_running_loop()
    start = loop.time()
    got = [e async for e in source.events()]
    assert [e.text for e in got] == [e.text for e in events]
    # 4 s of recorded time at 20x: never faster than 0.2 s.
    assert loop.time() - start >= 0.2
