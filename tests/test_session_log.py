import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from backstage_tui.bus import EventBus
from backstage_tui.events import SCHEMA_VERSION, Hide, Viewers
from backstage_tui.session import (
    SessionLogError,
    SessionReader,
    SessionRecorder,
    default_sessions_dir,
    new_log_path,
)
from backstage_tui.session.summary import SessionTotals, read_summary
from backstage_tui.state import ConsoleState
from tests.helpers import chat, header


async def record(path: Path, events: list) -> SessionRecorder:
    bus = EventBus()
    recorder = SessionRecorder(path, header())
    await recorder.open()
    task = asyncio.create_task(recorder.run(bus.subscribe("recorder")))
    for event in events:
        await bus.publish(event)
    bus.close()
    await task
    return recorder


async def test_every_event_in_order_with_gap_free_seq(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    events = [chat(f"m{i} \u2028 \x85 end") for i in range(2000)]
    recorder = await record(path, events)
    assert recorder.written == 2000 and recorder.error is None
    reader = SessionReader(path)
    got = reader.events()
    assert [e.seq for e in got] == list(range(1, 2001))
    assert [e.text for e in got] == [e.text for e in events]
    assert reader.problems == []
    assert reader.header is not None and reader.header.source == "test"


async def test_header_line_is_versioned(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    await record(path, [Viewers(count=1)])
    first = orjson.loads(path.read_bytes().split(b"\n")[0])
    assert first["type"] == "header" and first["schema_version"] == SCHEMA_VERSION == 2
    assert first["started"].startswith("2026-11-29T01:02:03")


async def test_torn_last_line_is_dropped_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    await record(path, [chat("a"), chat("b")])
    with path.open("ab") as f:
        f.write(b'{"type":"comment","user":{"id":"1"},"te')
    reader = SessionReader(path)
    assert [e.text for e in reader.events()] == ["a", "b"]
    assert len(reader.problems) == 1 and "torn" in str(reader.problems[0])


async def test_nul_filled_tail_and_corrupt_middle_line(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    await record(path, [chat("a"), chat("b")])
    lines = path.read_bytes().split(b"\n")
    lines.insert(2, b"{not json")
    path.write_bytes(b"\n".join(lines) + b"\x00" * 64)
    reader = SessionReader(path)
    assert [e.text for e in reader.events()] == ["a", "b"]
    messages = [str(p) for p in reader.problems]
    assert any("line 3" in m and "corrupt" in m for m in messages)
    assert any("NUL" in m for m in messages)


def test_missing_and_foreign_files_give_one_readable_line(tmp_path: Path) -> None:
    with pytest.raises(SessionLogError, match="no such session log"):
        SessionReader(tmp_path / "nope.jsonl")
    other = tmp_path / "other.jsonl"
    other.write_text("hello\n")
    with pytest.raises(SessionLogError, match="not a backstage session log"):
        SessionReader(other)
    with pytest.raises(SessionLogError, match="folder"):
        SessionReader(tmp_path)


async def test_action_forces_fsync_and_write_error_is_sticky_then_recovers(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    path = folder / "s.jsonl"
    recorder = SessionRecorder(path, header(), fsync_interval=3600)
    await recorder.open()
    await recorder.write_batch([chat("a")])
    synced_before = recorder._last_sync
    await recorder.write_batch([Hide(target="x")])
    assert recorder._last_sync > synced_before

    # The disk refuses: the error is shown and nothing is dropped.
    real_write = os.write
    calls = {"n": 0}

    def failing_write(fd: int, data: object) -> int:
        calls["n"] += 1
        raise OSError(28, "No space left on device")

    os.write = failing_write  # type: ignore[assignment]
    try:
        await recorder.write_batch([chat("b")])
        assert recorder.error is not None and "No space left" in recorder.error
        assert recorder.unwritten == 1
    finally:
        os.write = real_write
    await recorder.write_batch([chat("c")])
    assert recorder.error is None and recorder.unwritten == 0
    await recorder.close()
    assert [e.type for e in SessionReader(path).events()] == [
        "comment",
        "hide",
        "comment",
        "comment",
    ]
    assert calls["n"] >= 1


async def test_log_deleted_while_recording_is_recreated_with_its_history(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "s.jsonl"
    recorder = SessionRecorder(path, header(), fsync_interval=0)
    await recorder.open()
    await recorder.write_batch([chat("before")])
    path.unlink()
    path.parent.rmdir()
    await recorder.write_batch([chat("after")])
    events = SessionReader(path).events()
    await recorder.close(SessionTotals.of(ConsoleState.fold(events)))
    assert [e.text for e in SessionReader(path).events()] == ["before", "after"]
    assert recorder.notice and "recreated" in recorder.notice
    # The history was copied back from the open descriptor byte for byte: the summary still holds.
    summary, why_not = read_summary(path)
    assert summary is not None and summary.events == 2, why_not


def test_sessions_dir_prefers_a_local_sessions_folder(tmp_path: Path) -> None:
    assert default_sessions_dir(tmp_path) != tmp_path / "sessions"
    (tmp_path / "sessions").mkdir()
    assert default_sessions_dir(tmp_path) == tmp_path / "sessions"


def test_log_names_are_utc_and_never_collide(tmp_path: Path) -> None:
    started = datetime(2026, 11, 29, 1, 2, 3, tzinfo=UTC)
    first = new_log_path(tmp_path, started, "demo")
    assert first.name == "20261129T010203Z-demo.jsonl"
    first.touch()
    second = new_log_path(tmp_path, started, "demo")
    assert second != first and second.suffix == ".jsonl"
    assert new_log_path(tmp_path, started, "../../etc").parent == tmp_path


async def test_an_event_that_cannot_be_serialised_is_recorded_as_malformed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backstage_tui.session import recorder as recorder_module

    real = recorder_module.log_line

    def picky(event):  # type: ignore[no-untyped-def]
        if getattr(event, "text", "") == "boom":
            raise ValueError("cannot serialise")
        return real(event)

    monkeypatch.setattr(recorder_module, "log_line", picky)
    path = tmp_path / "s.jsonl"
    recorder = await record(path, [chat("a"), chat("boom"), chat("c")])
    assert recorder.written == 3 and recorder.error is None
    got = SessionReader(path).events()
    assert [e.seq for e in got] == [1, 2, 3]
    assert got[1].type == "malformed" and "could not be recorded" in got[1].error
