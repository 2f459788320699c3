"""The summary line a clean close appends, and when `sessions show` may trust it."""

from pathlib import Path

import orjson
import pytest

from backstage_tui.events import Hide
from backstage_tui.session import SessionReader, SessionRecorder
from backstage_tui.session.report import SessionReport, clock
from backstage_tui.session.summary import SessionTotals, read_summary
from backstage_tui.sources.jsonl import parse_line
from backstage_tui.state import ConsoleState
from tests.helpers import chat, header, record_demo_session, record_session, run_cli


async def demo_log(folder: Path, n: int = 2000) -> Path:
    runtime = await record_demo_session(folder, n=n)
    assert runtime.log_path is not None
    return runtime.log_path


def last_line(path: Path) -> bytes:
    return path.read_bytes().rstrip(b"\n").rsplit(b"\n", 1)[1]


async def test_a_clean_close_appends_the_totals_of_a_full_fold(tmp_path: Path) -> None:
    path = await demo_log(tmp_path)
    summary, why_not = read_summary(path)
    assert summary is not None, why_not
    events = SessionReader(path).events()
    assert summary.events == len(events) == 2002  # 2,000 demo events, a pin and a hide
    assert summary.last_seq == events[-1].seq
    assert summary.size == path.stat().st_size - len(last_line(path)) - 1
    # The totals the live console wrote are the ones a fold of the log gives now.
    assert summary.totals == SessionTotals.of(ConsoleState.fold(events))
    assert summary.totals.pinned == 1 and summary.totals.hidden == 1
    assert sum(summary.totals.by_type.values()) == summary.totals.events


async def test_show_reads_the_summary_and_full_gives_the_same_report(tmp_path: Path) -> None:
    path = await demo_log(tmp_path)
    quick = SessionReport.build(path)
    full = SessionReport.build(path, full=True)
    assert quick.how.startswith("summary written at close")
    assert full.how.startswith("folded every line")
    assert quick.totals == full.totals
    assert quick.lines()[:-1] == full.lines()[:-1]
    assert not full.problems


async def test_readers_pass_over_the_summary_line(tmp_path: Path) -> None:
    path = await demo_log(tmp_path, n=300)
    reader = SessionReader(path)
    assert all(e.type != "summary" for e in reader.events())
    assert reader.problems == []
    # Feeding a whole log to the jsonl source must not turn its summary into a malformed event.
    assert parse_line(last_line(path)) is None


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        ("edit", "changed after it was recorded"),
        ("cut", "did not close cleanly"),
        ("append", "did not close cleanly"),
        ("summary", "summary line is damaged"),
    ],
)
async def test_a_log_that_is_not_as_recorded_is_folded_line_by_line(
    tmp_path: Path, damage: str, reason: str
) -> None:
    path = await demo_log(tmp_path, n=500)
    data = path.read_bytes()
    summary_line = last_line(path)
    body = data[: len(data) - len(summary_line) - 1]
    if damage == "edit":
        # A comment reworded after the stream, same length: only the checksum can tell.
        cut = body.index(b'"text":"') + len(b'"text":"')
        data = body[:cut] + b"X" + body[cut + 1 :] + summary_line + b"\n"
    elif damage == "cut":
        data = body[:-40]
    elif damage == "append":
        data += chat("written later").model_dump_json().encode() + b"\n"
    else:
        data = body + summary_line[:-5] + b"\n"
    path.write_bytes(data)
    summary, why_not = read_summary(path)
    assert summary is None and reason in why_not
    report = SessionReport.build(path)
    assert report.how == f"folded every line ({why_not})"
    assert report.totals == SessionTotals.of(ConsoleState.fold(SessionReader(path).events()))
    if damage == "cut":
        assert "torn last line" in str(report.problems[-1])


async def test_a_write_error_that_was_cut_back_and_recovered_keeps_the_summary(
    tmp_path: Path,
) -> None:
    # A disk that refused once: the refused write was cut back, so the file is exactly the bytes
    # written and the summary stands, saying what happened.
    path = tmp_path / "refused.jsonl"
    recorder = SessionRecorder(path, header())
    await recorder.open()

    def refuse(fd: int, data: object) -> int:
        raise OSError(28, "No space left on device")

    recorder._os_write = refuse  # type: ignore[method-assign]
    await recorder.write_batch([chat("a").model_copy(update={"seq": 1})])
    del recorder._os_write
    await recorder.write_batch([chat("b").model_copy(update={"seq": 2})])
    assert recorder.error is None
    await recorder.close(SessionTotals.of(ConsoleState.fold([chat("a"), chat("b")])))
    summary, why_not = read_summary(path)
    assert summary is not None, why_not
    assert (summary.write_errors, summary.held_written) == (1, 1)
    assert [e.text for e in SessionReader(path).events()] == ["a", "b"]

    # Totals that are not the fold of what was written are never stamped onto the log.
    path = tmp_path / "mismatch.jsonl"
    recorder = SessionRecorder(path, header())
    await recorder.open()
    await recorder.write_batch([chat("only one")])
    await recorder.close(SessionTotals(events=2))
    assert read_summary(path)[0] is None


async def test_the_runtime_summary_counts_actions_and_survives_a_quiet_session(
    tmp_path: Path,
) -> None:
    events = [chat(f"m{i}") for i in range(5)]
    log_path = await record_session(tmp_path, events, Hide(target=events[0].id))
    summary, why_not = read_summary(log_path)
    assert summary is not None, why_not
    assert summary.totals.by_type == {"comment": 5, "hide": 1}
    assert summary.totals.hidden == 1 and summary.totals.moderation_actions == 1
    assert orjson.loads(last_line(log_path))["type"] == "summary"


async def test_show_says_how_it_read_the_log_and_full_checks_every_line(tmp_path: Path) -> None:
    path = await demo_log(tmp_path, n=300)
    quick = run_cli("sessions", "show", str(path))
    full = run_cli("sessions", "show", "--full", str(path))
    assert quick.returncode == full.returncode == 0, quick.stderr + full.stderr
    assert "read      summary written at close" in quick.stdout
    assert "read      folded every line (every line checked, as asked)" in full.stdout
    # Same numbers either way; only the last line, how they were found, differs.
    assert quick.stdout.splitlines()[:-1] == full.stdout.splitlines()[:-1]
    assert "events 302" in quick.stdout


def test_one_duration_format_for_the_report_and_the_status_pane() -> None:
    assert clock(0) == "0:00:00"
    assert clock(3725.9) == "1:02:05"  # cut to whole seconds, not rounded
    assert clock(100 * 3600 + 59) == "100:00:59"  # a long stream's hours are not wrapped
    assert clock(-3) == "0:00:00"
    totals = SessionTotals(uptime_s=3725.9)
    report = SessionReport(Path("s.jsonl"), "demo", "2026", "0.1", totals, how="folded")
    assert "duration  1:02:05" in "\n".join(report.lines())
