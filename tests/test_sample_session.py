"""The sample session that ships in ``sessions/`` (made by ``tools/make_sample.py``): it reads back
clean, closes with a true summary, and holds what a newcomer should see in a replay: pins,
moderation (the console's and the rules'), a poll with votes, questions and one marked answered."""

from __future__ import annotations

import subprocess
from pathlib import Path

from backstage_tui.events import EVENT_TYPES
from backstage_tui.session import SessionReader
from backstage_tui.state import ConsoleState
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sessions" / "sample.jsonl"


def test_the_sample_reads_back_clean() -> None:
    reader = SessionReader(SAMPLE)
    events = reader.events()
    assert reader.problems == []
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert reader.header is not None and reader.header.source == "demo"
    report = run_cli("sessions", "show", str(SAMPLE))
    assert report.returncode == 0, report.stderr
    assert "matches" in report.stdout  # closed cleanly: its summary checks out


def test_the_sample_holds_pins_moderation_a_poll_and_questions() -> None:
    events = SessionReader(SAMPLE).events()
    kinds = {e.type for e in events}
    assert {"pin", "unpin", "hide", "mute", "block", "undo", "automod"} <= kinds
    assert "question" in kinds
    state = ConsoleState.fold(events)
    if "poll_start" in EVENT_TYPES:  # polls exist in this version of the log format
        assert {"poll_start", "poll_close"} <= kinds
        polls = state.polls.polls  # type: ignore[attr-defined]
        assert polls and sum(polls[0].counts) > 10
    if "mark_done" in EVENT_TYPES:
        assert any(e.type == "mark_done" and e.kind == "question" for e in events)  # type: ignore[attr-defined]


def test_git_keeps_the_sample_and_ignores_other_logs() -> None:
    def ignored(path: str) -> bool:
        done = subprocess.run(
            ["git", "check-ignore", "-q", path], cwd=ROOT, capture_output=True, check=False
        )
        return done.returncode == 0

    assert not ignored("sessions/sample.jsonl")
    assert ignored("sessions/20260109T193000Z-demo.jsonl")
