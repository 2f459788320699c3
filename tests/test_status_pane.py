"""The Status pane's text, drawn from `RuntimeStatus` snapshots (no app needed)."""

from __future__ import annotations

from backstage_tui.events import Connection, Gap, Malformed
from backstage_tui.runtime import SourceStatus
from backstage_tui.state import StatsState
from backstage_tui.tui.panes import status_text
from tests.helpers import runtime_status


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
