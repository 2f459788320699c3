"""Ending the live: `q` (or `ctrl+e`) -> the confirmation -> the goodbye -> the summary -> exit 0,
`escape` at each step, the report files beside the log, and the source saying the LIVE ended."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC
from pathlib import Path
from typing import Any, ClassVar

import html5lib
import pytest
from rich.console import Console
from textual.widgets import Static

from backstage_tui.events import Connection, Event, Say, Viewers
from backstage_tui.goodbye import LiveSettings
from backstage_tui.reports import report_paths
from backstage_tui.runtime import SessionRuntime
from backstage_tui.session import SessionReader
from backstage_tui.tui.app import BackstageApp
from backstage_tui.tui.ask_screen import AskScreen, parse_tags
from backstage_tui.tui.confirm import ConfirmScreen
from backstage_tui.tui.line_screen import LineScreen
from backstage_tui.tui.summary_screen import SummaryScreen
from tests.helpers import (
    T0,
    FakeSource,
    comment,
    end_live,
    is_one_readable_line,
    run_cli,
    settled,
    user,
    wait_for,
    whole_screen,
)

SIZE = (120, 40)
EVENTS: list[Event] = [
    Viewers(id="v1", ts=T0, count=40),
    comment(1, "hello!", user("ann", "Ann")),
    comment(2, "great stream", user("bo", "Bo")),
    comment(3, "again", user("ann", "Ann")),
    Viewers(id="v2", ts=T0 + 4, count=55),
]


class ChattySource(FakeSource):
    """A source that can post in the live's chat (like `tiktok` with a session id)."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"say"})

    def __init__(self, events: list[Event]) -> None:
        super().__init__(events)
        self.said: list[str] = []

    async def act(self, action: Any) -> bool:
        self.said.append(action.text)
        return True


class EndingSource(FakeSource):
    """Yields its events, then the platform's word that the LIVE ended, and stays open."""

    def __init__(self, events: list[Event], status: str = "ended") -> None:
        super().__init__(events)
        self.status = status

    async def events(self) -> AsyncIterator[Event]:
        for event in self.items:
            yield event
        yield Connection(ts=T0 + 10, status=self.status, detail="the LIVE ended")  # type: ignore[arg-type]
        import asyncio

        await asyncio.Event().wait()


def end_app(tmp_path: Path, source: FakeSource | None = None, **kw: Any) -> BackstageApp:
    runtime = SessionRuntime(source or FakeSource(EVENTS), sessions_dir=tmp_path,
                             title=kw.pop("title", ""))  # fmt: skip
    return BackstageApp(runtime, title="backstage · test", tz=UTC, **kw)


async def ready(pilot: Any, app: BackstageApp, published: int = len(EVENTS)) -> None:
    await wait_for(pilot, settled(app, published), description="the events are drawn")


async def to_goodbye(pilot: Any, app: BackstageApp, *keys: str) -> LineScreen:
    await pilot.press(*(keys or ("q",)))
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), description="it asks")
    await pilot.press("y")
    await wait_for(pilot, lambda: isinstance(app.screen, LineScreen), description="the goodbye")
    assert isinstance(app.screen, LineScreen)
    return app.screen


async def summary_filled(pilot: Any, app: BackstageApp) -> SummaryScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), description="summary")
    screen = app.screen
    assert isinstance(screen, SummaryScreen)
    await wait_for(pilot, lambda: screen.report is not None, description="the report is made")
    await pilot.pause()
    return screen


async def sees(pilot: Any, app: BackstageApp, *texts: str) -> str:
    """Wait until the screen shows every one of `texts`; the screen."""
    await wait_for(pilot, lambda: all(t in whole_screen(app) for t in texts),
                   description=f"the screen shows {texts}; missing "
                   f"{[t for t in texts if t not in whole_screen(app)]}")  # fmt: skip
    return whole_screen(app)


def summary_text(screen: SummaryScreen) -> str:
    """Everything the summary says, scrolled into view or not, as plain text."""
    console = Console(width=200, file=io.StringIO(), record=True)
    for static in screen.query(Static):
        console.print(static.content)
    return console.export_text()


def logged(app: BackstageApp) -> list[Event]:
    assert app.runtime.log_path is not None
    return SessionReader(app.runtime.log_path).events()


async def test_q_confirm_goodbye_summary_and_exit_zero(tmp_path: Path) -> None:
    app = end_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), description="asks")
        await sees(pilot, app, "End the live?", "session log is", "(.md and .html)")
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, LineScreen), description="goodbye")
        goodbye = app.screen.query_one("Input").value  # type: ignore[attr-defined]
        assert goodbye == LiveSettings().goodbye_text(__import__("datetime").datetime.now())
        assert "I'll be back live soon" in goodbye  # no schedule in the config
        await sees(pilot, app, "cannot send chat")  # the fake source cannot post
        await pilot.press("enter")
        summary = await summary_filled(pilot, app)
        assert app.runtime.recorder is not None and app.runtime.recorder.closed
        text = summary_text(summary)
        for expected in ("Peak viewers", "55", "Comments", "Top chatters", "Ann @ann: 2 messages",
                         "Goodbye to post in the app", "I'll be back live soon",
                         "Written beside the log", "Viewers", "Comments a minute"):  # fmt: skip
            assert expected in text, expected
        await sees(pilot, app, "The live, summed up", "Ann @ann: 2 messages")
        assert summary.report is not None and summary.report.comments == 3
        assert app.is_running
        await pilot.press("c")  # the goodbye to paste in the app, on the clipboard
        await wait_for(pilot, lambda: app.clipboard == goodbye, description="the goodbye copied")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.is_running, description="enter leaves")
    assert app.return_code == 0
    said = [e for e in logged(app) if isinstance(e, Say)]
    assert [(s.text, s.effect) for s in said] == [(goodbye, "queued")]
    assert app.runtime.log_path is not None
    md_path, html_path = report_paths(app.runtime.log_path)
    assert "Ann @ann: 2 messages" in md_path.read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True).parse(html_path.read_text(encoding="utf-8"))


async def test_ctrl_e_opens_the_same_confirmation_and_q_leaves_the_summary(tmp_path: Path) -> None:
    app = end_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await to_goodbye(pilot, app, "ctrl+e")
        await pilot.press("ctrl+u", "enter")  # emptied: ends without a goodbye
        summary = await summary_filled(pilot, app)
        assert "Goodbye to post" not in summary_text(summary) and not summary.goodbye_to_post
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running, description="q leaves")
    assert app.return_code == 0
    assert not [e for e in logged(app) if e.type == "say"]


async def test_escape_at_each_step(tmp_path: Path) -> None:
    app = end_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        main = app.screen
        # The confirmation: back to the live.
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), description="asks")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main, description="back to the live")
        # The goodbye: back to the live too, nothing said, nothing closed.
        await to_goodbye(pilot, app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main, description="back to the live")
        assert "the live goes on" in [str(n.message) for n in app._notifications]
        assert app.runtime.recorder is not None and not app.runtime.recorder.closed
        await app.runtime.publish(comment(9, "still here"))
        await ready(pilot, app, len(EVENTS) + 1)
        # The summary: the live is over, there is nothing to go back to; escape does nothing.
        await to_goodbye(pilot, app)
        await pilot.press("enter")
        await summary_filled(pilot, app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen) and app.is_running
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.is_running, description="enter leaves")
    assert app.return_code == 0
    events = logged(app)
    assert [e.type for e in events].count("say") == 1 and events[-2].id == "c9"


async def test_the_goodbye_is_posted_where_the_source_can_send_chat(tmp_path: Path) -> None:
    source = ChattySource(EVENTS)
    app = end_app(tmp_path, source, title="Friday art", live=LiveSettings(
        goodbye="Bye from {title}! Next: {next_live}", schedule=["Mon 19:00"]))  # fmt: skip
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        screen = await to_goodbye(pilot, app)
        value = screen.query_one("Input").value  # type: ignore[attr-defined]
        assert value.startswith("Bye from Friday art! Next: ") and "at 19:00" in value
        await sees(pilot, app, "posted in the live's chat")
        await pilot.press(*" :)", "enter")
        summary = await summary_filled(pilot, app)
        assert "Goodbye to post" not in summary_text(summary)
        await sees(pilot, app, "Friday art, summed up")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.is_running, description="enter leaves")
    assert source.said == [f"{value} :)"]
    said = [e for e in logged(app) if isinstance(e, Say)]
    assert [s.effect for s in said] == ["forwarded"]


async def test_a_replay_just_ends(tmp_path: Path) -> None:
    runtime = SessionRuntime(FakeSource(EVENTS), sessions_dir=tmp_path, record=False)
    app = BackstageApp(runtime, tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), description="asks")
        await sees(pilot, app, "End the session?")
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.is_running, description="it ends")
    assert app.return_code == 0
    assert not list(tmp_path.iterdir())


async def test_the_stream_ended_offers_to_end_and_never_ends_by_itself(tmp_path: Path) -> None:
    app = end_app(tmp_path, EndingSource(EVENTS))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app, len(EVENTS) + 1)
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), description="offer")
        await sees(pilot, app, "The LIVE ended (the LIVE ended). End the live?")
        await pilot.press("n")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen) and app.is_running
        app.draw_frame()
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen), "offered once, not again and again"
        assert app.runtime.recorder is not None and not app.runtime.recorder.closed
        assert "ended" in str(app.status.render())
        await to_goodbye(pilot, app)
        await pilot.press("enter")
        await summary_filled(pilot, app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.is_running, description="enter leaves")
    assert app.return_code == 0


async def test_a_replayed_end_of_live_offers_nothing(tmp_path: Path) -> None:
    runtime = SessionRuntime(EndingSource(EVENTS), sessions_dir=tmp_path, record=False)
    app = BackstageApp(runtime, tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app, len(EVENTS) + 1)
        await wait_for(pilot, lambda: app._offered_end, description="the end seen")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen) and app.is_running


@pytest.mark.parametrize("status", ["disconnected", "reconnecting"])
async def test_a_dropped_source_shows_in_status_and_the_session_goes_on(
    tmp_path: Path, status: str
) -> None:
    app = end_app(tmp_path, EndingSource(EVENTS, status))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app, len(EVENTS) + 1)
        await wait_for(pilot, lambda: status in str(app.status.render()),
                       description=f"Status says {status}")  # fmt: skip
        assert not isinstance(app.screen, ConfirmScreen) and app.is_running
        await app.runtime.publish(comment(9, "after the drop"))
        await ready(pilot, app, len(EVENTS) + 2)
        assert any("after the drop" in line for line in app.feed.screen_lines())


async def test_a_dialog_answers_once_so_a_double_enter_pops_nothing_else(tmp_path: Path) -> None:
    """Enter pressed twice fast on the goodbye: the second must not dismiss it again (which would
    pop the summary the first one opened, or the console itself)."""
    app = end_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        screen = await to_goodbye(pilot, app)
        screen.answer_once(screen.query_one("Input").value)  # type: ignore[attr-defined]
        screen.answer_once("a second answer")
        summary = await summary_filled(pilot, app)
        assert len(app.screen_stack) == 2 and app.screen is summary
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.is_running, description="enter leaves")
    assert app.return_code == 0
    assert [e.type for e in logged(app)].count("say") == 1


# -- going live: --ask --


async def test_ask_takes_the_title_and_tags_before_the_live_starts(tmp_path: Path) -> None:
    runtime = SessionRuntime(FakeSource(EVENTS), sessions_dir=tmp_path, title="from the flag")
    app = BackstageApp(runtime, tz=UTC, ask=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, AskScreen), description="the form")
        assert not runtime.started and runtime.log_path is None  # nothing recorded before it
        await sees(pilot, app, "Before the live starts", "from the flag")
        await pilot.press("ctrl+u", *"Sunday <b>art</b>", "tab", *"art, chill , ,art", "enter")
        await ready(pilot, app)
        await end_live(pilot, app)
    assert runtime.log_path is not None
    head = SessionReader(runtime.log_path).header
    assert head is not None and head.title == "Sunday <b>art</b>" and head.tags == ["art", "chill"]


async def test_ask_escape_starts_with_what_the_command_line_gave(tmp_path: Path) -> None:
    runtime = SessionRuntime(FakeSource(EVENTS), sessions_dir=tmp_path, title="given",
                             tags=("x",))  # fmt: skip
    app = BackstageApp(runtime, tz=UTC, ask=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, AskScreen), description="the form")
        await pilot.press("escape")
        await ready(pilot, app)
        assert runtime.log_path is not None
        head = SessionReader(runtime.log_path).header
        assert head is not None and (head.title, head.tags) == ("given", ["x"])


def test_parse_tags() -> None:
    assert parse_tags(" a, b ,,a, " + "x" * 50) == ("a", "b", "x" * 40)
    assert parse_tags("") == ()


@pytest.mark.parametrize(
    ("args", "says"),
    [(("--headless", "--ask"), "give --title and --tag instead"),
     (("--ask", "replay", "x.jsonl"), "not a replay")],
)  # fmt: skip
def test_ask_only_in_the_console_before_a_live(args: tuple[str, ...], says: str) -> None:
    out = run_cli(*args)
    assert out.returncode == 2 and says in out.stderr and is_one_readable_line(out.stderr.strip())
