"""``backstage sessions stats``: the lives over time, per live and by week, as text, JSON and HTML.

The logs are small and generated here: several lives across weeks, with a summary line as a clean
close writes it (totals folded by the console's reducers, size and CRC-32 of the bytes before it),
and one cut short by a crash (no summary, a torn last line), which stats must fold.
"""

from __future__ import annotations

import io
import json
import re
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import html5lib
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backstage_tui.cli import main
from backstage_tui.events import Event, Follow, Gift, Viewers
from backstage_tui.reports.live_report import LiveReport
from backstage_tui.reports.stats_text import WIDTH, render_stats_text
from backstage_tui.session import SessionHeader
from backstage_tui.session.stats import (
    LIVE_FIELDS,
    PERIOD_FIELDS,
    LiveStats,
    build_report,
    fold_live,
    read_lives,
    week_of,
)
from backstage_tui.session.summary import SessionSummary, SessionTotals
from backstage_tui.sessions_cli import StatsError, stats_sessions
from backstage_tui.since import parse_since
from backstage_tui.state import ConsoleState
from backstage_tui.state.stats import StatsState
from tests.helpers import T0, chat, user

MONDAY = datetime(2026, 1, 5, 20, 0, tzinfo=UTC)
"""A Monday evening, UTC: the first live of the generated history."""


@pytest.fixture(autouse=True)
def utc_local_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The creator's time zone is UTC here, so weeks and start times are the same on any machine."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def live_events(
    start: float, minutes: int, viewers: list[int], comments: int, follows: int, diamonds: int
) -> list[Event]:
    """A live of `minutes`: the viewer counts spread evenly over it, comments, follows and one
    gift of `diamonds`, the last event at the live's end."""
    end = start + minutes * 60
    events: list[Event] = []
    step = minutes * 60 / len(viewers)
    events += [Viewers(count=count, ts=start + i * step) for i, count in enumerate(viewers)]
    events += [chat(f"hi {i}", ts=start + 1 + i) for i in range(comments)]
    events += [Follow(user=user(f"f{i}"), ts=start + 2 + i) for i in range(follows)]
    if diamonds:
        events.append(Gift(user=user("vip"), diamonds=diamonds, ts=start + 3))
    events.append(chat("bye", ts=end))
    events.sort(key=lambda e: e.ts)
    return [e.model_copy(update={"seq": n}) for n, e in enumerate(events, 1)]


def write_log(
    folder: Path, started: datetime, events: list[Event], *, clean: bool = True, title: str = ""
) -> Path:
    """A session log as the recorder writes it; `clean` False: cut short by a crash."""
    header = SessionHeader(source="test", started=started, title=title)
    body = orjson.dumps(header.model_dump(mode="json")) + b"\n"
    body += b"".join(e.model_dump_json().encode() + b"\n" for e in events)
    if clean:
        state = ConsoleState()
        state.apply_all(events)
        summary = SessionSummary(
            events=len(events),
            last_seq=len(events),
            size=len(body),
            crc32=zlib.crc32(body),
            totals=SessionTotals.of(state),
        )
        body += summary.line()
    else:
        body += b'{"type":"comment","id":"torn'
    path = folder / f"{started:%Y%m%dT%H%M%SZ}-test.jsonl"
    path.write_bytes(body)
    return path


def history(folder: Path) -> dict[str, Path]:
    """Four lives: two in the first week, none in the second, one in the third (crashed), one in
    the fourth with a title a viewer could have typed."""
    lives = {
        "mon": (MONDAY, 60, [100, 300], 120, 4, 50, True, "Monday chat"),
        "thu": (MONDAY + timedelta(days=3), 30, [200], 30, 1, 0, True, ""),
        "crash": (MONDAY + timedelta(days=15), 120, [50, 150, 100], 240, 6, 500, False, "Crash"),
        "last": (
            MONDAY + timedelta(days=21),
            90,
            [400],
            90,
            0,
            10,
            True,
            "Evil \x1b[2J\u202etitle",
        ),
    }
    out = {}
    for name, (
        started,
        minutes,
        viewers,
        comments,
        follows,
        diamonds,
        clean,
        title,
    ) in lives.items():
        events = live_events(started.timestamp(), minutes, viewers, comments, follows, diamonds)
        out[name] = write_log(folder, started, events, clean=clean, title=title)
    (folder / "junk.jsonl").write_bytes(b"not a log\n")
    return out


# -- the core --


def test_average_viewers_is_time_weighted_as_the_report_counts_it() -> None:
    events = live_events(MONDAY.timestamp(), 60, [100, 300], 5, 0, 0)
    stats = StatsState()
    for event in events:
        stats.apply(event)
    # 100 for the first half hour, 300 for the second.
    assert stats.average_viewers == pytest.approx(200.0)
    assert LiveReport.from_events(events).average_viewers == pytest.approx(200.0)
    assert StatsState().average_viewers is None
    one = StatsState()
    one.apply(Viewers(count=7, ts=1.0))
    assert one.average_viewers == 7


def test_lives_from_summaries_and_a_crashed_log_folded(tmp_path: Path) -> None:
    logs = history(tmp_path)
    lives, skipped = read_lives(sorted(tmp_path.glob("*.jsonl")))
    assert [live.path for live in lives] == [logs["mon"], logs["thu"], logs["crash"], logs["last"]]
    assert [p.name for p, _ in skipped] == ["junk.jsonl"]
    mon, thu, crash, last = lives
    assert mon.closed_cleanly and not crash.closed_cleanly
    assert mon.duration_s == pytest.approx(3600.0) and mon.peak_viewers == 300
    assert mon.average_viewers == pytest.approx(200.0)
    assert mon.comments_per_minute == pytest.approx(121 / 60)  # with the goodbye
    assert (mon.follows, mon.diamonds, mon.title) == (4, 50, "Monday chat")
    # The crashed log holds no totals: folded, it tells the same numbers a summary would.
    assert crash.duration_s == pytest.approx(7200.0) and crash.peak_viewers == 150
    assert crash.average_viewers == pytest.approx(100.0)
    assert (crash.follows, crash.diamonds, crash.comments) == (6, 500, 241)
    assert fold_live(logs["mon"]) == mon.__class__(**{**mon.__dict__, "closed_cleanly": False})


def test_a_summary_is_read_without_folding_and_full_folds_it(tmp_path: Path) -> None:
    history(tmp_path)
    folded: list[Path] = []

    def fold(path: Path):  # type: ignore[no-untyped-def]
        folded.append(path)
        return fold_live(path)

    read_lives(sorted(tmp_path.glob("*.jsonl")), fold=fold)
    assert [p.name for p in folded] == ["20260120T200000Z-test.jsonl"]
    folded.clear()
    read_lives(sorted(tmp_path.glob("*.jsonl")), fold=fold, full=True)
    assert len(folded) == 4


def test_weeks_with_and_without_lives_and_all_together(tmp_path: Path) -> None:
    history(tmp_path)
    lives, _ = read_lives(sorted(tmp_path.glob("*.jsonl")))
    report = build_report(lives, tz=UTC)
    assert [w.start for w in report.weeks] == [
        date(2026, 1, 5) + timedelta(weeks=i) for i in range(4)
    ]
    first, empty, crashed, last = report.weeks
    assert [len(w.lives) for w in report.weeks] == [2, 0, 1, 1]
    assert first.values["duration_s"] == pytest.approx(5400.0)
    assert first.values["peak_viewers"] == 300
    # Averages weighted by each live's length: 200 for an hour, 200 for half an hour.
    assert first.values["average_viewers"] == pytest.approx(200.0)
    assert first.values["comments_per_minute"] == pytest.approx((121 + 31) / 90)
    assert empty.values == {
        "lives": 0, "duration_s": 0, "peak_viewers": None, "average_viewers": None,
        "comments_per_minute": None, "follows": 0, "diamonds": 0,
    }  # fmt: skip
    assert report.overall.values["lives"] == 4 and report.lives_a_week == 1.0
    assert report.weeks_live == 3
    assert report.overall.values["diamonds"] == 560 and report.unclean == 1
    assert week_of(datetime(2026, 1, 11, 23, 59, tzinfo=UTC), UTC) == date(2026, 1, 5)


def test_an_old_summary_without_average_viewers_tells_it_as_unknown(tmp_path: Path) -> None:
    events = live_events(MONDAY.timestamp(), 10, [10], 1, 0, 0)
    log = write_log(tmp_path, MONDAY, events)
    text = log.read_bytes().replace(b'"average_viewers":10.0,', b"")
    body, summary = text[: text.rindex(b"\n", 0, -1) + 1], text[text.rindex(b"\n", 0, -1) + 1 :]
    assert b"average_viewers" not in summary and len(body) + len(summary) == len(text)
    log.write_bytes(text)
    (live,), _ = read_lives([log])
    assert live.closed_cleanly and live.average_viewers is None
    (folded,), _ = read_lives([log], full=True)
    assert folded.average_viewers == pytest.approx(10.0)


def test_since_accepts_days_times_and_spans() -> None:
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert parse_since("2026-01-31", tz=UTC) == datetime(2026, 1, 31, tzinfo=UTC)
    assert parse_since("2026-01-31T20:00+01:00") == datetime(2026, 1, 31, 19, 0, tzinfo=UTC)
    assert parse_since("2026-01-31 20:00", tz=UTC) == datetime(2026, 1, 31, 20, 0, tzinfo=UTC)
    assert parse_since("8w", now=now) == now - timedelta(weeks=8)
    assert parse_since("30d", now=now) == now - timedelta(days=30)
    for bad in ("yesterday", "2026-13-01", "", "8y", "-3d"):
        with pytest.raises(ValueError, match="expected a date"):
            parse_since(bad)


# -- the command --


def run(capsys: pytest.CaptureFixture[str], folder: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--sessions-dir", str(folder), "sessions", "stats", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_text_tables_and_charts_fit_80_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history(tmp_path)
    code, out, err = run(capsys, tmp_path)
    assert code == 0
    assert err.startswith("skipped junk.jsonl: ") and err.count("\n") == 1
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= WIDTH
    assert lines[:3] == [
        "4 lives from the week of 2026-01-05 to the week of 2026-01-26 (4 weeks):",
        "1.0 a week, live in 3 of 4 weeks, 5:00:00 live in all.",
        "! 1 did not close cleanly: their numbers are folded from their events",
    ]
    assert "2026-01-05 20:00   1:00:00   300  200      2.0        4        50  Monday chat" in out
    assert "!Crash" in out
    # The viewer-typed title is shown, its escape and bidi override made harmless.
    assert "\x1b" not in out and "\u202e" not in out and "Evil" in out
    assert "2026-01-12      0   0:00:00     -    -        -        0         0" in out
    bars = lines[lines.index("Lives a week") + 1 :][:4]
    assert [bar.split()[-1] for bar in bars] == ["2", "0", "1", "1"]
    assert abs(bars[0].count("█") - 2 * bars[2].count("█")) <= 1
    assert bars[2][10:] == bars[3][10:]
    peaks = [line[19:] for line in lines if line.startswith("peak viewers ")]
    # By live: 300, 200, 150, 400; by week the empty week is a blank.
    assert peaks == ["▆▅▄█  150 to 400", "▆ ▄█  150 to 400"]
    assert "lives a week       █▁▅▅  0 to 2" in lines


def test_json_for_scripts_has_every_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = history(tmp_path)
    code, out, _ = run(capsys, tmp_path, "--json")
    assert code == 0
    data = json.loads(out)
    assert [live["path"] for live in data["lives"]] == [str(p) for p in logs.values()]
    keys = {f.key for f in LIVE_FIELDS}
    assert keys <= set(data["lives"][0]) and {f.key for f in PERIOD_FIELDS} <= set(data["all"])
    assert data["lives"][3]["title"] == "Evil \x1b[2J\u202etitle"  # as recorded: JSON escapes it
    assert data["lives"][2]["closed_cleanly"] is False
    assert [w["week"] for w in data["weeks"]][1] == "2026-01-12"
    assert data["weeks"][1]["average_viewers"] is None and data["all"]["lives_a_week"] == 1.0
    assert (data["all"]["weeks"], data["all"]["weeks_live"]) == (4, 3)
    assert data["skipped"][0]["path"].endswith("junk.jsonl")


def test_full_folds_every_log_to_the_same_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history(tmp_path)
    _, quick, _ = run(capsys, tmp_path, "--json")
    _, full, _ = run(capsys, tmp_path, "--json", "--full")
    assert json.loads(full) == json.loads(quick)


def test_since_keeps_the_later_lives(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    history(tmp_path)
    code, out, _ = run(capsys, tmp_path, "--json", "--since", "2026-01-19")
    assert code == 0
    assert [live["title"] for live in json.loads(out)["lives"]] == [
        "Crash",
        "Evil \x1b[2J\u202etitle",
    ]
    code, out, _ = run(capsys, tmp_path, "--since", "2027-01-01")
    assert (code, out) == (0, f"no lives since 2027-01-01T00:00+00:00 in {tmp_path}\n")


def test_html_page_parses_strictly_with_inline_charts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history(tmp_path)
    page = tmp_path / "out" / "stats.html"
    page.parent.mkdir()
    code, out, err = run(capsys, tmp_path, "--html", "-o", str(page))
    assert code == 0 and out == "" and "stats of 4 lives written to" in err
    text = page.read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)
    assert text.count("<svg") == 1 + 2 * len(LIVE_FIELDS)
    # Nothing is fetched: no src or href to anywhere, no external script or style.
    assert not re.search(r'\b(src|href)\s*=\s*"(https?:)?//', text)
    assert not re.search(r"<(script|link)\b[^>]*\b(src|href)=", text)
    assert "@import" not in text
    assert "Evil" in text and "\x1b" not in text and "[2J" in text  # the escape shown, not sent
    assert "Monday chat" in text and "Lives a week" in text
    # The charts hold the numbers: lives a week, then peak viewers by week (the empty week a gap).
    svgs = re.findall(r"<svg.*?</svg>", text, re.S)
    values = [re.findall(r'<desc class="value">([^<]*)</desc>', svg) for svg in svgs]
    assert values[0] == ["2", "0", "1", "1"]
    assert values[2] == ["300", "150", "400"]
    assert values[1] == ["1.5", "0", "2", "1.5"]  # time live by week, in hours


def test_no_sessions_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, tmp_path)
    assert (code, out, err) == (0, f"no lives in {tmp_path}\n", "")
    code, out, _ = run(capsys, tmp_path / "missing", "--json")
    assert code == 0 and json.loads(out) == {
        "lives": [], "weeks": [], "skipped": [],
        "all": {f.key: 0 if f.combine == "sum" else None for f in PERIOD_FIELDS} | {"lives_a_week": 0.0, "weeks": 0, "weeks_live": 0},
    }  # fmt: skip


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--since", "last tuesday"], "argument --since: expected a date"),
        (["--since", "2026-02-30"], "argument --since: expected a date"),
        (["-o", "x.html"], "-o/--output goes with --html"),
        (["--html", "--json"], "--html and --json: choose one"),
        (["--html", "-o", "/nonexistent/dir/x.html"], "no such folder for the page"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    history(tmp_path)
    code, out, err = run(capsys, tmp_path, *args)
    assert code == 2 and out == ""
    assert says in err and err.count("\n") == 1 and "Traceback" not in err


def reference_average(points: list[tuple[float, int]], end: float) -> float:
    """The time-weighted average from every reading kept (the end-of-live report's first way):
    each count holds until the next reading, the last until `end`."""
    if len(points) == 1:
        return float(points[0][1])
    total = span = 0.0
    nexts = [ts for ts, _ in points[1:]] + [max(end, points[-1][0])]
    for (ts, count), next_ts in zip(points, nexts, strict=True):
        width = max(0.0, next_ts - ts)
        total += count * width
        span += width
    return total / span if span > 0 else sum(c for _, c in points) / len(points)


@settings(max_examples=60, deadline=None)
@given(
    readings=st.lists(
        st.tuples(st.floats(0, 7200, allow_nan=False), st.integers(0, 100_000)), max_size=30
    ),
    end=st.floats(0, 9000, allow_nan=False),
)
def test_average_viewers_summed_as_readings_come_is_the_time_weighted_mean(
    readings: list[tuple[float, int]], end: float
) -> None:
    """The summary's average (summed as readings come, nothing kept) is the mean over every
    reading kept; readings out of order and at one moment included. The end-of-live report
    shows the same number."""
    events: list[Event] = [Viewers(count=count, ts=T0 + ts) for ts, count in readings]
    events.append(chat("last", ts=T0 + end))
    stats = StatsState()
    for event in events:
        stats.apply(event)
    if not readings:
        assert stats.average_viewers is None
        return
    last = max(T0 + end, *(T0 + ts for ts, _ in readings))
    points = [(T0 + ts, count) for ts, count in readings]
    expected = reference_average(points, last)
    assert stats.average_viewers == pytest.approx(expected, rel=1e-9, abs=1e-6)
    assert LiveReport.from_events(events).average_viewers == stats.average_viewers


def test_one_week_and_the_html_page_to_a_pipe(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = live_events(MONDAY.timestamp(), 10, [10], 1, 0, 0)
    write_log(tmp_path, MONDAY, events, title="Solo")
    code, out, _ = run(capsys, tmp_path)
    assert out.splitlines()[:2] == [
        "1 live in the week of 2026-01-05:",
        "1.0 a week, live in 1 of 1 week, 0:10:00 live in all.",
    ]
    code, out, _ = run(capsys, tmp_path, "--html")  # stdout is not a terminal: the page
    assert code == 0
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(out)
    assert "Solo" in out


def test_html_to_a_terminal_asks_for_a_file(tmp_path: Path) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    with pytest.raises(StatsError, match="give -o FILE"):
        stats_sessions(tmp_path, html=True, out=Terminal())


def test_many_lives_chart_the_newest_that_fit_the_same_for_every_number() -> None:
    lives = [
        LiveStats(
            path=Path(f"{i}.jsonl"),
            started=MONDAY + timedelta(days=i * 2.5),
            title=f"A long title for live number {i}, with words to cut",
            source="tiktok",
            closed_cleanly=True,
            duration_s=1800.0 + i * 60,
            events=1000,
            peak_viewers=100 + i * 10,
            average_viewers=None if i == 99 else 50.0 + i,
            comments=100 * i,
            follows=i,
            diamonds=i * 1000,
        )
        for i in range(100)
    ]
    lines = render_stats_text(build_report(lives, tz=UTC))
    assert max(len(line) for line in lines) <= WIDTH
    start = next(i for i, line in enumerate(lines) if line.startswith("Trends by live"))
    shown = int(lines[start].split("the newest ")[1].split()[0])
    assert lines[start].endswith(f"the newest {shown} of 100") and 30 <= shown < 100
    rows = lines[start + 1 : start + 1 + len(LIVE_FIELDS)]
    sparks = [row[19 : 19 + shown] for row in rows]
    assert all(row[19 + shown : 21 + shown] == "  " and row[21 + shown] != " " for row in rows)
    assert all(set(spark) <= set("▁▂▃▄▅▆▇█ ") for spark in sparks)
    # The newest values: the highest peak (the last live's) is a full block at the end, and
    # its span is of the values shown.
    assert rows[1].endswith(f"█  {100 + (100 - shown) * 10:,} to 1,090")
    assert rows[2][19 + shown - 1] == " "  # the last live's average is unknown: a blank
    assert "…" in lines[6] and lines[6].endswith("…")  # titles cut to fit
