"""``backstage sessions`` / ``sessions list``: every log, newest first, read from two lines each."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from backstage_tui.cli import main
from backstage_tui.events import Viewers
from backstage_tui.session import SessionHeader
from backstage_tui.session.catalog import read_catalog, read_entry
from tests.helpers import chat, record_session, run_cli


def write_log(path: Path, started: datetime, lines: list[bytes], **header: object) -> Path:
    head = SessionHeader(source="demo", started=started, **header)  # type: ignore[arg-type]
    path.write_bytes(orjson.dumps(head.model_dump(mode="json")) + b"\n" + b"".join(lines))
    return path


def event_line(seq: int, ts: float) -> bytes:
    return chat(f"m{seq}", seq=seq, ts=ts).model_dump_json().encode() + b"\n"


async def test_a_clean_log_lists_its_summary_totals(tmp_path: Path) -> None:
    events = [Viewers(count=120, ts=100.0), *[chat(f"m{i}", ts=100.0 + i) for i in range(30)]]
    log = await record_session(tmp_path, events)
    entry = read_entry(log)
    assert entry.closed_cleanly and entry.events == 31 and entry.peak_viewers == 120
    assert entry.duration_s == pytest.approx(29.0)
    assert entry.size == log.stat().st_size and entry.title == ""


def test_a_crashed_log_tells_events_and_duration_from_its_last_line(tmp_path: Path) -> None:
    started = datetime.fromtimestamp(1000.0, UTC)
    lines = [event_line(i, 1000.0 + i * 2) for i in range(1, 51)]
    log = write_log(tmp_path / "a.jsonl", started, [*lines, b'{"id":"torn","ts":1'])
    entry = read_entry(log)
    assert not entry.closed_cleanly and entry.status == "did not close cleanly"
    assert entry.events == 50 and entry.duration_s == pytest.approx(100.0)
    assert entry.peak_viewers is None


def test_an_edited_summary_does_not_count_as_a_clean_close(tmp_path: Path) -> None:
    started = datetime.fromtimestamp(1000.0, UTC)
    summary = b'{"type":"summary","events":1,"last_seq":1,"size":5,"crc32":0,"totals":{}}\n'
    log = write_log(tmp_path / "a.jsonl", started, [event_line(1, 1001.0), summary])
    assert not read_entry(log).closed_cleanly


def test_title_and_tags_from_the_header(tmp_path: Path) -> None:
    started = datetime.fromtimestamp(1000.0, UTC)
    log = write_log(tmp_path / "a.jsonl", started, [], title="Friday Q&A", tags=["music", 3])
    entry = read_entry(log)
    assert entry.title == "Friday Q&A" and entry.tags == ("music",)
    assert entry.events == 0 and entry.duration_s == 0


def test_newest_first_and_non_logs_skipped(tmp_path: Path) -> None:
    for n, day in enumerate((3, 1, 2)):
        write_log(tmp_path / f"{n}.jsonl", datetime(2026, 1, day, tzinfo=UTC), [])
    (tmp_path / "junk.jsonl").write_bytes(b"\x00garbage")
    catalog = read_catalog(sorted(tmp_path.glob("*.jsonl")))
    assert [e.started.day for e in catalog.entries] == [3, 2, 1]
    assert [p.name for p, _ in catalog.skipped] == ["junk.jsonl"]


def test_the_command_lists_and_json_is_for_scripts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_log(tmp_path / "old.jsonl", datetime(2026, 1, 1, tzinfo=UTC), [], title="Old \x1b[31mred")
    write_log(tmp_path / "new.jsonl", datetime(2026, 2, 1, tzinfo=UTC), [event_line(1, 1e9)])
    (tmp_path / "junk.jsonl").write_bytes(b"nope\n")
    assert main(["--sessions-dir", str(tmp_path), "sessions"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["started", "duration", "events"]
    assert "new.jsonl" in lines[1] and "NO" in lines[1] and "old.jsonl" in lines[2]
    assert "\x1b" not in out and "Old" in lines[2]
    assert lines[-1].startswith("2 sessions in")
    assert "skipped junk.jsonl" in err
    assert main(["--sessions-dir", str(tmp_path), "sessions", "list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [Path(d["path"]).name for d in data] == ["new.jsonl", "old.jsonl"]
    assert data[1]["title"] == "Old \x1b[31mred" and data[0]["closed_cleanly"] is False
    assert data[0]["events"] == 1 and data[0]["peak_viewers"] is None


def test_the_real_command_with_no_logs(tmp_path: Path) -> None:
    out = run_cli("--sessions-dir", str(tmp_path / "none"), "sessions")
    assert out.returncode == 0 and out.stdout.startswith("no session logs in")
    for where in (("--json",), ("--json", "list"), ("list", "--json")):
        listed = run_cli("--sessions-dir", str(tmp_path / "none"), "sessions", *where)
        assert listed.returncode == 0 and json.loads(listed.stdout) == [], where
    plain = run_cli("--sessions-dir", str(tmp_path / "none"), "sessions", "list")
    assert plain.stdout.startswith("no session logs in")


def test_a_big_log_is_listed_from_its_ends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Only the header and the tail are read, whatever the log's size (counted in bytes, not
    # timed: speed belongs in benchmarks/).
    from backstage_tui.session import catalog

    started = datetime.fromtimestamp(1000.0, UTC)
    log = write_log(tmp_path / "big.jsonl", started, [event_line(1, 1001.0)] * 100_000)
    reads: list[int] = []
    real_open = open

    def counting_open(path: Path, mode: str = "r") -> object:
        f = real_open(path, mode)
        real = f.read

        def read(n: int = -1) -> bytes:
            data = real(n)
            reads.append(len(data))
            return data

        f.read = read  # type: ignore[method-assign]
        return f

    monkeypatch.setattr(catalog, "open", counting_open, raising=False)
    assert read_entry(log).events == 1
    assert 0 < sum(reads) <= catalog.MAX_SUMMARY_BYTES < log.stat().st_size / 100
