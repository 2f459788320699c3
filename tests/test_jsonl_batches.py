"""A jsonl read is parsed, published and recorded as one batch, and the log keeps each input line.

The fast path (`LineDecoder` over a whole read, `EventBus.publish_many`, `log_line`) must give what
the line-by-line path gives: the same events, the same line numbers in the errors, the same log
once read back.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from backstage_tui.automod.engine import AutomodEngine
from backstage_tui.automod.settings import AutomodSettings
from backstage_tui.bus import EventBus
from backstage_tui.events import (
    Comment,
    Event,
    event_from_json,
    event_to_json,
    log_line,
)
from backstage_tui.runtime import SessionRuntime
from backstage_tui.session import SessionReader
from backstage_tui.sources.jsonl import JsonlSource, LineDecoder, parse_line
from tests.helpers import wait_for


def comment(n: int, **more: object) -> bytes:
    data = {"id": f"c{n}", "ts": 1000.0 + n, "type": "comment", "text": f"hello {n}",
            "user": {"id": f"u{n % 7}", "handle": f"h{n % 7}", "name": "Ann 🌙"}, **more}  # fmt: skip
    return json.dumps(data, ensure_ascii=False).encode()


def described(events: list[Event]) -> list[tuple[str, str, str | None, str | None]]:
    return [(e.type, e.id if e.type != "malformed" else "", getattr(e, "text", None),
             getattr(e, "error", None)) for e in events]  # fmt: skip


def line_by_line(lines: list[bytes]) -> list[Event]:
    parsed = (parse_line(line, n) for n, line in enumerate(lines, start=1))
    return [event for event in parsed if event is not None]


def test_a_read_of_good_lines_is_parsed_at_once_and_each_line_kept() -> None:
    lines = [comment(n) for n in range(50)]
    events = LineDecoder().feed(b"\n".join(lines) + b"\n")
    assert described(events) == described(line_by_line(lines))
    assert [getattr(e, "_line", None) for e in events] == lines


def test_a_read_with_a_line_naming_its_source_is_serialised_instead() -> None:
    # One look at the whole read: a line with its own source (or a seq) keeps every line of the
    # read out of the log as it came; each event is then written as the model says.
    lines = [comment(1), comment(2, source="bridge"), comment(3)]
    events = LineDecoder().feed(b"\n".join(lines) + b"\n")
    assert [getattr(e, "_line", None) for e in events] == [None, None, None]
    assert [e.source for e in events] == ["", "bridge", ""]


def test_a_read_with_a_bad_line_gives_what_line_by_line_gives() -> None:
    # A blank line, a header, a line that is not JSON, an unknown type and a logged line (with its
    # seq) among good ones: each refuses the read-at-once path, and every line still counts.
    header = b'{"type":"header","schema":2}'
    logged = event_to_json(Comment.model_validate(json.loads(comment(99)) | {"seq": 4}))
    for bad in (b"", header, b"not json", b'{"type":"nope"}', logged, b"{}"):
        lines = [comment(1), comment(2), bad, comment(3)]
        decoder = LineDecoder()
        events = decoder.feed(b"\n".join(lines) + b"\n")
        assert described(events) == described(line_by_line(lines)), bad
        assert decoder.line_number == 4


def test_the_line_numbers_go_on_across_reads() -> None:
    decoder = LineDecoder()
    decoder.feed(b"\n".join(comment(n) for n in range(10)) + b"\n")
    (broken,) = [e for e in decoder.feed(comment(10) + b"\nnot json\n") if e.type == "malformed"]
    assert broken.error.startswith("line 12: not JSON")  # type: ignore[attr-defined]


async def test_the_source_hands_over_each_read_together(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join(comment(n) for n in range(3)) + b"\n")
    source = JsonlSource.from_strings({"path": str(path)})
    batches = [list(batch) async for batch in source.batches()]
    assert [[e.id for e in batch] for batch in batches] == [["c0", "c1", "c2"]]


def stamped(line: bytes, seq: int = 5, source: str = "jsonl") -> Event:
    event = parse_line(line)
    assert event is not None
    event.__dict__["seq"] = seq
    event.__dict__["source"] = source
    return event


def test_the_log_line_is_the_input_line_with_seq_and_source() -> None:
    line = comment(1, extra={"kept": [1, 2]})
    event = stamped(line + b" \r", seq=42)
    logged = log_line(event)
    assert logged == line[:-1] + b',"seq":42,"source":"jsonl"}'
    back = event_from_json(logged)
    assert back == event and back.seq == 42 and back.source == "jsonl"


def test_a_line_that_does_not_say_everything_is_serialised_instead() -> None:
    # Without its own id or ts (the model makes them up), or with a seq or source of its own
    # (the session writes those), the line cannot stand for the event in the log.
    minimal = b'{"type":"comment","user":{"id":"1"},"text":"hi"}'
    no_ts = b'{"id":"a","type":"comment","user":{"id":"1"},"text":"hi"}'
    with_source = comment(1, source="elsewhere")
    for line in (minimal, no_ts, with_source):
        event = stamped(line, source="jsonl" if line != with_source else "elsewhere")
        assert getattr(event, "_line", None) is None
        assert log_line(event) == event_to_json(event)
        assert event_from_json(log_line(event)) == event
    # Kept only through `keep_lines`: a copy of the event (a re-published one, a changed one) is
    # written as its own fields say.
    kept = stamped(comment(2))
    assert getattr(kept, "_line", None) is not None
    changed = kept.model_copy(update={"text": "changed"})
    assert getattr(changed, "_line", None) is None
    assert log_line(changed) == event_to_json(changed)
    assert event_from_json(log_line(changed)).text == "changed"  # type: ignore[attr-defined]
    # The mark that says a line was kept is in no dump of the event.
    assert kept.model_dump(exclude_unset=True).keys() == json.loads(comment(2)).keys()


texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


@settings(max_examples=200, deadline=None)
@given(
    text=texts,
    name=texts,
    ts=st.floats(min_value=0, max_value=4e9, allow_nan=False),
    extra=st.dictionaries(st.sampled_from(["x", "debug", "lang"]), texts, max_size=2),
    order=st.permutations(["id", "ts", "type", "text", "user"]),
    ascii_only=st.booleans(),
)
def test_any_kept_line_reads_back_as_its_event(
    text: str, name: str, ts: float, extra: dict[str, str], order: list[str], ascii_only: bool
) -> None:
    fields = {"id": "m1", "ts": ts, "type": "comment", "text": text,
              "user": {"id": "u1", "name": name}}  # fmt: skip
    data = {key: fields[key] for key in order} | extra
    line = json.dumps(data, ensure_ascii=ascii_only).encode()
    event = stamped(line, seq=7)
    assert getattr(event, "_line", None) is not None
    assert event_from_json(log_line(event)) == event
    assert orjson.loads(log_line(event))["seq"] == 7


async def test_a_jsonl_session_replays_as_it_was_seen(tmp_path: Path) -> None:
    # Through the real runtime: the rules judge each read's messages in their places, the bus
    # numbers the batch, the recorder writes the kept lines, and the log reads back the same.
    lines = [comment(n) for n in range(300)]
    lines[100] = comment(100, text="buy followers at spam.example.com")  # the links rule holds it
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    runtime = SessionRuntime(
        JsonlSource.from_strings({"path": str(path)}),
        sessions_dir=tmp_path,
        automod=AutomodEngine(AutomodSettings()),
    )
    await runtime.start()
    await wait_for(None, lambda: runtime.source_finished, description="the file read")
    await wait_for(None, lambda: runtime.state.last_seq == 301, description="all folded")
    await runtime.close()
    assert runtime.log_path is not None
    logged = SessionReader(runtime.log_path).events()
    assert [e.seq for e in logged] == list(range(1, 302))
    decision = next(e for e in logged if e.type == "automod")
    assert decision.target == "c100"  # type: ignore[attr-defined]
    assert logged[logged.index(decision) + 1].id == "c100"
    assert [e.id for e in logged if e.type == "comment"] == [f"c{n}" for n in range(300)]
    assert all(e.source == ("" if e is decision else "jsonl") for e in logged)
    seen = [e.model_dump() for e in runtime.state.feed.items]
    assert [e.model_dump() for e in logged if e.type == "comment"] == seen
    # Each comment's line in the file is its input line, with what the session wrote in.
    text = runtime.log_path.read_bytes()
    assert lines[5][:-1] + b',"seq":6,"source":"jsonl"}\n' in text


async def test_an_empty_batch_wakes_nobody() -> None:
    bus = EventBus()
    sub = bus.subscribe("a", "lossless")
    assert await bus.publish_many([]) == []
    assert not sub._ready.is_set() and bus.published == 0
    waiter = asyncio.create_task(sub.get_batch())
    await asyncio.sleep(0)
    assert not waiter.done()
    waiter.cancel()
