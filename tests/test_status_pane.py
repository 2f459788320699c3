"""The Status pane's text, drawn from `RuntimeStatus` snapshots (no app needed)."""

from __future__ import annotations

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
    assert "40 events held in memory" in shown

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
