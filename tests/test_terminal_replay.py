"""The replay keys in a real terminal: `backstage replay` in tmux, paused, seeking, jumping to the
next moderation action, then quitting; the log it read is byte for byte what it was."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from backstage_tui.session.replay_index import ReplayIndex
from tests.helpers import launch, wait_for_exit

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

SAMPLE = Path(__file__).resolve().parents[1] / "sessions" / "sample.jsonl"


def position(screen: str) -> tuple[int, int]:
    """(event, total) from the position bar ("event 196 / 606")."""
    match = re.search(r"event ([\d,]+) / ([\d,]+)", screen)
    assert match, f"no position bar on the screen:\n{screen}"
    return int(match.group(1).replace(",", "")), int(match.group(2).replace(",", ""))


def elapsed(screen: str) -> int:
    """The session time in the position bar, in seconds ("1:36 / 4:59" is 96)."""
    match = re.search(r"(\d+):(\d\d) / \d+:\d\d", screen)
    assert match, f"no session time on the screen:\n{screen}"
    return int(match.group(1)) * 60 + int(match.group(2))


def test_replay_the_sample_pause_seek_and_jump_to_the_next_action(tmp_path: Path) -> None:
    log = tmp_path / "sample.jsonl"
    shutil.copyfile(SAMPLE, log)
    digest = hashlib.sha256(log.read_bytes()).hexdigest()
    index = ReplayIndex.build(log)
    term = launch(tmp_path, ["replay", str(log), "--speed", "1"])
    try:
        term.wait_for(lambda s: "▶ playing" in s and f"/ {index.total:,}" in s, "playing, indexed")
        term.keys("Space")
        paused = term.wait_for(lambda s: "⏸ paused" in s, "the pause")
        at, total = position(paused)
        assert total == index.total
        # Paused: the position stays while the screen is looked at again.
        assert position(term.wait_for(lambda s: "⏸ paused" in s, "still paused"))[0] == at
        term.keys("Right")
        later = term.wait_for(lambda s: position(s)[0] > at and "seeking" not in s, "10 s on")
        assert elapsed(later) >= 10
        assert "⏸ paused" in later  # a seek does not start a paused replay
        here = position(later)[0]
        action = index.next_action(here)
        assert action is not None, "the sample has a moderation action after the first 10 s"
        term.keys(">")
        term.wait_for(lambda s: position(s)[0] == action, f"the next action (event {action})")
        term.keys("q")
        term.wait_for(lambda s: "End the session?" in s, "the confirmation")
        term.keys("y")
        assert wait_for_exit(term, tmp_path) == "0"
    finally:
        term.run("kill-server")
    assert hashlib.sha256(log.read_bytes()).hexdigest() == digest
