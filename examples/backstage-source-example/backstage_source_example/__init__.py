"""A chat source as a plug-in: a countdown that comments once a tick, then ends the live.

A source is a class with a name, an `Options` model and an `events()` async generator that yields
backstage events. The entry point in pyproject.toml registers it under the name ``countdown``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, ClassVar

from pydantic import Field

from backstage_tui.events import Comment, Connection, Event, User
from backstage_tui.sources import Source, SourceOptions


class CountdownOptions(SourceOptions):
    """One field per option: its type, default and description are all `backstage sources` and
    ``--option`` need."""

    start: int = Field(5, ge=1, description="the number to count down from")
    every: float = Field(1.0, gt=0, allow_inf_nan=False, description="seconds between ticks")
    who: str = Field("countdown", min_length=1, description="the name the comments come from")


class CountdownSource(Source):
    name: ClassVar[str] = "countdown"
    description: ClassVar[str] = "counts down in the chat, then ends (an example plug-in)"
    Options = CountdownOptions
    options: CountdownOptions

    def __init__(self, **values: Any) -> None:
        super().__init__(**values)  # validates the options; a bad one is a one-line SourceError
        self.bot = User(id=f"countdown-{self.options.who}", handle=self.options.who)

    def describe(self) -> str:
        return f"countdown from {self.options.start}"

    async def events(self) -> AsyncIterator[Event]:
        yield Connection(status="connected", detail="counting down")
        for n in range(self.options.start, 0, -1):
            yield Comment(id=f"countdown-{n}", user=self.bot, text=f"{n}…")
            await asyncio.sleep(self.options.every)
        yield Comment(id="countdown-0", user=self.bot, text="liftoff!")
        yield Connection(status="ended", detail="the countdown is over")
