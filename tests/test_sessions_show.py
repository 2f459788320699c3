"""``backstage sessions show`` beyond the totals, and the report formats of ``sessions export``."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from backstage_tui.cli import main
from backstage_tui.events import Gift, Hide, Pin, User, Viewers
from tests.helpers import chat, record_session, run_cli


async def busy_log(folder: Path) -> Path:
    ann = User(id="u-ann", handle="ann", name="Ann")
    bob = User(id="u-bob", handle="bob", name="Bob \x1b[31m")
    events = [
        Viewers(count=40, ts=100.0),
        *[chat(f"a{i}", ts=100.0 + i) for i in range(5)],
        *[chat(f"b{i}", handle="bob", name="Bob \x1b[31m", ts=110.0 + i) for i in range(3)],
        Gift(user=bob, gift_name="Lion", diamonds=500, ts=120.0),
        Gift(user=ann, gift_name="Rose", diamonds=1, repeat_count=4, ts=121.0),
    ]
    return await record_session(folder, events, Hide(target=events[6].id), Pin(target=events[1].id))


async def test_show_adds_top_lists_and_moderation_by_effect(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = await busy_log(tmp_path)
    assert main(["sessions", "show", str(log)]) == 0
    lines = capsys.readouterr().out.splitlines()
    text = "\n".join(lines)
    assert "events 13" in text  # the totals are still there, first
    chatters = next(i for i, line in enumerate(lines) if line.startswith("top chatters"))
    assert lines[chatters].endswith("Ann @ann: 5 messages")
    assert lines[chatters + 1].strip() == "Bob ␛[31m @bob: 3 messages"  # shown, never run
    assert "\x1b" not in text
    gifters = next(i for i, line in enumerate(lines) if line.startswith("top gifters"))
    assert lines[gifters].endswith("Bob ␛[31m @bob: 500 diamonds (1 gift)")
    assert lines[gifters + 1].strip() == "Ann @ann: 4 diamonds (4 gifts)"
    assert any(line.startswith("polls") for line in lines)
    moderation = next(i for i, line in enumerate(lines) if line.startswith("moderation by effect"))
    assert lines[moderation].split()[-1] == "2"
    below = [line.split("  ")[-1].strip() for line in lines[moderation + 1 : -1]]
    assert "hide · local: 1" in below and "pin · queued: 1" in below
    assert lines[-1].startswith("read      ")  # how the totals were found stays last


async def test_brief_is_the_totals_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = await busy_log(tmp_path)
    assert main(["sessions", "show", "--brief", str(log)]) == 0
    out = capsys.readouterr().out
    assert "events 13" in out and "top chatters" not in out
    assert out.splitlines()[-1].startswith("read      summary written at close")


class _Strict(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag not in {"meta", "br", "link", "img", "hr", "input", "path", "circle", "rect"}:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            while self.open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        self.text.append(data)


async def test_md_and_html_are_the_live_report(tmp_path: Path) -> None:
    log = await busy_log(tmp_path / "logs")
    md = tmp_path / "live.md"
    done = run_cli("sessions", "export", str(log), "--format", "md", "-o", str(md))
    assert done.returncode == 0, done.stderr
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# Untitled live") and "Ann @ann: 5 messages" in text
    html = tmp_path / "live.html"
    done = run_cli("sessions", "export", str(log), "--format", "html", "-o", str(html))
    assert done.returncode == 0, done.stderr
    parser = _Strict()
    parser.feed(html.read_text(encoding="utf-8"))
    parser.close()
    words = " ".join(parser.text)
    assert "Ann @ann: 5 messages" in words and "Bob ␛[31m @bob: 500 diamonds" in words
    assert "html" not in parser.open  # the page's elements are all closed
    help_text = run_cli("sessions", "export", "--help").stdout
    assert "md:" in help_text and "html:" in help_text
