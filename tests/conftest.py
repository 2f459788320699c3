"""Shared test helpers: a source that implements the real interface with a given list of events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from typing import ClassVar

import pytest

from backstage_tui.events import Comment, Event, User
from backstage_tui.sources.base import Source


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


@pytest.fixture
def list_source() -> type[ListSource]:
    return ListSource
