"""Shared test helpers: a source that implements the real interface with a given list of events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import ClassVar

import pytest

from backstage_tui.events import Comment, Event, Hide, Pin, User
from backstage_tui.runtime import SessionRuntime
from backstage_tui.sources.base import Source
from backstage_tui.sources.demo import DemoSource


class ListSource(Source):
    """Yields the given events, then either ends or stays connected (like a quiet live stream)."""

    name: ClassVar[str] = "list"

    def __init__(self, events: Iterable[Event] = (), *, stay_open: bool = True) -> None:
        super().__init__()
        self.items = list(events)
        self.stay_open = stay_open
        self.acted: list[Event] = []

    async def events(self) -> AsyncIterator[Event]:
        for event in self.items:
            yield event
        if self.stay_open:
            await asyncio.Event().wait()


def comment(text: str, handle: str = "ann", name: str = "Ann", **kw: object) -> Comment:
    return Comment(user=User(id=f"u-{handle}", handle=handle, name=name), text=text, **kw)  # type: ignore[arg-type]


async def record_demo_session(folder: Path, n: int = 3000, seed: int = 11) -> SessionRuntime:
    """A recorded demo session of `n` events, ending with a pin and a hide on its last comments."""
    runtime = SessionRuntime(
        DemoSource.from_strings({"rate": "100000", "seed": str(seed), "limit": str(n)}),
        sessions_dir=folder,
    )
    await runtime.start()
    await asyncio.wait_for(runtime.wait_source_done(), 30)
    while runtime.state.last_seq < n:
        await asyncio.sleep(0.01)
    comments = [e for e in runtime.state.feed.items if e.type == "comment"]
    await runtime.act(Pin(target=comments[-3].id))
    await runtime.act(Hide(target=comments[-1].id))
    await runtime.close()
    return runtime


@pytest.fixture
def list_source() -> type[ListSource]:
    return ListSource
