"""Several sources at once: one bus, each event carrying its source's name, each source's link in
the status, every source and its options in the log header."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import ClassVar

import pytest

from backstage_tui.events import ActionEvent, Comment, Connection, Event, Hide, event_from_json
from backstage_tui.runtime import SessionRuntime
from backstage_tui.session import SessionReader
from backstage_tui.sources.base import Source
from backstage_tui.tui.panes import status_text
from tests.helpers import FakeSource, ListSource, chat, wait_for


class FailingSource(Source):
    name: ClassVar[str] = "flaky"

    async def events(self) -> AsyncIterator[Event]:
        yield Connection(status="connected")
        yield chat("from flaky", handle="fl")
        raise ConnectionError("the platform hung up")


class ActingSource(FakeSource):
    """A fake whose platform can hide messages: records what it was asked to do."""

    name: ClassVar[str] = "acting"
    capabilities: ClassVar[frozenset[str]] = frozenset({"hide"})

    def __init__(self, events: list[Event]) -> None:
        super().__init__(events, label="acting · test")
        self.forwarded: list[ActionEvent] = []

    async def act(self, action: ActionEvent) -> bool:
        self.forwarded.append(action)
        return True


async def test_two_sources_feed_one_session_and_each_event_names_its_source(
    tmp_path: Path,
) -> None:
    ended = ListSource(
        [Connection(status="connected"), chat("a1", handle="a"), chat("a2", handle="a")],
        stay_open=False,
    )
    live = FakeSource([Connection(status="reconnecting", detail="backing off"), chat("b1")])
    runtime = SessionRuntime(sources=[ended, live], sessions_dir=tmp_path)
    await runtime.start()
    await wait_for(None, lambda: runtime.state.last_seq == 5, description="both sources' events")
    status = runtime.status()
    await runtime.close()

    by_source: dict[str, list[str]] = {}
    for event in runtime.state.feed.items:
        if isinstance(event, Comment):
            by_source.setdefault(event.source, []).append(event.text)
    assert by_source == {"list": ["a1", "a2"], "fake": ["b1"]}

    assert [(s.name, s.label, s.link, s.finished) for s in status.sources] == [
        ("list", "list", "connected", True),
        ("fake", "fake · test", "reconnecting", False),
    ]
    assert status.link == "reconnecting" and not status.source_finished
    assert status.source == "list + fake · test"

    assert runtime.log_path is not None and runtime.log_path.name.endswith("-list+fake.jsonl")
    reader = SessionReader(runtime.log_path)
    logged = reader.events()
    assert {e.source for e in logged} == {"list", "fake"}
    assert reader.header is not None and reader.header.source == "list+fake"
    assert [entry["name"] for entry in reader.header.sources] == ["list", "fake"]


async def test_one_source_failing_leaves_the_others_running(tmp_path: Path) -> None:
    steady = FakeSource([chat("steady")])
    runtime = SessionRuntime(sources=[steady, FailingSource()], sessions_dir=tmp_path)
    await runtime.start()
    await wait_for(
        None,
        lambda: runtime.status().source_error is not None and runtime.state.last_seq == 4,
        description="the flaky source's failure, after both sources' events",
    )
    await runtime.publish(chat("still here"))
    status = runtime.status()
    flaky = status.sources[1]
    assert flaky.error == "source 'flaky' failed: ConnectionError: the platform hung up"
    assert flaky.link == "disconnected" and not flaky.finished
    assert status.sources[0].error is None and status.source_error == flaky.error
    # The disconnect the runtime reports is the flaky source's own.
    disconnect = [e for e in runtime.state.feed.items if isinstance(e, Connection)][-1]
    assert disconnect.source == "flaky" and disconnect.status == "disconnected"
    shown = status_text(status, runtime.state.stats).plain
    assert shown.count("Source") == 2 and "● error" in shown and "fake · test" in shown
    assert "the platform hung up" in shown
    await runtime.close()


async def test_an_action_goes_to_the_source_of_its_target(tmp_path: Path) -> None:
    acting = ActingSource([chat("hide me", handle="x")])
    other = ListSource([chat("not mine")], stay_open=True)
    runtime = SessionRuntime(sources=[acting, other], sessions_dir=tmp_path, record=False)
    async with runtime:
        await wait_for(None, lambda: runtime.state.last_seq == 2, description="both comments")
        mine, theirs = sorted(runtime.state.feed.items, key=lambda e: e.source)
        await runtime.act(Hide(target=mine.id))  # "acting" can hide on its platform
        await runtime.act(Hide(target=theirs.id))  # "list" cannot: the hide stays local
    assert [a.target for a in acting.forwarded] == [mine.id]
    assert runtime.state.moderation.is_hidden(theirs.id)


def test_source_names_in_one_session_must_differ() -> None:
    with pytest.raises(ValueError, match="its own name"):
        SessionRuntime(sources=[ListSource(), ListSource()])
    with pytest.raises(ValueError, match="at least one source"):
        SessionRuntime()


def test_old_logs_without_a_source_field_still_read() -> None:
    line = b'{"type":"comment","id":"1","ts":1.0,"seq":1,"user":{"id":"u"},"text":"hi"}'
    event = event_from_json(line)
    assert event.source == "" and event.type == "comment"


async def test_a_single_source_session_reads_as_before(tmp_path: Path) -> None:
    runtime = SessionRuntime(ListSource([chat("solo")], stay_open=False), sessions_dir=tmp_path)
    async with runtime:
        await asyncio.wait_for(runtime.wait_source_done(), 10)
    status = runtime.status()
    assert len(status.sources) == 1 and status.source == "list" and status.source_finished
    assert runtime.log_path is not None
    reader = SessionReader(runtime.log_path)
    assert reader.header is not None and reader.header.source == "list"
    assert reader.header.sources == [{"name": "list", "options": {}}]
    assert [e.source for e in reader.events()] == ["list"]


async def test_the_running_app_shows_each_sources_link(tmp_path: Path) -> None:
    from backstage_tui.tui import BackstageApp
    from backstage_tui.tui.panes import StatusPane

    live = FakeSource([Connection(status="connected"), chat("hello")], label="fake · live")
    broken = FailingSource()
    runtime = SessionRuntime(sources=[live, broken], sessions_dir=tmp_path)
    app = BackstageApp(runtime, title="backstage · test")
    async with app.run_test(size=(140, 40)) as pilot:

        def shown() -> str:
            return str(app.query_one(StatusPane).render())

        await wait_for(
            pilot,
            lambda: "fake · live" in shown() and "the platform hung up" in shown(),
            description="both sources in the Status pane, the flaky one's failure included",
        )
        rows = [line.strip() for line in shown().splitlines()]
        assert rows[:2] == ["Source   fake · live", "Link     ● connected"]
        assert rows[2:4] == ["Source   flaky", "Link     ● error"]
        await wait_for(
            pilot,
            lambda: any(
                str(n.message).startswith("source 'flaky' failed") for n in app._notifications
            ),
            description="a toast says the flaky source failed",
        )
