"""A disk that refuses a write, part-way or at once: the log ends at its last complete line, no
event is written twice, and the summary says what happened (issue 12, "A write error must not
corrupt the log")."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from backstage_tui.events import Event, Hide
from backstage_tui.runtime import SessionRuntime
from backstage_tui.session import SessionReader, SessionRecorder
from backstage_tui.session.report import SessionReport
from backstage_tui.session.summary import SessionTotals, read_summary
from backstage_tui.state import ConsoleState
from backstage_tui.tui.actions import NOT_RECORDED, result_text
from tests.helpers import ListSource, chat, header, wait_for

ENOSPC = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def numbered(first: int, count: int, tag: str = "m") -> list[Event]:
    """`count` comments with seqs from `first`, as the bus would number them."""
    return [chat(f"{tag} {n}").model_copy(update={"seq": n}) for n in range(first, first + count)]


def short_then_refuse(cut: int) -> Callable[[int, memoryview], int]:
    """A write seam whose first call takes only `cut` bytes (none: refuses at once) and whose
    every later call is refused with ENOSPC, as a filling disk does."""
    calls = {"n": 0}

    def write(fd: int, data: memoryview) -> int:
        calls["n"] += 1
        if calls["n"] == 1 and cut > 0:
            return os.write(fd, data[:cut])
        raise ENOSPC

    return write


def assert_whole(path: Path, events: list[Event]) -> None:
    """The log holds exactly `events`, each once, in order, and nothing damaged."""
    reader = SessionReader(path)
    read = reader.events()
    assert reader.problems == []
    assert [e.id for e in read] == [e.id for e in events]
    assert [e.seq for e in read] == list(range(1, len(read) + 1))


async def test_a_write_refused_at_every_point_of_a_batch_is_cut_back_and_written_once(
    tmp_path: Path,
) -> None:
    before, batch, after = numbered(1, 2, "before"), numbered(3, 3, "batch"), numbered(6, 2)
    size = len(b"".join(e.model_dump_json().encode() for e in batch)) + len(batch)
    for cut in range(size):
        path = tmp_path / f"cut{cut}.jsonl"
        recorder = SessionRecorder(path, header())
        await recorder.open()
        await recorder.write_batch(before)
        good = path.read_bytes()

        recorder._os_write = short_then_refuse(cut)  # type: ignore[method-assign]
        await recorder.write_batch(batch)
        assert recorder.error is not None and "No space left" in recorder.error
        assert recorder.unwritten == len(batch)
        # Cut back to the last complete line: nothing of the refused batch is left on disk.
        assert path.read_bytes() == good, f"cut at byte {cut}"

        del recorder._os_write  # the disk has room again
        await recorder.write_batch(after)
        assert recorder.error is None and recorder.unwritten == 0
        everything = before + batch + after
        await recorder.close(SessionTotals.of(ConsoleState.fold(everything)))
        assert_whole(path, everything)
        summary, why_not = read_summary(path)
        assert summary is not None, f"cut at byte {cut}: {why_not}"
        assert summary.write_errors == 1 and summary.held_written == len(batch)
        assert summary.first_error == "No space left on device"


async def test_several_refusals_and_a_failed_cut_back_still_give_a_whole_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.jsonl"
    recorder = SessionRecorder(path, header())
    await recorder.open()
    first, second, third = numbered(1, 3, "a"), numbered(4, 3, "b"), numbered(7, 1, "c")
    await recorder.write_batch(first)
    good = path.read_bytes()
    # A short write, and the truncate refused too: the torn piece stays until the next attempt.
    real_ftruncate = os.ftruncate

    def refuse_truncate(fd: int, length: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "ftruncate", refuse_truncate)
    recorder._os_write = short_then_refuse(17)  # type: ignore[method-assign]
    await recorder.write_batch(second)
    assert path.read_bytes() != good  # the torn piece is there for now
    monkeypatch.setattr(os, "ftruncate", real_ftruncate)
    recorder._os_write = short_then_refuse(5)  # type: ignore[method-assign]
    await recorder.write_batch(third)
    assert path.read_bytes() == good
    assert recorder.unwritten == 4
    del recorder._os_write
    everything = first + second + third
    await recorder.close(SessionTotals.of(ConsoleState.fold(everything)))
    assert_whole(path, everything)
    summary, _ = read_summary(path)
    assert summary is not None and summary.write_errors == 2 and summary.held_written == 4
    report = SessionReport.build(path)
    assert any("closed cleanly after write errors" in line for line in report.lines())
    assert any("4 events were held in memory and written later" in line for line in report.lines())


async def test_a_close_while_the_disk_still_refuses_leaves_no_summary_and_no_torn_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.jsonl"
    recorder = SessionRecorder(path, header())
    await recorder.open()
    first = numbered(1, 2)
    await recorder.write_batch(first)
    recorder._os_write = short_then_refuse(9)  # type: ignore[method-assign]
    await recorder.write_batch(numbered(3, 2))
    await recorder.close(SessionTotals.of(ConsoleState.fold(first)))
    assert recorder.unwritten == 2 and recorder.error is not None
    assert read_summary(path)[0] is None
    assert_whole(path, first)


# -- a real small disk ------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 300 KB tmpfs of its own, where mounting is allowed (root, or a user namespace is not
    enough: the test needs a real filesystem that fills up)."""
    where = tmp_path / f"small-{uuid.uuid4().hex[:6]}"
    where.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command here")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip() or 'refused'}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def grow(disk: Path) -> None:
    subprocess.run(["mount", "-o", "remount,size=4m", str(disk)], check=True, capture_output=True)


async def test_a_full_disk_then_room_again_gives_a_whole_log_with_its_summary(
    small_disk: Path,
) -> None:
    path = small_disk / "s.jsonl"
    recorder = SessionRecorder(path, header())
    await recorder.open()
    sent: list[Event] = []
    seq = 1
    while recorder.error is None:
        batch = numbered(seq, 7, "fill" + "x" * 40)
        seq += len(batch)
        sent += batch
        await recorder.write_batch(batch)
        assert seq < 100_000, "the 300 KB disk never filled"
    assert "No space left" in recorder.error
    # A full disk keeps refusing; the file ends at a complete line all the while.
    for _ in range(3):
        batch = numbered(seq, 5, "held")
        seq += len(batch)
        sent += batch
        await recorder.write_batch(batch)
        assert path.read_bytes().endswith(b"\n")
    held = recorder.unwritten
    assert held >= 15
    grow(small_disk)
    batch = numbered(seq, 3, "after")
    sent += batch
    await recorder.write_batch(batch)
    assert recorder.error is None and recorder.unwritten == 0
    assert recorder.notice is not None and "written later" in recorder.notice
    await recorder.close(SessionTotals.of(ConsoleState.fold(sent)))
    assert_whole(path, sent)
    summary, why_not = read_summary(path)
    assert summary is not None, why_not
    assert summary.write_errors >= 1 and summary.held_written == held


# -- what an action says when the log is failing -------------------------------------------------


async def test_an_action_is_reported_done_only_once_it_is_in_the_log(tmp_path: Path) -> None:
    runtime = SessionRuntime(ListSource([chat("one"), chat("two")]), sessions_dir=tmp_path)
    await runtime.start()
    recorder = runtime.recorder
    assert recorder is not None and runtime.log_path is not None
    await wait_for(None, lambda: runtime.state.last_seq >= 2, description="two comments folded")
    target = runtime.state.feed.items[0].id
    result = await runtime.act(Hide(target=target))
    assert result.changed and result.recorded
    # On disk the moment the toast can say so: read with no close, no wait.
    assert any(e.type == "hide" for e in SessionReader(runtime.log_path).events())

    # The disk refuses: the action applies on screen, and says it is not in the log.
    recorder._os_write = short_then_refuse(3)  # type: ignore[method-assign]
    result = await runtime.act(Hide(target=runtime.state.feed.items[1].id))
    assert result.changed and not result.recorded
    text, severity = result_text(result)
    assert NOT_RECORDED in text and severity == "warning"
    status = runtime.status()
    assert status.log_health == "failing" and status.events_unwritten == 1
    del recorder._os_write
    await runtime.close()
    kinds = [e.type for e in SessionReader(runtime.log_path).events()]
    assert kinds == ["comment", "comment", "hide", "hide"]
    assert read_summary(runtime.log_path)[0] is not None


async def test_a_file_cut_short_by_something_else_is_not_padded_with_nuls(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    recorder = SessionRecorder(path, header())
    await recorder.open()
    first = numbered(1, 3)
    await recorder.write_batch(first)
    recorder._os_write = short_then_refuse(4)  # type: ignore[method-assign]
    await recorder.write_batch(numbered(4, 1))
    # Meanwhile someone cuts the file in the middle of its second event line.
    lines = path.read_bytes().split(b"\n")
    os.truncate(path, len(lines[0]) + len(lines[1]) + 2 + 10)
    del recorder._os_write
    later = numbered(4, 2)
    await recorder.write_batch(later[1:])
    await recorder.close()
    data = path.read_bytes()
    assert b"\x00" not in data
    reader = SessionReader(path)
    assert [e.seq for e in reader.events()] == [1, 4, 5] and reader.problems == []
    assert recorder.notice is not None and "cut short" in recorder.notice
