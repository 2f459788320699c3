"""A poll in a real terminal: the real `backstage` on the demo in tmux, `o`, a question and two
options typed into the form, `enter`, and the demo's viewers' votes show as percentages; then `q`
`y`, the goodbye, the summary, exit 0, and the poll in the reports beside the log."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from backstage_tui.reports import report_paths
from backstage_tui.session import SessionReader
from tests.helpers import end_live_in_tmux, launch, wait_for_exit

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

SHARE = re.compile(r"\b([1-9]\d?|100)%")
"""A share above zero, as the Poll pane writes it."""


def test_a_poll_started_from_the_keyboard_gets_the_demo_s_votes(tmp_path: Path) -> None:
    sessions = tmp_path / "sessions"
    args = ["--sessions-dir", str(sessions), "--option", "seed=7", "--option", "rate=25"]
    term = launch(tmp_path, args)
    try:
        term.wait_for(lambda s: "No poll running" in s and "connected" in s, "the console")
        term.keys("o")
        term.wait_for(lambda s: "Start a poll in chat" in s, "the poll form")
        # Field by field, as a person types: each field shows what was typed before the next key.
        for label, text in (("Question", "Snack tonight?"), ("Option 1", "chips"),
                            ("Option 2", "popcorn")):  # fmt: skip
            if label != "Question":
                term.keys("Tab")
            term.keys("-l", text)
            term.wait_for(lambda s, f=f"{label}   {text}": f in s, f"{text!r} in {label}")
        term.keys("Enter")
        screen = term.wait_for(
            lambda s: "Snack tonight?" in s and "voters" in s and SHARE.search(s) is not None,
            "percentages from the demo's votes",
        )
        assert "Start a poll in chat" not in screen, "the form closed"
        assert re.search(r"1 chips\s.*%", screen) and re.search(r"2 popcorn\s.*%", screen)
        voters = re.search(r"([\d,]+) voters", screen)
        assert voters is not None and int(voters.group(1).replace(",", "")) >= 1
        logs = list(sessions.glob("*-demo.jsonl"))
        assert len(logs) == 1
        starts = [e for e in SessionReader(logs[0]).events() if e.type == "poll_start"]
        assert [(e.question, e.options) for e in starts] == [  # type: ignore[union-attr]
            ("Snack tonight?", ("chips", "popcorn"))
        ]
        # Then the live ends as a creator ends it: q, y, the goodbye said, the summary, exit 0,
        # and the poll's results in the reports beside the log.
        end_live_in_tmux(term, goodbye=True)
        assert wait_for_exit(term, tmp_path) == "0"
        md_path, html_path = report_paths(logs[0])
        report = md_path.read_text(encoding="utf-8")
        assert "- Poll 1:\n  - Snack tonight?: " in report and "  - chips: " in report
        assert "Snack tonight?" in html_path.read_text(encoding="utf-8")
        said = [e for e in SessionReader(logs[0]).events() if e.type == "say"]
        assert len(said) == 1 and "I'll be back live" in said[0].text  # type: ignore[union-attr]
    finally:
        term.run("kill-server")
