"""`SessionRuntime.status()`: the one snapshot the Status pane and the exit report read.

Headless: the snapshot comes from a real runtime (source, bus, recorder, state) and Textual is
never imported (`tests/test_status_pane.py` draws snapshots).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from backstage_tui import cli
from backstage_tui.events import Connection
from backstage_tui.runtime import SessionRuntime
from backstage_tui.sources.base import Source
from backstage_tui.sources.jsonl import JsonlSource
from backstage_tui.sources.replay import ReplaySource
from tests.helpers import (
    FakeSource,
    ListSource,
    chat,
    record_demo_session,
    runtime_status,
    wait_for,
)


async def test_a_recorded_session_from_start_to_close(tmp_path: Path) -> None:
    events = [Connection(status="connected"), *(chat(f"m{i}") for i in range(20))]
    runtime = SessionRuntime(FakeSource(events), sessions_dir=tmp_path)
    before = runtime.status()
    assert before.log_health == "off" and not before.recording and before.log_path is None
    assert before.link == "connecting" and before.source == "fake · test"

    await runtime.start()
    await wait_for(
        None, lambda: runtime.status().events_recorded == 21, description="21 events recorded"
    )
    status = runtime.status()
    assert status.recording and status.log_health == "ok"
    assert status.log_path == runtime.log_path and status.log_path is not None
    assert status.log_path.parent == tmp_path
    assert status.link == "connected"
    assert status.events_unwritten == 0 and status.log_error is None
    assert status.source_error is None and not status.source_finished
    assert status.source_problems == ()
    await runtime.close()


async def test_the_snapshot_is_a_frozen_copy(tmp_path: Path) -> None:
    runtime = SessionRuntime(ListSource([chat("a")], stay_open=False), sessions_dir=tmp_path)
    await runtime.start()
    first = runtime.status()
    await runtime.wait_source_done()
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.source_finished = True  # type: ignore[misc]
    assert not first.source_finished and runtime.status().source_finished
    await runtime.close()


async def test_a_failing_disk_shows_as_failing_with_the_events_it_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = SessionRuntime(ListSource(), sessions_dir=tmp_path)
    await runtime.start()

    def no_space(fd: int, data: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", no_space)
    for i in range(3):
        await runtime.publish(chat(f"held {i}"))
    await wait_for(
        None, lambda: runtime.status().events_unwritten == 3, description="3 events held unwritten"
    )
    failing = runtime.status()
    assert failing.log_health == "failing" and failing.recording
    assert failing.log_error is not None and "No space left" in failing.log_error
    assert failing.events_recorded == 0

    monkeypatch.undo()
    await runtime.publish(chat("the disk is back"))
    await wait_for(
        None,
        lambda: runtime.status().events_recorded == 4,
        description="the held events written once the disk took them",
    )
    healed = runtime.status()
    assert healed.log_health == "ok" and healed.log_error is None and healed.events_unwritten == 0
    await runtime.close()


async def test_a_replay_reports_the_damaged_lines_it_skipped(tmp_path: Path) -> None:
    recorded = await record_demo_session(tmp_path / "rec", n=300)
    assert recorded.log_path is not None
    damaged = tmp_path / "damaged.jsonl"
    lines = recorded.log_path.read_bytes().split(b"\n")
    lines.insert(5, b'{"type":"comment","user":')  # a corrupt line in the middle
    damaged.write_bytes(b"\n".join(lines))

    source = ReplaySource.from_strings({"path": str(damaged), "speed": "max"})
    runtime = SessionRuntime(source, sessions_dir=tmp_path / "unused")
    await runtime.start()
    await runtime.wait_source_done()
    status = runtime.status()
    await runtime.close()
    assert not status.source_records and status.log_health == "off" and status.log_path is None
    assert status.source_finished
    assert len(status.source_problems) == 1
    assert status.source_problems[0].startswith("line 6: corrupt line skipped")
    assert status.source.startswith("replay damaged.jsonl @ max")


async def test_a_source_that_fails_is_in_the_runtime_status(tmp_path: Path) -> None:
    class Broken(Source):
        name = "broken"

        async def events(self):  # type: ignore[override]
            yield chat("first")
            raise ConnectionError("server went away")

    runtime = SessionRuntime(Broken(), sessions_dir=tmp_path)
    await runtime.start()
    await wait_for(
        None,
        lambda: runtime.status().source_error is not None,
        description="the source's failure in the snapshot",
    )
    status = runtime.status()
    assert status.source_error == "source 'broken' failed: ConnectionError: server went away"
    assert not status.source_finished
    await runtime.close()


def test_what_the_cli_asks_of_a_source(tmp_path: Path) -> None:
    plain = ListSource()
    assert plain.reads_stdin is False and plain.problems() == ()
    path = tmp_path / "in.jsonl"
    path.write_text("")
    assert JsonlSource.from_strings({"path": str(path)}).reads_stdin is False


# -- what is printed from a snapshot ----------------------------------------------------------------


def test_the_exit_report_reads_the_runtime_status(capsys: pytest.CaptureFixture[str]) -> None:
    cli._report(
        runtime_status(
            log_health="failing",
            log_error="session log failing: disk full",
            events_unwritten=3,
            source_problems=("line 6: corrupt",),
        )
    )
    out, err = capsys.readouterr()
    assert out == "session log: /logs/s.jsonl (12 events)\n"
    assert "the session log is incomplete: session log failing: disk full (3 events" in err
    assert "1 damaged lines skipped, first: line 6: corrupt" in err

    cli._report(runtime_status(log_health="off", log_path=None))
    out, err = capsys.readouterr()
    assert out == "" and err == ""
