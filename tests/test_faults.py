"""Faults: a source that raises, returns garbage or hangs; a subscriber that is slow or raises; a log
folder that disappears (a config file with wrong types: `test_config.py`). Each gives a readable message, the console
keeps going, and nothing recorded is lost.

Headless through `SessionRuntime` (the whole console without a screen) where that is enough; with
Pilot where the message on screen is the point.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel

from backstage_tui import runtime as runtime_module
from backstage_tui.bus import consume
from backstage_tui.events import (
    ActionEvent,
    Comment,
    Event,
    ForwardResult,
    Hide,
    Malformed,
    Pin,
    User,
)
from backstage_tui.runtime import SessionRuntime
from backstage_tui.session import SessionReader
from backstage_tui.sources.base import Source
from tests.helpers import ListSource, chat, end_live, is_one_readable_line, wait_for

HOSTILE_ERROR = "server said \x1b]0;PWNED\x07 [@click=app.quit]bye[/]\nsecond line\x9b6n"


def logged(runtime: SessionRuntime) -> list[Event]:
    assert runtime.log_path is not None
    reader = SessionReader(runtime.log_path)
    events = reader.events()
    assert reader.problems == []
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    return events


# -- a source that raises ------------------------------------------------------------------------


class RaisingSource(Source):
    name: ClassVar[str] = "raising"

    def __init__(self, before: int = 3, error: Exception | None = None) -> None:
        super().__init__()
        self.before = before
        self.error = error or ConnectionResetError(HOSTILE_ERROR)

    async def events(self) -> AsyncIterator[Event]:
        for n in range(self.before):
            yield chat(f"m{n}")
        raise self.error


class RaisesBeforeIterating(Source):
    """`events()` itself fails: not even an async iterator comes back."""

    name: ClassVar[str] = "early"

    def events(self) -> AsyncIterator[Event]:
        raise PermissionError("token rejected")


async def test_a_source_that_raises_is_reported_in_one_line_and_the_log_keeps_everything(
    tmp_path: Path,
) -> None:
    runtime = SessionRuntime(RaisingSource(before=50), sessions_dir=tmp_path)
    await runtime.start()
    await wait_for(
        None,
        lambda: runtime.source_error is not None and runtime.state.last_seq == 51,
        description="the source's failure reported after its 50 events and the disconnect",
    )
    error = runtime.source_error
    assert error is not None and is_one_readable_line(error)
    assert error.startswith("source 'raising' failed: ConnectionResetError: server said")
    assert "second line" not in error
    assert runtime.state.stats.connection == "disconnected"
    # The console goes on after its source died: a moderator can still act, and it is recorded.
    target = runtime.state.feed.items[10].id
    await runtime.act(Pin(target=target))
    await wait_for(
        None,
        lambda: target in runtime.state.pins.pinned,
        description="the pin folded into the state",
    )
    await runtime.close()
    kinds = [e.type for e in logged(runtime)]
    assert kinds == ["comment"] * 50 + ["connection", "pin"]


async def test_a_source_that_fails_before_its_first_event_is_reported(tmp_path: Path) -> None:
    runtime = SessionRuntime(RaisesBeforeIterating(), sessions_dir=tmp_path)
    await runtime.start()
    await wait_for(
        None, lambda: runtime.source_error is not None, description="the source's failure reported"
    )
    assert runtime.source_error == "source 'early' failed: PermissionError: token rejected"
    await runtime.close()
    assert [e.type for e in logged(runtime)] == ["connection"]


# -- a source that returns garbage ---------------------------------------------------------------


class NotAnEvent(BaseModel):
    type: str = "comment"
    text: str = "looks like a comment"


class BadRepr:
    def __repr__(self) -> str:
        raise RuntimeError("repr is hostile too")


GARBAGE: list[Any] = [
    {"type": "comment", "text": "a dict, not an event"},
    None,
    "\x1b]0;PWNED\x07 a bare string",
    42,
    b"\x00\xff bytes",
    NotAnEvent(),
    BadRepr(),
    ["x" * 10_000],
]


class GarbageSource(Source):
    name: ClassVar[str] = "garbage"

    async def events(self) -> AsyncIterator[Event]:
        yield chat("first")
        for item in GARBAGE:
            yield item
        yield chat("last")


async def test_garbage_from_a_source_becomes_malformed_events_and_the_pump_goes_on(
    tmp_path: Path,
) -> None:
    runtime = SessionRuntime(GarbageSource(), sessions_dir=tmp_path)
    await runtime.start()
    await asyncio.wait_for(runtime.wait_source_done(), 10)
    assert runtime.source_error is None and runtime.source_finished
    await runtime.close()
    events = logged(runtime)
    assert [e.type for e in events] == ["comment"] + ["malformed"] * len(GARBAGE) + ["comment"]
    bad = [e for e in events if isinstance(e, Malformed)]
    assert "yielded a dict, not an event" in bad[0].error
    assert "yielded a NoneType" in bad[1].error
    assert "yielded a NotAnEvent" in bad[5].error
    assert bad[6].raw.startswith("<BadRepr")
    assert all(len(e.raw) < 200 for e in bad)  # kept, but cut
    assert runtime.state.stats.malformed == len(GARBAGE)


# -- a source that hangs -------------------------------------------------------------------------


class SilentSource(Source):
    """Connected, never says a thing."""

    name: ClassVar[str] = "silent"
    listening = False

    async def events(self) -> AsyncIterator[Event]:
        self.listening = True
        await asyncio.Event().wait()
        yield chat("never")  # pragma: no cover


class StubbornSource(Source):
    """Swallows every cancellation (a broken client library) until the test releases it."""

    name: ClassVar[str] = "stubborn"

    def __init__(self) -> None:
        super().__init__()
        self.released = False

    async def events(self) -> AsyncIterator[Event]:
        yield chat("hello")
        while not self.released:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                continue


async def test_closing_with_a_silent_source_is_prompt(tmp_path: Path) -> None:
    source = SilentSource()
    runtime = SessionRuntime(source, sessions_dir=tmp_path)
    await runtime.start()
    await wait_for(None, lambda: source.listening, description="the source waiting for a message")
    await asyncio.wait_for(runtime.close(), 2)
    assert runtime.recorder is not None and runtime.recorder.closed


async def test_a_source_that_ignores_cancellation_cannot_keep_the_console_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime_module, "SOURCE_STOP_TIMEOUT_S", 0.2)
    source = StubbornSource()
    runtime = SessionRuntime(source, sessions_dir=tmp_path)
    await runtime.start()
    await wait_for(None, lambda: runtime.state.last_seq == 1, description="the first event folded")
    await asyncio.wait_for(runtime.close(), 5)
    assert runtime.recorder is not None and runtime.recorder.closed
    assert [e.type for e in logged(runtime)] == ["comment"]
    # Let the stubborn pump go, so no task outlives the test's event loop.
    pump = runtime._runs[0].task
    assert pump is not None and not pump.done()
    source.released = True
    pump.cancel()
    await asyncio.wait([pump], timeout=2)
    assert pump.done()


# -- subscribers that raise or are slow -----------------------------------------------------------


async def test_a_subscriber_that_raises_keeps_receiving_and_hurts_no_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    events = [chat(f"m{i}") for i in range(300)]
    runtime = SessionRuntime(ListSource(events), sessions_dir=tmp_path)
    seen: list[Event] = []

    def plugin(batch: list[Event]) -> None:
        seen.extend(batch)
        raise RuntimeError("a plug-in bug")

    sub = runtime.bus.subscribe("plugin", "lossless", 16)
    task = asyncio.create_task(consume(sub, plugin))
    await runtime.start()
    await wait_for(
        None,
        lambda: len(seen) == 300 and runtime.state.last_seq == 300,
        description="300 events at the raising subscriber and in the state",
    )
    assert not task.done()
    await runtime.close()
    await asyncio.wait_for(task, 5)
    assert [e.seq for e in seen] == list(range(1, 301))
    assert len(logged(runtime)) == 300
    assert "subscriber plugin failed on a batch" in caplog.text


async def test_a_slow_ui_does_not_slow_the_recorder(tmp_path: Path) -> None:
    events = [chat(f"m{i}") for i in range(20_000)]
    runtime = SessionRuntime(ListSource(events, stay_open=False), sessions_dir=tmp_path)
    ui = runtime.subscribe_ui(maxsize=10)  # a UI that never takes anything
    await runtime.start()
    await asyncio.wait_for(runtime.wait_source_done(), 30)
    await runtime.close()
    assert ui.skipped == 20_000 - 10 and len(ui) == 10
    assert [e.seq for e in ui.take_nowait()] == list(range(19_991, 20_001))
    assert len(logged(runtime)) == 20_000


# -- the log folder disappears ---------------------------------------------------------------------


async def test_the_log_folder_removed_mid_session_is_recreated_with_every_event(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "sessions"
    source = ListSource([chat(f"before {i}") for i in range(100)])
    runtime = SessionRuntime(source, sessions_dir=folder)
    await runtime.start()
    recorder = runtime.recorder
    assert recorder is not None
    await wait_for(
        None, lambda: recorder.written == 100, description="the first 100 events written"
    )
    shutil.rmtree(folder)
    for i in range(100):
        await runtime.publish(chat(f"after {i}"))
    # An action is synced at once: that is when the recorder notices the file is gone.
    await runtime.act(Hide(target=runtime.state.feed.items[0].id))
    await wait_for(
        None,
        lambda: recorder.notice is not None,
        description="the recorder's notice that it recreated the log",
    )
    notice = recorder.notice
    assert notice is not None and "recreated" in notice and is_one_readable_line(notice)
    assert recorder.error is None
    await runtime.close()
    texts = [e.text for e in logged(runtime) if isinstance(e, Comment)]
    assert texts == [f"before {i}" for i in range(100)] + [f"after {i}" for i in range(100)]


# -- a platform that refuses an action -------------------------------------------------------------


class RefusingSource(ListSource):
    capabilities: ClassVar[frozenset[str]] = frozenset({"hide"})

    async def act(self, action: ActionEvent) -> bool:
        raise PermissionError("moderator rights revoked\n(details)")


async def test_a_refused_action_still_counts_locally_and_says_why(tmp_path: Path) -> None:
    runtime = SessionRuntime(RefusingSource([chat("spam")]), sessions_dir=tmp_path)
    await runtime.start()
    await wait_for(None, lambda: runtime.state.last_seq == 1, description="the first event folded")
    target = runtime.state.feed.items[0].id
    result = await runtime.act(Hide(target=target))
    assert result.effect == "forwarded" and result.changed
    assert result.forward_error == "PermissionError: moderator rights revoked"
    assert runtime.state.moderation.is_hidden(target), "the hide holds on this console"
    await runtime.close()
    events = logged(runtime)
    assert [e.type for e in events] == ["comment", "hide", "forward_result"]
    hide, last = events[1], events[-1]
    assert isinstance(last, ForwardResult) and isinstance(hide, Hide)
    assert hide.effect == "forwarded" and last.action == hide.id and not last.ok
    assert last.error == "PermissionError: moderator rights revoked"
    entry = runtime.state.moderation.entry(hide.id)
    assert entry is not None and entry.forward == last.error


# -- the same faults in the running console --------------------------------------------------------


class FailingLiveSource(Source):
    name: ClassVar[str] = "live"

    async def events(self) -> AsyncIterator[Event]:
        yield Comment(id="c1", user=User(id="u1", name="Ann"), text="hello")
        yield {"not": "an event"}  # type: ignore[misc]
        yield Comment(id="c2", user=User(id="u2", name="Bo"), text="still here")
        raise ConnectionResetError(HOSTILE_ERROR)


async def test_the_console_shows_source_faults_readably_and_keeps_going(tmp_path: Path) -> None:
    from backstage_tui.tui import BackstageApp

    runtime = SessionRuntime(FailingLiveSource(), sessions_dir=tmp_path)
    app = BackstageApp(runtime)
    async with app.run_test(size=(120, 32)) as pilot:
        await wait_for(
            pilot,
            lambda: runtime.source_error is not None and app.feed.line_count >= 4,
            description="the source's failure reported and its 4 lines in the feed",
        )
        await pilot.pause(0.1)
        status = str(app.status.render())
        assert "● error" in status
        assert "ConnectionResetError: server said ␛]0;PWNED␇ [@click=app.quit]bye[/]" in status
        assert "\x1b" not in status and "second line" not in status
        feed = "\n".join(app.feed.screen_lines())
        assert "malformed payload" in feed and "yielded a dict" in feed
        assert "still here" in feed
        # Still a working console: select the last comment and pin it.
        await pilot.press("k", "k", "p")
        await pilot.pause()
        assert "c2" in runtime.state.pins.pinned
        assert app.is_running and app.return_code is None
        await end_live(pilot, app)
    types = [e.type for e in logged(runtime)]
    assert types == ["comment", "malformed", "comment", "connection", "pin"]
