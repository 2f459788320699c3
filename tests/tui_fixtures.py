"""Helpers for the TUI tests: a fake source on the real `Source` interface, a deterministic event
list with fixed timestamps and ids, and a bounded wait on a Pilot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC
from pathlib import Path
from typing import Any, ClassVar

from textual.pilot import Pilot

from backstage_tui.events import (
    Comment,
    Connection,
    Event,
    Follow,
    Gift,
    Join,
    Like,
    Question,
    Share,
    User,
    Viewers,
)
from backstage_tui.runtime import SessionRuntime
from backstage_tui.sources.base import Source
from backstage_tui.tui import BackstageApp

T0 = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC


class FakeSource(Source):
    """Yields the given events, then stays open like a quiet live stream (so the app never sees
    the stream end)."""

    name: ClassVar[str] = "fake"

    def __init__(self, events: Iterable[Event] = (), label: str = "fake · test", **options: Any):
        super().__init__(**options)
        self.items = list(events)
        self.label = label

    async def events(self) -> AsyncIterator[Event]:
        for event in self.items:
            yield event
        await asyncio.Event().wait()

    def describe(self) -> str:
        return self.label


def user(handle: str, name: str = "", *roles: str) -> User:
    return User(id=f"u-{handle}", handle=handle, name=name or handle, roles=roles)  # type: ignore[arg-type]


def comment(n: int, text: str, who: User | None = None, ts: float | None = None) -> Comment:
    return Comment(id=f"c{n}", ts=T0 + n if ts is None else ts, user=who or user("ann", "Ann"),
                   text=text)  # fmt: skip


def sample_events() -> list[Event]:
    """A small session with one of everything, at fixed times."""
    ann = user("ann", "Ann")
    mod = user("mo", "Mo the Mod", "moderator")
    vip = user("vip", "Big Fan", "top_gifter", "subscriber")
    return [
        Connection(id="s1", ts=T0, status="connected", detail="room 42"),
        Viewers(id="v1", ts=T0 + 1, count=120),
        comment(2, "hello everyone!", ann),
        Join(id="j1", ts=T0 + 3, user=user("newbie", "Newbie")),
        comment(4, "welcome all, be kind", mod),
        Gift(id="g1", ts=T0 + 5, user=vip, gift_name="Rose", diamonds=1, repeat_count=5),
        Like(id="l1", ts=T0 + 6, user=ann, count=15, total=15),
        Question(id="q1", ts=T0 + 7, user=vip, text="what game is next?"),
        Follow(id="f1", ts=T0 + 8, user=user("zed", "Zed")),
        Share(id="sh1", ts=T0 + 9, user=ann),
        Viewers(id="v2", ts=T0 + 10, count=150),
        comment(11, "this stream is great", user("kim", "Kim")),
        comment(12, "first time here :)", user("lee", "Lee")),
    ]


def make_app(
    tmp_path: Path, events: Iterable[Event], *, record: bool | None = None, **source_kw: Any
) -> BackstageApp:
    runtime = SessionRuntime(FakeSource(events, **source_kw), sessions_dir=tmp_path, record=record)
    return BackstageApp(runtime, title="backstage · test", tz=UTC)


async def wait_until(
    pilot: Pilot[Any], predicate: Callable[[], bool], timeout: float = 10.0
) -> None:
    """Let the app run until `predicate()` holds; fail after `timeout` seconds."""
    for _ in range(int(timeout / 0.05)):
        if predicate():
            return
        await pilot.pause(0.05)
    assert predicate(), "condition not reached in time"


def settled(app: BackstageApp, published: int) -> Callable[[], bool]:
    """True once the state folded `published` events and the feed accounted for all of them."""
    return lambda: (
        app.runtime.state.last_seq >= published
        and app.feed.shown + app.feed.skipped + app.feed.pending_count >= published
    )


def screen_text(app: BackstageApp) -> str:
    return "\n".join(app.feed.screen_lines())


def whole_screen(app: BackstageApp) -> str:
    """The whole terminal as plain text (the topmost screen), for layout checks."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips)
