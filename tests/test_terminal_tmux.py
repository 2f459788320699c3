"""The one test of what a person at a terminal sees: the real `backstage` command in tmux."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from backstage_tui.reports import report_paths
from backstage_tui.session import SessionReader
from backstage_tui.session.summary import SUMMARY_TAG
from tests.helpers import Tmux, end_live_in_tmux, launch, run_cli, wait_for_exit

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def comments_total(screen: str) -> int:
    """The Status pane's comment count ("Chat  28/min · 28 total")."""
    match = re.search(r"([\d,]+) total", screen)
    return int(match.group(1).replace(",", "")) if match else 0


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[tuple[Tmux, Path]]:
    sessions = tmp_path / "sessions"
    args = ["--sessions-dir", str(sessions), "--option", "seed=5", "--option", "rate=25"]
    session = launch(tmp_path, args)
    try:
        yield session, sessions
    finally:
        session.run("kill-server")


def test_backstage_in_a_real_terminal_pins_and_quits(tmux: tuple[Tmux, Path]) -> None:
    term, sessions = tmux
    term.wait_for(
        lambda s: (
            all(title in s for title in ("Feed", "Pinned", "Poll", "Status"))
            and "connected" in s
            and comments_total(s) >= 5
        ),
        "the four panes and a few comments",
    )
    # Fold activity away so the newest line is a comment, select it and pin it; a line that
    # cannot be pinned (a system line) is skipped by selecting the one before.
    term.keys("f")
    term.keys("k")
    term.keys("p")
    screen = term.wait_for(lambda s: "📌" in s or "Nothing pinned" not in s, "a pin")
    assert "Nothing pinned" not in screen

    # End the live: the confirmation says what happens, the goodbye is offered (the demo cannot
    # post in a chat: it is queued for the app), the summary, then enter leaves with 0.
    term.keys("q")
    term.wait_for(lambda s: "End the live?" in s and "(.md and .html)" in s, "the confirmation")
    term.keys("y")
    term.wait_for(lambda s: "Say goodbye" in s and "I'll be back live" in s, "the goodbye")
    term.keys("Enter")
    shown = ("summed up", "Peak viewers", "Top chatters", "Moderation", "Comments a minute")
    term.wait_for(lambda s: all(text in s for text in shown), "the summary")
    term.keys("Enter")
    assert wait_for_exit(term, sessions.parent) == "0"

    logs = list(sessions.glob("*-demo.jsonl"))
    assert len(logs) == 1
    reader = SessionReader(logs[0])
    events = reader.events()
    assert reader.problems == []
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    pins = [e for e in events if e.type == "pin"]
    assert len(pins) == 1
    pinned = {e.id: e for e in events}[pins[0].target]
    assert pinned.type in ("comment", "question")
    said = [e for e in events if e.type == "say"]
    assert len(said) == 1 and "I'll be back live" in said[0].text and said[0].effect == "queued"
    md_path, html_path = report_paths(logs[0])
    assert md_path.read_text(encoding="utf-8").startswith("# Untitled live")
    assert "<svg" in html_path.read_text(encoding="utf-8")
    # The exit message names the log.
    assert str(logs[0]) in term.run("capture-pane", "-p", "-t", term.name, "-S", "-100")


def test_events_piped_on_stdin_keys_from_the_terminal(tmp_path: Path) -> None:
    """``producer | backstage --source jsonl --option path=-``: the events come through the pipe,
    the moderator's keys through the terminal."""
    feed = tmp_path / "events.jsonl"
    lines = [
        {
            "type": "comment",
            "user": {"id": "1", "handle": "ann", "name": "Ann"},
            "text": "hello pipe",
        },
        {"type": "comment", "user": {"id": "2", "handle": "bo", "name": "Bo"}, "text": "pin me"},
    ]
    feed.write_text("".join(json.dumps(line) + "\n" for line in lines))
    sessions = tmp_path / "sessions"
    term = launch(
        tmp_path, ["--source", "jsonl", "--option", "path=-", "--sessions-dir", str(sessions)], feed
    )
    try:
        term.wait_for(lambda s: "pin me" in s and "hello pipe" in s, "the piped comments")
        term.keys("k")
        term.keys("p")
        term.wait_for(lambda s: "Nothing pinned" not in s, "the pin from a key")
        end_live_in_tmux(term)
        assert wait_for_exit(term, tmp_path) == "0"
    finally:
        term.run("kill-server")
    (log,) = sessions.glob("*-jsonl.jsonl")
    events = SessionReader(log).events()
    assert [e.type for e in events] == ["comment", "comment", "pin"]
    assert events[2].target == events[1].id


def test_closing_the_window_closes_the_log_with_its_summary(tmux: tuple[Tmux, Path]) -> None:
    """The terminal window closed mid-stream (tmux sends the program SIGHUP): the session ends as
    if `q` had been confirmed, so the log ends with a summary line that matches every byte."""
    term, sessions = tmux
    term.wait_for(lambda s: comments_total(s) >= 3, "a few comments")
    term.run("kill-server")
    logs = list(sessions.glob("*-demo.jsonl"))
    assert len(logs) == 1
    deadline = time.monotonic() + 20
    while SUMMARY_TAG not in logs[0].read_bytes()[-4096:]:
        assert time.monotonic() < deadline, "the log never got its summary line after SIGHUP"
        time.sleep(0.1)  # another process closing its log; nothing in-process to await
    # And the process is gone: with no terminal left it must not linger in the background.
    while subprocess.run(["pgrep", "-f", str(sessions)], capture_output=True).returncode == 0:
        assert time.monotonic() < deadline, "backstage is still running after its window closed"
        time.sleep(0.1)  # another process exiting; nothing in-process to await
    report = run_cli("sessions", "show", str(logs[0]))
    assert report.returncode == 0, report.stderr
    assert "summary written at close" in report.stdout and "matches" in report.stdout
    # The live's report went beside the log before the process left, as `q` would have written it.
    assert_reports_beside(logs[0])


def assert_reports_beside(log: Path) -> None:
    md, html = log.with_suffix(".md"), log.with_suffix(".html")
    assert md.read_text(encoding="utf-8").startswith("# ")
    assert "</html>" in html.read_text(encoding="utf-8")
    assert not list(log.parent.glob(".*.partial"))


SIGNAL_CLOSE_S = 5.0
"""How long a signal may take to close the session (a couple of seconds, with room for a loaded
machine)."""


@pytest.mark.parametrize("signal_name", ["TERM", "HUP"])
def test_a_signal_closes_the_session_as_q_does(tmux: tuple[Tmux, Path], signal_name: str) -> None:
    """``kill`` (SIGTERM) or a hang-up sent to the process while its terminal stays: pending
    events written, the summary line, the exit message, exit 0, within a couple of seconds."""
    term, sessions = tmux
    term.wait_for(lambda s: comments_total(s) >= 3, "a few comments")
    shell = term.run("display-message", "-p", "-t", term.name, "#{pane_pid}").strip()
    found = subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True)
    (pid,) = found.stdout.split()
    exit_file = sessions.parent / "exit-code"
    started = time.monotonic()
    subprocess.run(["kill", f"-{signal_name}", pid], check=True)
    while not exit_file.exists() or not exit_file.read_text().strip():
        assert time.monotonic() - started < SIGNAL_CLOSE_S, f"still running after SIG{signal_name}"
        time.sleep(0.05)  # another process closing its log; nothing in-process to await
    assert exit_file.read_text().strip() == "0"
    (log,) = sessions.glob("*-demo.jsonl")
    screen = term.run("capture-pane", "-p", "-t", term.name, "-S", "-100")
    assert "session log:" in screen and log.name in screen.replace("\n", "")
    report = run_cli("sessions", "show", str(log))
    assert report.returncode == 0, report.stderr
    assert "summary written at close" in report.stdout and "matches" in report.stdout
    assert_reports_beside(log)
    assert "report: " in screen and log.with_suffix(".html").name in screen.replace("\n", "")


def test_moderation_keys_in_a_real_terminal(tmux: tuple[Tmux, Path]) -> None:
    """Select, `d`, `t` `3`, `u`, `b` `y`, `enter`, `space`: the log holds each action with its
    effect."""
    term, sessions = tmux
    term.wait_for(lambda s: "connected" in s and comments_total(s) >= 5, "a few comments")
    term.keys("f")
    term.keys("k")
    term.keys("k")  # a chat line: the connection line is the oldest, far above
    term.keys("d")
    term.wait_for(lambda s: "hidden · on this console" in s, "the hide's toast")
    term.keys("t")
    term.wait_for(lambda s: "5 min" in s and "Mute" in s, "the mute presets")
    term.keys("3")
    term.wait_for(lambda s: "muted for 5 min" in s, "the mute's toast")
    term.wait_for(lambda s: "1 to do" in s, "the In the app count in Status")
    term.keys("u")
    term.wait_for(lambda s: "undone" in s, "the undo's toast")
    term.keys("b")
    term.wait_for(lambda s: "Block" in s and "?" in s, "the block question")
    term.keys("y")
    term.wait_for(lambda s: "blocked ·" in s, "the block's toast")
    term.keys("Enter")
    card = term.wait_for(lambda s: "User card" in s and "Actions" in s, "the user card")
    assert "blocked" in card and "block · queued" in card and "mute 5 min · queued" in card
    term.keys("Escape")
    term.wait_for(lambda s: "User card" not in s, "the card closed")
    term.keys("Escape")
    term.wait_for(lambda s: "paused ·" not in s, "the selection left, the feed follows")
    term.keys("Space")
    term.wait_for(lambda s: "paused ·" in s, "the frozen feed")
    term.keys("Space")
    term.wait_for(lambda s: "paused ·" not in s, "the feed follows again")
    end_live_in_tmux(term)
    assert wait_for_exit(term, sessions.parent) == "0"

    (log,) = sessions.glob("*-demo.jsonl")
    actions = [
        e for e in SessionReader(log).events() if e.type in ("hide", "mute", "undo", "block")
    ]
    assert [(e.type, e.effect) for e in actions] == [  # type: ignore[union-attr]
        ("hide", "local"), ("mute", "queued"), ("undo", "local"), ("block", "queued"),
    ]  # fmt: skip
    mute = actions[1]
    assert actions[2].action == mute.id  # type: ignore[union-attr]
    assert mute.duration_s == 300  # type: ignore[union-attr]
