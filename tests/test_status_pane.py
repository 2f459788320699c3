"""The Status pane's text, drawn from `RuntimeStatus` snapshots (no app needed)."""

from __future__ import annotations

from backstage_tui.events import Connection, Gap, Malformed, Viewers
from backstage_tui.runtime import SourceStatus
from backstage_tui.state import StatsState
from backstage_tui.tui.panes import status_text
from tests.helpers import T0, runtime_status


def test_the_status_text_of_a_healthy_recorded_session() -> None:
    shown = str(status_text(runtime_status(), StatsState()))
    assert "fake · test" in shown and "● connected" in shown
    assert "12 events recorded" in shown and "/logs/s.jsonl" in shown
    assert "LOG FAILING" not in shown and "Damaged" not in shown


def test_the_status_text_of_a_failing_log_and_a_damaged_replay() -> None:
    failing = runtime_status(
        log_health="failing", log_error="session log failing: disk full", events_unwritten=40
    )
    shown = str(status_text(failing, StatsState()))
    assert "⚠ LOG FAILING: session log failing: disk full" in shown
    assert "40 events not on disk (held in memory)" in shown

    replay = runtime_status(
        source_records=False,
        log_health="off",
        log_path=None,
        events_recorded=0,
        source_problems=("line 6: corrupt", "line 9: corrupt"),
        source_finished=True,
    )
    shown = str(status_text(replay, StatsState()))
    assert "not recording (replay)" in shown and "■ stream ended" in shown
    assert "Damaged  2 lines skipped" in shown


def test_the_link_row_says_when_a_network_source_tries_again_and_why() -> None:
    stats = StatsState()
    stats.apply(Connection(status="reconnecting", detail="in 4.0 s · connection refused"))
    shown = str(status_text(runtime_status(link="reconnecting"), stats))
    assert "● reconnecting in 4.0 s · connection refused" in shown
    stats.apply(Connection(status="connected", detail="TikFinity"))
    shown = str(status_text(runtime_status(link="connected"), stats))
    assert "● connected" in shown and "TikFinity" not in shown
    assert "Trouble" not in shown
    stats.apply(Gap(since=1.0, until=5.0))
    stats.apply(Malformed(raw="{", error="not JSON"))
    stats.apply(Malformed(raw="[", error="not JSON"))
    assert "Trouble  gaps 1 · unreadable 2" in str(status_text(runtime_status(), stats))
    # The detail is a source's words: control characters never reach the screen.
    stats.apply(Connection(status="reconnecting", detail="in 1 s · \x1b]0;pwned\x07"))
    assert "\x1b" not in str(status_text(runtime_status(link="reconnecting"), stats))


def test_with_several_sources_each_link_says_when_it_tries_again() -> None:
    def source(name: str, link: str, detail: str = "") -> SourceStatus:
        return SourceStatus(name=name, label=name, link=link, error=None, finished=False,
                            problems=(), link_detail=detail)  # fmt: skip

    status = runtime_status(
        link="reconnecting",
        sources=(
            source("twitch", "reconnecting", "in 2.0 s · connection refused"),
            source("websocket", "connected", "TikFinity"),
        ),
    )
    shown = str(status_text(status, StatsState()))
    assert "● reconnecting in 2.0 s · connection refused" in shown
    assert "● connected" in shown and "TikFinity" not in shown


def test_a_narrow_status_is_compact_and_puts_a_failing_log_first() -> None:
    failing = runtime_status(log_health="failing", log_error="session log failing: disk full")
    wide = str(status_text(failing, StatsState(), width=40)).splitlines()
    narrow = str(status_text(failing, StatsState(), width=16)).splitlines()
    assert wide[0].startswith("Source   ") and wide[-1].startswith("⚠ LOG FAILING")
    assert narrow[0].startswith("⚠ LOG FAILING") and narrow[1] == "fake · test"
    assert "/logs/s.jsonl" in "".join(wide) and "/logs/s.jsonl" not in "".join(narrow)
    assert len(narrow) <= 21  # the side pane's height on an 80x24 terminal


def test_the_sparklines_take_the_width_beside_the_labels() -> None:
    stats = StatsState()
    for minute in range(100):
        stats.apply(Viewers(ts=T0 + minute * 60, count=100 + minute))
    rows = str(status_text(runtime_status(), stats, width=40)).splitlines()
    spark = rows[rows.index(next(r for r in rows if r.startswith("Viewers"))) + 1]
    assert len(spark.strip()) == 40 - 9 and spark.strip()[-1] == "█"
    rows = str(status_text(runtime_status(), stats, width=0)).splitlines()
    assert not any("█" in row for row in rows), "no width known: no sparkline"
