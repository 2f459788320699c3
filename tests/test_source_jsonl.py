import asyncio
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import orjson
import pytest

from backstage_tui.bus import EventBus
from backstage_tui.events import Comment, Event, Gift, Malformed, Viewers
from backstage_tui.session import SessionHeader, SessionRecorder
from backstage_tui.sources import SourceError, jsonl, load_source
from backstage_tui.sources.jsonl import JsonlSource, LineDecoder

MINIMAL = '{"type":"comment","user":{"id":"1","handle":"ann","name":"Ann"},"text":"hi"}'


def line(**data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


def comment_line(text: str, **more: object) -> str:
    return line(
        type="comment", user={"id": "u1", "handle": "ann", "name": "Ann"}, text=text, **more
    )


def write(path: Path, *lines: str, end: str = "\n") -> Path:
    path.write_bytes((end.join(lines) + end).encode())
    return path


async def read_all(path: Path, **options: str) -> list[Event]:
    source = JsonlSource.from_strings({"path": str(path), **options})
    return [event async for event in source.events()]


async def test_minimal_line_gets_id_and_time(tmp_path: Path) -> None:
    before = time.time()
    [event] = await read_all(write(tmp_path / "in.jsonl", MINIMAL))
    assert isinstance(event, Comment)
    assert event.text == "hi" and event.user.handle == "ann" and event.user.name == "Ann"
    assert event.id.startswith("bs-")
    assert before <= event.ts <= time.time()
    assert event.seq == 0


async def test_given_id_and_ts_are_kept_and_seq_is_dropped(tmp_path: Path) -> None:
    path = write(tmp_path / "in.jsonl", comment_line("x", id="m-1", ts=1700000000.5, seq=42))
    [event] = await read_all(path)
    assert event.id == "m-1" and event.ts == 1700000000.5 and event.seq == 0


async def test_header_and_blank_lines_are_skipped(tmp_path: Path) -> None:
    header = line(type="header", schema_version=1, source="demo", started="2026-01-01T00:00:00Z")
    path = write(
        tmp_path / "in.jsonl", header, "", "   ", MINIMAL, "", line(type="viewers", count=5)
    )
    events = await read_all(path)
    assert [e.type for e in events] == ["comment", "viewers"]


async def test_malformed_lines_are_reported_and_reading_goes_on(tmp_path: Path) -> None:
    path = write(
        tmp_path / "in.jsonl",
        MINIMAL,
        "{not json",
        "[1, 2]",
        line(type="gift", user={}),
        line(type="no-such-type"),
        line(text="no type"),
        comment_line("still here"),
    )
    events = await read_all(path)
    assert [e.type for e in events] == ["comment"] + ["malformed"] * 5 + ["comment"]
    bad = [e for e in events if isinstance(e, Malformed)]
    assert bad[0].raw == "{not json" and bad[0].error.startswith("line 2: not JSON")
    assert bad[1].error == "line 3: not a JSON object"
    assert bad[2].error.startswith("line 4: gift.user.id")
    assert bad[3].error == "line 5: unknown event type 'no-such-type'"
    assert bad[4].error == 'line 6: no "type" field'
    assert all(len(e.error) <= jsonl.MAX_ERROR for e in bad)
    assert events[-1].text == "still here"


async def test_malformed_raw_is_cut(tmp_path: Path) -> None:
    [event] = await read_all(write(tmp_path / "in.jsonl", "x" * 10000))
    assert isinstance(event, Malformed) and len(event.raw) == 2000


async def test_line_separators_inside_text_are_not_line_ends(tmp_path: Path) -> None:
    text = "one\u2028two\u2029three\x85four\x0bfive\x0csix\rseven"
    path = write(tmp_path / "in.jsonl", comment_line(text), MINIMAL)
    raw = path.read_bytes()
    assert "\u2028".encode() in raw and b"\xc2\x85" in raw  # really raw in the file, not escaped
    events = await read_all(path)
    assert [e.type for e in events] == ["comment", "comment"]
    assert events[0].text == text


async def test_invalid_utf8_is_replaced_not_rejected(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    good = comment_line("caf\u00e9").encode()
    path.write_bytes(good.replace("\u00e9".encode(), b"\xff") + b"\n")
    [event] = await read_all(path)
    assert isinstance(event, Comment) and event.text == "caf\ufffd"


async def test_crlf_and_missing_final_newline(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes((MINIMAL + "\r\n" + comment_line("last")).encode())
    events = await read_all(path)
    assert [e.text for e in events] == ["hi", "last"]


async def test_hostile_text_passes_through_untouched(tmp_path: Path) -> None:
    texts = ["[@click=app.quit]x[/]", "a [/] b", "\x1b]0;pwned\x07", "\u202egnp.exe", "b\u200ban"]
    events = await read_all(write(tmp_path / "in.jsonl", *(comment_line(t) for t in texts)))
    assert [e.text for e in events] == texts


async def test_a_recorded_session_log_can_be_fed_back(tmp_path: Path) -> None:
    # The real recorder writes the log; the jsonl source must read it as input.
    log_path = tmp_path / "session.jsonl"
    header = SessionHeader(source="test", started=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    bus = EventBus()
    recorder = SessionRecorder(log_path, header)
    await recorder.open()
    task = asyncio.create_task(recorder.run(bus.subscribe("recorder")))
    originals: list[Event] = [
        Comment(id="c1", ts=1.0, user={"id": "1", "handle": "a"}, text="hi \u2028 there"),  # type: ignore[arg-type]
        Gift(id="g1", ts=2.0, user={"id": "2"}, gift_name="Rose", diamonds=1, streak_end=True),  # type: ignore[arg-type]
        Viewers(id="v1", ts=3.0, count=300),
    ]
    for event in originals:
        await bus.publish(event)
    bus.close()
    await task
    await recorder.close()
    assert log_path.read_bytes().count(b'"seq":') == 3
    events = await read_all(log_path)
    # Everything but `seq`, which the bus gives anew (the originals carry the one they were logged with).
    assert [e.model_dump(exclude={"seq"}) for e in events] == [
        e.model_dump(exclude={"seq"}) for e in originals
    ]
    assert [e.seq for e in originals] == [1, 2, 3] and [e.seq for e in events] == [0, 0, 0]


async def test_big_file_across_chunk_boundaries(tmp_path: Path) -> None:
    # Lines of varying length so many of them straddle the 64 KiB reads.
    lines = [comment_line(f"{i} " + "é" * (i % 97)) for i in range(20000)]
    events = await read_all(write(tmp_path / "in.jsonl", *lines))
    assert len(events) == 20000
    assert all(isinstance(e, Comment) for e in events)
    assert [e.text.split(" ")[0] for e in events] == [str(i) for i in range(20000)]


async def test_over_long_line_is_dropped_and_reading_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jsonl, "MAX_LINE", 100_000)
    path = write(tmp_path / "in.jsonl", MINIMAL, comment_line("x" * 300_000), comment_line("after"))
    events = await read_all(path)
    assert [e.type for e in events] == ["comment", "malformed", "comment"]
    assert isinstance(events[1], Malformed) and events[1].error.startswith("line 2: longer than")
    assert events[2].text == "after"


def test_decoder_gives_the_same_events_whatever_the_chunking() -> None:
    data = "\n".join([MINIMAL, "bad", comment_line("z\u2028z"), ""]).encode()
    whole = LineDecoder().feed(data)
    decoder = LineDecoder()
    pieces: list[Event] = []
    for i in range(len(data)):
        pieces.extend(decoder.feed(data[i : i + 1]))
    assert not decoder.pending
    strip = [(e.type, getattr(e, "text", None), getattr(e, "error", None)) for e in whole]
    assert strip == [(e.type, getattr(e, "text", None), getattr(e, "error", None)) for e in pieces]
    assert [e.type for e in whole] == ["comment", "malformed", "comment"]


# --- follow -----------------------------------------------------------------------------


async def next_event(events: AsyncIterator[Event], timeout: float = 5.0) -> Event:
    return await asyncio.wait_for(anext(events), timeout)


async def test_follow_picks_up_appended_lines(tmp_path: Path) -> None:
    path = write(tmp_path / "grow.jsonl", comment_line("first"))
    source = JsonlSource.from_strings({"path": str(path), "follow": "true"})
    events = source.events()
    try:
        assert (await next_event(events)).text == "first"
        # Nothing more yet: the source waits rather than ending.
        pending = asyncio.ensure_future(anext(events))
        await asyncio.sleep(0.35)
        assert not pending.done()
        with path.open("ab") as f:
            f.write((comment_line("second") + "\n").encode())
        assert (await asyncio.wait_for(pending, 5)).text == "second"
        # A partial line waits for its newline instead of becoming a malformed event.
        whole = comment_line("third").encode()
        with path.open("ab") as f:
            f.write(whole[:20])
        waiting = asyncio.ensure_future(anext(events))
        await asyncio.sleep(0.35)
        assert not waiting.done()
        with path.open("ab") as f:
            f.write(whole[20:] + b"\n")
        assert (await asyncio.wait_for(waiting, 5)).text == "third"
    finally:
        await events.aclose()  # type: ignore[attr-defined]


async def test_follow_starts_over_after_truncation(tmp_path: Path) -> None:
    path = write(tmp_path / "grow.jsonl", comment_line("old one"), comment_line("old two"))
    events = JsonlSource.from_strings({"path": str(path), "follow": "yes"}).events()
    try:
        assert (await next_event(events)).text == "old one"
        assert (await next_event(events)).text == "old two"
        write(path, comment_line("new"))
        assert (await next_event(events)).text == "new"
    finally:
        await events.aclose()  # type: ignore[attr-defined]


async def test_without_follow_the_source_ends_at_eof(tmp_path: Path) -> None:
    path = write(tmp_path / "in.jsonl", MINIMAL)
    events = await asyncio.wait_for(read_all(path, follow="false"), 5)
    assert len(events) == 1


# --- stdin ------------------------------------------------------------------------------

CHILD = r"""
import asyncio, sys, orjson
from backstage_tui.sources.jsonl import JsonlSource

async def main(stop_after):
    source = JsonlSource.from_strings({"path": "-"})
    assert source.reads_stdin and source.describe() == "jsonl stdin"
    n = 0
    async for e in source.events():
        out = {"type": e.type, "text": getattr(e, "text", None), "error": getattr(e, "error", None)}
        sys.stdout.write(orjson.dumps(out).decode() + "\n")
        sys.stdout.flush()
        n += 1
        if n == stop_after:
            break
    print("END", flush=True)

asyncio.run(main(int(sys.argv[1])))
"""


def run_child(data: bytes | None = None, stdin: BinaryIO | None = None) -> list[dict]:
    """Run CHILD with `data` piped into it, or with `stdin` (an open file) as its stdin."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, "0"],
        input=data,
        stdin=stdin,
        capture_output=True,
        timeout=60,
        check=True,
    )
    # split on "\n" only: the child's JSON keeps U+2028 raw, which splitlines() would cut at.
    lines = out.stdout.decode().rstrip("\n").split("\n")
    assert lines[-1] == "END", out.stderr.decode()
    return [orjson.loads(x) for x in lines[:-1]]


def test_stdin_pipe_from_another_process() -> None:
    data = "\n".join([MINIMAL, "oops", comment_line("a\u2028b"), ""]).encode()
    got = run_child(data)
    assert [g["type"] for g in got] == ["comment", "malformed", "comment"]
    assert got[0]["text"] == "hi"
    assert got[1]["error"].startswith("line 2: not JSON")
    assert got[2]["text"] == "a\u2028b"


def test_stdin_pipe_with_a_lot_of_input() -> None:
    data = "".join(comment_line(f"m{i}") + "\n" for i in range(30000)).encode()
    got = run_child(data)
    assert [g["text"] for g in got] == [f"m{i}" for i in range(30000)]


def test_stdin_redirected_from_a_file(tmp_path: Path) -> None:
    path = write(tmp_path / "in.jsonl", MINIMAL, comment_line("two"))
    with path.open("rb") as f:
        got = run_child(stdin=f)
    assert [g["text"] for g in got] == ["hi", "two"]


async def test_stdin_streams_lines_as_they_come_and_stops_cleanly() -> None:
    # The writer keeps the pipe open: events must arrive before EOF, and a consumer that stops
    # must not leave the process hanging on a blocked read.
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        "2",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        child.stdin.write((MINIMAL + "\n").encode())
        await child.stdin.drain()
        first = await asyncio.wait_for(child.stdout.readline(), 20)
        assert orjson.loads(first)["text"] == "hi"
        whole = comment_line("second").encode()
        child.stdin.write(whole[:15])
        await child.stdin.drain()
        await asyncio.sleep(0.2)
        child.stdin.write(whole[15:] + b"\n")
        await child.stdin.drain()
        second = await asyncio.wait_for(child.stdout.readline(), 20)
        assert orjson.loads(second)["text"] == "second"
        assert (await asyncio.wait_for(child.stdout.readline(), 20)).strip() == b"END"
        assert await asyncio.wait_for(child.wait(), 20) == 0
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()


def test_stdin_can_be_handed_to_the_keyboard_after_the_source_is_built() -> None:
    # The TUI reads keys from fd 0, so with path=- the CLI points fd 0 at the terminal once the
    # source exists; the source must keep reading the pipe it took at construction.
    code = (
        "import asyncio, os\n"
        "from backstage_tui.sources.jsonl import JsonlSource\n"
        "source = JsonlSource.from_strings({'path': '-'})\n"
        "os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # stands in for /dev/tty\n"
        "async def main():\n"
        "    return [e.text async for e in source.events()]\n"
        "print(asyncio.run(main()))\n"
    )
    data = (MINIMAL + "\n" + comment_line("two") + "\n").encode()
    out = subprocess.run(
        [sys.executable, "-c", code], input=data, capture_output=True, timeout=60, check=True
    )
    assert out.stdout.decode().strip() == "['hi', 'two']"


def test_stdin_that_is_a_terminal_is_refused() -> None:
    code = (
        "import os, pty\n"
        "parent, child = pty.openpty()\n"
        "os.dup2(child, 0)\n"
        "from backstage_tui.sources.jsonl import JsonlSource\n"
        "from backstage_tui.sources.base import SourceError\n"
        "try:\n"
        "    JsonlSource.from_strings({'path': '-'})\n"
        "except SourceError as exc:\n"
        "    print('refused:', exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.startswith("refused: jsonl path=- reads events from a pipe"), out.stderr


# --- options and errors -----------------------------------------------------------------


def test_missing_file_is_one_readable_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(SourceError) as info:
        JsonlSource.from_strings({"path": str(missing)})
    assert str(info.value) == f"cannot read jsonl file {str(missing)!r}: No such file or directory"


def test_folder_and_missing_path_and_bad_follow(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="it is a folder"):
        JsonlSource.from_strings({"path": str(tmp_path)})
    with pytest.raises(SourceError, match="needs option path"):
        JsonlSource.from_strings({})
    path = write(tmp_path / "in.jsonl", MINIMAL)
    with pytest.raises(SourceError, match="follow"):
        JsonlSource.from_strings({"path": str(path), "follow": "maybe"})
    with pytest.raises(SourceError, match="no option 'tail'"):
        JsonlSource.from_strings({"path": str(path), "tail": "1"})


async def test_file_removed_after_start_is_a_source_error(tmp_path: Path) -> None:
    path = write(tmp_path / "in.jsonl", MINIMAL)
    source = JsonlSource.from_strings({"path": str(path)})
    path.unlink()
    with pytest.raises(SourceError, match="No such file"):
        [e async for e in source.events()]


def test_registered_as_jsonl(tmp_path: Path) -> None:
    assert load_source("jsonl") is JsonlSource
    source = JsonlSource.from_strings({"path": str(write(tmp_path / "x.jsonl", MINIMAL))})
    assert source.describe() == "jsonl x.jsonl"
