"""Damaged and foreign logs read back as a clean prefix with the damage reported, and bad input is
one readable line and exit 2, never a traceback, a hang or unbounded memory (issue 12, "Proven
crash safety" and "Bad input")."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backstage_tui.events import SCHEMA_VERSION, Event, Hide, Pin
from backstage_tui.session import SessionLogError, SessionReader
from backstage_tui.session.reader import MAX_DAMAGED_RUN
from backstage_tui.session.summary import SUMMARY_TAG
from tests.helpers import chat, is_one_readable_line, record_session, run_cli


async def small_log(folder: Path) -> tuple[Path, list[Event]]:
    """A cleanly closed log of a few events and actions (summary line included), and its events."""
    events = [chat(f"c{n} ✨") for n in range(4)]
    path = await record_session(folder, events, Pin(target=events[1].id), Hide(target=events[2].id))
    return path, SessionReader(path).events()


def line_ends(data: bytes) -> list[int]:
    """The offset just past every newline."""
    return [i + 1 for i, byte in enumerate(data) if byte == 0x0A]


async def test_a_log_cut_at_every_byte_reads_back_as_a_clean_prefix(tmp_path: Path) -> None:
    path, events = await small_log(tmp_path / "logs")
    data = path.read_bytes()
    assert data.splitlines()[-1].startswith(SUMMARY_TAG)
    ends = line_ends(data)
    header_end = ends[0]
    cut = tmp_path / "cut.jsonl"
    for size in range(len(data) + 1):
        cut.write_bytes(data[:size])
        if size < header_end - 1:
            with pytest.raises(SessionLogError) as refused:
                SessionReader(cut)
            assert is_one_readable_line(str(refused.value))
            continue
        reader = SessionReader(cut)
        read = reader.events()
        whole_lines = sum(1 for end in ends[1:] if end <= size)
        expected = events[: min(whole_lines, len(events))]
        assert [e.id for e in read] == [e.id for e in expected], f"cut at {size}"
        assert [e.seq for e in read] == list(range(1, len(read) + 1))
        at_boundary = size in ends or size == 0
        if at_boundary or size == header_end - 1:
            assert reader.problems == [], f"cut at {size}"
        else:
            # At most one torn last line, reported as such; a complete JSON line without its
            # newline (the cut just before a newline) included.
            assert len(reader.problems) == 1, f"cut at {size}: {reader.problems}"
            assert "torn last line" in str(reader.problems[0]) and reader.torn_tail


async def test_a_complete_last_line_without_its_newline_is_a_torn_tail(tmp_path: Path) -> None:
    path, events = await small_log(tmp_path)
    lines = path.read_bytes().split(b"\n")[:-2]  # the summary gone; the last event's line stays
    path.write_bytes(b"\n".join(lines))  # no newline after the last event
    orjson.loads(lines[-1])  # it is whole JSON all the same
    reader = SessionReader(path)
    assert [e.id for e in reader.events()] == [e.id for e in events[:-1]]
    assert reader.torn_tail and "torn last line" in str(reader.problems[0])


async def test_a_nul_filled_tail_is_damage_not_events(tmp_path: Path) -> None:
    path, events = await small_log(tmp_path)
    data = path.read_bytes()
    # What a power cut can leave: the size grew, the blocks never came, the file reads as zeros;
    # with and without a newline among them.
    for tail in (b"\x00" * 4096, b"\x00" * 100 + b"\n" + b"\x00" * 50, b"\x00" * 10 + b"\n"):
        path.write_bytes(data + tail)
        reader = SessionReader(path)
        assert [e.id for e in reader.events()] == [e.id for e in events]
        assert reader.problems and all("NUL" in str(p) for p in reader.problems)
    # The last lines themselves zeroed in place, as a filesystem replays its journal.
    last = data.rstrip(b"\n").rfind(b"\n") + 1
    path.write_bytes(data[:last] + b"\x00" * (len(data) - last))
    reader = SessionReader(path)
    assert [e.id for e in reader.events()] == [e.id for e in events]
    assert len(reader.problems) == 1 and "NUL" in str(reader.problems[0])


# -- bad input, through the real command -----------------------------------------------------


def limited_memory() -> None:
    """The child may not take more than 1.5 GB of address space: reading a 2 GB file into memory
    would fail rather than pass unnoticed."""
    limit = 1536 << 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def show(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backstage_tui.cli", "sessions", "show", str(path), *extra],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=limited_memory,
    )


def refused_in_one_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    message = result.stderr.strip()
    assert is_one_readable_line(message) and message.startswith("backstage: error:")
    for word in words:
        assert word in message


def test_files_that_are_not_logs_are_one_line_and_exit_2(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    refused_in_one_line(show(empty), "is empty")
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(bytes(range(256)) * 64)
    refused_in_one_line(show(binary), "not a backstage session log")
    other = tmp_path / "other.jsonl"
    other.write_bytes(b'{"type":"comment","text":"hi"}\n')
    refused_in_one_line(show(other), "not a backstage session log")
    huge_first_line = tmp_path / "line.jsonl"
    huge_first_line.write_bytes(b'{"type":"header","x":"' + b"a" * (1 << 20) + b'"}\n')
    refused_in_one_line(show(huge_first_line), "not a backstage session log")
    # 2 GB of garbage (sparse: it takes no disk): refused from its first 64 KB.
    garbage = tmp_path / "garbage.jsonl"
    with garbage.open("wb") as f:
        f.write(os.urandom(4096))
        f.truncate(2 << 30)
    refused_in_one_line(show(garbage), "not a backstage session log")
    for action in ("show", "repair"):
        refused_in_one_line(run_cli("sessions", action, str(tmp_path / "missing.jsonl")), "no such")


async def test_two_gigabytes_behind_a_header_are_reported_quickly_in_bounded_memory(
    tmp_path: Path,
) -> None:
    path, events = await small_log(tmp_path / "logs")
    data = path.read_bytes()
    big = tmp_path / "big.jsonl"
    with big.open("wb") as f:
        f.write(data)
        f.write(os.urandom(1 << 20))  # a megabyte of random bytes, then zeros to 2 GB
        f.truncate(2 << 30)
    result = show(big)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert f"events {len(events)}" in result.stdout  # the clean prefix is all there
    assert "damaged" in result.stdout and "stopped reading" in result.stdout
    assert f"{MAX_DAMAGED_RUN >> 20} MiB without one readable line" in result.stdout


def test_a_log_of_a_newer_format_is_read_and_says_so(tmp_path: Path) -> None:
    newer = tmp_path / "newer.jsonl"
    head = {"type": "header", "schema_version": SCHEMA_VERSION + 1, "source": "demo",
            "started": "2026-11-29T01:02:03Z", "hologram": {"x": 1}}  # fmt: skip
    comment = {"type": "comment", "id": "c1", "ts": 1.0, "seq": 1, "text": "hi", "glow": True,
               "user": {"id": "1", "handle": "ann", "name": "Ann"}}  # fmt: skip
    unknown = {"type": "teleport", "id": "t1", "ts": 2.0, "seq": 2}
    newer.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in (head, comment, unknown)))
    result = show(newer)
    assert result.returncode == 0, result.stderr
    assert "events 1" in result.stdout
    assert f"version {SCHEMA_VERSION + 1}, newer than this backstage reads" in result.stdout
    assert "damaged   1 lines skipped" in result.stdout


# -- sessions repair ---------------------------------------------------------------------------


async def test_repair_writes_a_clean_copy_and_never_changes_the_original(tmp_path: Path) -> None:
    path, events = await small_log(tmp_path / "logs")
    lines = path.read_bytes().split(b"\n")[:-2]  # no summary: a crash before the close
    lines.insert(3, b'{"type":"comment","id":"x","te')  # a corrupt line in the middle
    lines.insert(5, b"\x00" * 30)  # a NUL-filled one
    damaged = b"\n".join(lines) + b"\n" + b'{"type":"comment","id":"torn","ts":1,"se'
    path.write_bytes(damaged)

    result = run_cli("sessions", "repair", str(path))
    assert result.returncode == 0, result.stderr
    assert path.read_bytes() == damaged  # the original, byte for byte
    out = path.with_name(path.name.removesuffix(".jsonl") + ".repaired.jsonl")
    side = out.with_name(out.name.removesuffix(".jsonl") + ".damaged.txt")
    assert str(out) in result.stdout and str(side) in result.stdout
    assert "3 lines moved" in result.stdout and "torn last line" in result.stdout
    reader = SessionReader(out)
    assert [e.id for e in reader.events()] == [e.id for e in events]
    assert reader.problems == []
    kept = side.read_bytes().split(b"\n")
    assert kept[0].startswith(b'line 4 (corrupt): {"type":"comment"')
    assert kept[1] == b"line 6 (30 NUL bytes): "
    assert kept[2].startswith(b"line 10 (torn last line, no newline): {")

    # Never over anything: not a second copy, not the original.
    again = run_cli("sessions", "repair", str(path))
    refused_in_one_line(again, "already exists")
    refused_in_one_line(run_cli("sessions", "repair", str(path), "-o", str(path)), "log itself")
    assert path.read_bytes() == damaged


async def test_repairing_a_sound_log_gives_the_same_bytes_and_summary(tmp_path: Path) -> None:
    path, _ = await small_log(tmp_path / "logs")
    out = tmp_path / "copy.jsonl"
    result = run_cli("sessions", "repair", str(path), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "damaged:    none found" in result.stdout
    assert out.read_bytes() == path.read_bytes()
    assert not (tmp_path / "copy.damaged.txt").exists()
    report = run_cli("sessions", "show", str(out))
    assert "summary written at close" in report.stdout


# -- any bytes at all --------------------------------------------------------------------------

HEADER_LINE = (
    b'{"type":"header","schema_version":2,"source":"demo","started":"2026-11-29T01:02:03Z"}\n'
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.binary(max_size=3000), with_header=st.booleans())
def test_any_bytes_read_back_without_a_traceback(
    tmp_path: Path, body: bytes, with_header: bool
) -> None:
    """Whatever the file holds, the reader either refuses it with one readable line or reads it,
    its events in file order and every other line reported."""
    path = tmp_path / "any.jsonl"
    path.write_bytes((HEADER_LINE if with_header else b"") + body)
    try:
        reader = SessionReader(path)
    except SessionLogError as refused:
        assert is_one_readable_line(str(refused))
        return
    events = reader.events()
    assert reader.damaged == len(reader.problems) <= body.count(b"\n") + 1
    assert len(events) + reader.damaged <= body.count(b"\n") + 1
    for problem in reader.problems:
        assert is_one_readable_line(str(problem))
