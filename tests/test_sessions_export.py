"""``backstage sessions export``: csv and json, checked by parsing them back."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from backstage_tui.cli import main
from backstage_tui.events import Gift, Hide, PlatformModeration, User, Viewers
from backstage_tui.session import SessionHeader, SessionReader
from backstage_tui.session.export import CSV_COLUMNS, ExportResult, export_csv
from tests.helpers import chat, record_demo_session, record_session, run_cli

HOSTILE = 'a, "quoted"\nsecond line\u2028 and 🌸 \x1b[31m'


async def tricky_log(folder: Path) -> Path:
    ann = User(id="u1", handle="ann", name='Ann, "the" 🌸', roles=("moderator",), badges=("lv 2",))
    events = [
        Viewers(count=12, ts=100.0),
        chat(HOSTILE, ts=100.5),
        chat('=HYPERLINK("http://x")', handle="eve", ts=101.25),
        Gift(user=ann, gift_name="Rose", diamonds=1, repeat_count=3, ts=102.0),
        PlatformModeration(action="clear", ts=103.0),
    ]
    return await record_session(folder, events, Hide(target=events[1].id))


def export(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["sessions", "export", *args])
    out, err = capsys.readouterr()
    return code, out, err


async def test_csv_has_a_row_per_event_and_reads_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = await tricky_log(tmp_path)
    code, out, err = export(capsys, str(log), "--format", "csv")
    assert code == 0 and err == ""
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    events = SessionReader(log).events()
    assert len(rows) == len(events) + 1
    by_seq = {int(r[0]): dict(zip(CSV_COLUMNS, r, strict=True)) for r in rows[1:]}
    assert [int(r[0]) for r in rows[1:]] == [e.seq for e in events]
    hostile = next(r for r in by_seq.values() if r["type"] == "comment")
    assert hostile["text"] == HOSTILE and hostile["user_handle"] == "ann"
    assert hostile["time"] == "1970-01-01T00:01:40.500Z" and float(hostile["ts"]) == 100.5
    formula = [r for r in by_seq.values() if r["user_handle"] == "eve"][0]
    assert formula["text"] == '\'=HYPERLINK("http://x")'  # a spreadsheet shows it, never runs it
    gift = next(r for r in by_seq.values() if r["type"] == "gift")
    assert gift["user_name"] == 'Ann, "the" 🌸' and json.loads(gift["user_roles"]) == ["moderator"]
    assert json.loads(gift["user_badges"]) == ["lv 2"] and gift["repeat_count"] == "3"
    assert gift["streak_end"] == "true"
    clear = next(r for r in by_seq.values() if r["type"] == "platform_moderation")
    assert clear["user_id"] == "" and clear["action"] == "clear"
    hide = next(r for r in by_seq.values() if r["type"] == "hide")
    assert hide["target"] == hostile["id"] and hide["effect"] == "local"


async def test_json_is_one_clean_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = await tricky_log(tmp_path)
    code, out, _ = export(capsys, str(log), "--format", "json", "-o", "-")
    assert code == 0
    data = json.loads(out)
    assert data["header"]["source"] == SessionReader(log).header.source  # type: ignore[union-attr]
    assert data["events"] == [e.model_dump(mode="json") for e in SessionReader(log)]
    assert data["events"][1]["text"] == HOSTILE


async def test_to_a_file_and_never_over_the_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = await tricky_log(tmp_path / "logs")
    before = log.read_bytes()
    out_file = tmp_path / "out.csv"
    code, out, err = export(capsys, str(log), "--format", "csv", "-o", str(out_file))
    assert code == 0 and out == "" and "6 events written to" in err
    assert len(list(csv.reader(out_file.open(newline="")))) == 7
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.csv")]
    code, _, err = export(capsys, str(log), "--format", "json", "-o", str(log))
    assert code == 2 and "over the session log itself" in err and err.count("\n") == 1
    link = tmp_path / "link.jsonl"
    link.symlink_to(log)
    code, _, err = export(capsys, str(log), "--format", "csv", "-o", str(link))
    assert code == 2 and log.read_bytes() == before
    code, _, err = export(capsys, str(log), "--format", "csv", "-o", str(tmp_path / "no" / "x.csv"))
    assert (
        code == 2
        and err.strip() == f"backstage: error: no such folder for the export: {tmp_path / 'no'}"
    )
    code, _, err = export(capsys, str(log), "--format", "csv", "-o", str(tmp_path))
    assert code == 2 and "is a folder" in err


def test_damaged_lines_are_reported_and_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head = SessionHeader(source="demo", started=datetime.fromtimestamp(0, UTC))
    good = chat("hi", seq=1, ts=5.0).model_dump_json().encode()
    # A hand-written line with only some fields (the jsonl source accepts these) still exports.
    sparse = b'{"type":"comment","seq":3,"user":{"id":"9"},"text":"@all","extra":[1]}'
    log = tmp_path / "d.jsonl"
    log.write_bytes(
        orjson.dumps(head.model_dump(mode="json")) + b"\n" + good + b"\n{not json\n"
        + sparse + b'\n[1]\n{"type":"nope"}\n{"id":"torn","ts":1'
    )  # fmt: skip
    code, out, err = export(capsys, str(log), "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert [r["text"] for r in rows] == ["hi", "'@all"]
    assert rows[1]["user_id"] == "9" and rows[1]["user_handle"] == "" and rows[1]["time"] == ""
    assert "4 damaged lines skipped; first: line 3: corrupt line skipped" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such session log"), (b"hello\n", "not a backstage session log")],
)
def test_bad_input_is_one_line_exit_2(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "x.jsonl"
    if content is not None:
        path.write_bytes(content)
    out = run_cli("sessions", "export", str(path), "--format", "csv")
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and message in out.stderr
    assert "Traceback" not in out.stderr
    out = run_cli("sessions", "export", str(path), "--format", "xls")
    assert out.returncode == 2 and "invalid choice" in out.stderr


async def test_the_real_command_writes_csv_a_reader_accepts(tmp_path: Path) -> None:
    log = await tricky_log(tmp_path)
    done = run_cli("sessions", "export", str(log), "--format", "csv", "-o", str(tmp_path / "a.csv"))
    assert done.returncode == 0, done.stderr
    with (tmp_path / "a.csv").open(newline="", encoding="utf-8") as f:
        assert sum(1 for _ in csv.reader(f)) == 7
    help_text = run_cli("sessions", "export", "--help").stdout
    assert "csv: one row per event" in help_text and "json:" in help_text


def test_export_reads_in_bounded_memory(tmp_path: Path) -> None:
    # Streamed: a row goes out as its line comes in. Checked by what stays referenced, not by time.
    head = SessionHeader(source="demo", started=datetime.fromtimestamp(0, UTC))
    line = chat("x" * 2000, seq=1, ts=5.0).model_dump_json().encode() + b"\n"
    log = tmp_path / "big.jsonl"
    log.write_bytes(orjson.dumps(head.model_dump(mode="json")) + b"\n" + line * 9000)
    import tracemalloc

    sink = io.StringIO()
    tracemalloc.start()
    result = export_csv(SessionReader(log), _Discard(sink))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < log.stat().st_size / 3
    # Past the reader's 16 MiB limit on unreadable stretches: lines it did not decode itself
    # still count as readable.
    assert log.stat().st_size > 16 << 20 and result.events == 9000 and result.damaged == 0


class _Discard(io.StringIO):
    def __init__(self, sink: io.StringIO) -> None:
        super().__init__()

    def write(self, text: str) -> int:
        return len(text)


def test_every_format_names_a_writer_that_exists() -> None:
    import importlib

    from backstage_tui.export_formats import EXPORT_FORMATS

    for fmt in EXPORT_FORMATS.values():
        module, _, function = fmt.writer.partition(":")
        assert callable(getattr(importlib.import_module(module), function)), fmt


# --- on every core: the same bytes and the same reports as one process -----------------------


def _exported(log: Path, monkeypatch: pytest.MonkeyPatch, workers: int) -> tuple[str, object]:
    """The CSV of `log` and (events, problems, damaged), with `workers` worker processes over
    small slices (0: one process)."""
    from backstage_tui.session import export as module

    monkeypatch.setattr(module, "_workers", lambda: workers)
    monkeypatch.setattr(module, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(module, "SLICE_BYTES", 16 << 10)
    out = io.StringIO(newline="")
    result = export_csv(SessionReader(log), out)
    return out.getvalue(), (result.events, [str(p) for p in result.problems], result.damaged)


@pytest.fixture
async def demo_log(tmp_path: Path) -> Path:
    runtime = await record_demo_session(tmp_path, n=3000)
    assert runtime.log_path is not None
    return runtime.log_path


def test_workers_write_what_one_process_writes(
    demo_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backstage_tui.session.export import _parallel_csv

    assert demo_log.stat().st_size > 20 * (16 << 10)  # many slices
    alone, alone_result = _exported(demo_log, monkeypatch, 0)
    shared, shared_result = _exported(demo_log, monkeypatch, 2)
    assert shared == alone and shared_result == alone_result
    assert alone_result == (3002, [], 0)  # the demo's 3,000 events, a pin and a hide
    # ...and it was the workers that wrote it: nothing was left for the one-process path.
    out = io.StringIO(newline="")
    assert _parallel_csv(demo_log, out, ExportResult()) is None
    assert out.getvalue() == alone.split("\r\n", 1)[1]


@pytest.mark.parametrize(
    "damage",
    [
        b"{not json\n",
        # No id, no ts: the long way, with a line break to quote.
        b'{"type":"comment","seq":3,"user":{"id":"9"},"text":"sparse\\nline"}\n',
        b"   \n",
        b"\x00" * 40 + b"\n",
    ],
)
def test_a_damaged_stretch_is_judged_as_one_process_judges_it(
    demo_log: Path, monkeypatch: pytest.MonkeyPatch, damage: bytes
) -> None:
    data = demo_log.read_bytes()
    middle = data.index(b"\n", len(data) // 2) + 1
    # Damage in the middle, and a torn last line in place of the summary.
    demo_log.write_bytes(data[:middle] + damage + data[middle:].rsplit(b"\n", 2)[0] + b'\n{"id":')
    alone, alone_result = _exported(demo_log, monkeypatch, 0)
    shared, shared_result = _exported(demo_log, monkeypatch, 2)
    assert shared == alone and shared_result == alone_result
    assert alone_result[2] >= 1  # the torn tail at least
    # A row per event, whatever the way it was written (a line break inside a cell quoted).
    rows = list(csv.DictReader(io.StringIO(alone, newline="")))
    assert len(rows) == alone_result[0]
    assert (b"sparse" in damage) == any(r["text"] == "sparse\nline" for r in rows)
