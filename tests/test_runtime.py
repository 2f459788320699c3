import asyncio
from pathlib import Path

from backstage_tui.events import Comment, Hide, Pin
from backstage_tui.runtime import SessionRuntime
from backstage_tui.session import SessionReader
from backstage_tui.sources.base import Source
from tests.helpers import ListSource, chat, wait_for


async def test_actions_are_recorded_and_folded_in_order(tmp_path: Path) -> None:
    events = [chat(f"m{i}") for i in range(100)]
    runtime = SessionRuntime(ListSource(events), sessions_dir=tmp_path)
    await runtime.start()
    await wait_for(None, lambda: runtime.state.last_seq == 100, description="100 events folded")
    target = runtime.state.feed.items[10]
    await runtime.act(Pin(target=target.id))
    await runtime.act(Hide(target=target.id))
    await runtime.close()
    assert runtime.log_path is not None and runtime.log_path.parent == tmp_path
    logged = SessionReader(runtime.log_path).events()
    assert [e.type for e in logged[-2:]] == ["pin", "hide"]
    assert [e.seq for e in logged] == list(range(1, 103))
    assert runtime.state.pins.newest_first()[0].id == target.id
    assert runtime.state.moderation.is_hidden(target.id)


class BrokenSource(Source):
    name = "broken"

    async def events(self):  # type: ignore[override]
        yield chat("first")
        raise ConnectionError("server went away\nwith a second line")


async def test_a_failing_source_is_reported_and_nothing_recorded_is_lost(tmp_path: Path) -> None:
    runtime = SessionRuntime(BrokenSource(), sessions_dir=tmp_path)
    await runtime.start()
    await wait_for(
        None,
        lambda: runtime.source_error is not None and runtime.state.last_seq == 2,
        description="the source's failure reported after its event and the disconnect",
    )
    assert runtime.source_error == "source 'broken' failed: ConnectionError: server went away"
    assert runtime.state.stats.connection == "disconnected"
    await runtime.close()
    assert runtime.log_path is not None
    kinds = [e.type for e in SessionReader(runtime.log_path).events()]
    assert kinds == ["comment", "connection"]


async def test_close_is_idempotent_and_stops_an_endless_source(tmp_path: Path) -> None:
    runtime = SessionRuntime(ListSource([chat("x")], stay_open=True), sessions_dir=tmp_path)
    await runtime.start()
    await wait_for(None, lambda: runtime.state.last_seq == 1, description="the event folded")
    await asyncio.wait_for(runtime.close(), timeout=5)
    await runtime.close()
    assert runtime.recorder is not None and runtime.recorder.closed


async def test_ui_subscription_counts_what_it_skipped(tmp_path: Path) -> None:
    events = [chat(f"m{i}") for i in range(5000)]
    runtime = SessionRuntime(ListSource(events), sessions_dir=tmp_path)
    ui = runtime.subscribe_ui(maxsize=100)
    await runtime.start()
    await wait_for(None, lambda: runtime.state.last_seq == 5000, description="5000 events folded")
    shown = ui.take_nowait()
    assert len(shown) + ui.skipped == 5000
    assert isinstance(shown[-1], Comment) and shown[-1].text == "m4999"
    await runtime.close()
