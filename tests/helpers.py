"""Shared test helpers, in one module (tests never import `conftest` or another test module).

- `ListSource` and `FakeSource`: sources on the real `Source` interface that yield a given list.
- Event builders with fixed ids and times (`comment`, `chat`, `user`, `sample_events`, `build`),
  and `long_text` for comments that wrap.
- `wait_for`: the one bounded wait every test uses; when it times out it names what never happened.
- `make_app`, `settled`, `screen_text`, `whole_screen`: an app on a fake source, and what it shows.
- `run_cli`: the real `backstage` command in a subprocess.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from time import monotonic
from typing import TYPE_CHECKING, Any, ClassVar

from hypothesis import strategies as st

from backstage_tui.events import (
    Comment,
    Connection,
    Event,
    Follow,
    Gap,
    Gift,
    Hide,
    Join,
    Like,
    Malformed,
    Pin,
    Question,
    Share,
    User,
    Viewers,
)
from backstage_tui.runtime import SessionRuntime
from backstage_tui.session import SessionHeader
from backstage_tui.sources.base import Source
from backstage_tui.sources.demo import DemoSource

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from backstage_tui.tui import BackstageApp

T0 = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC
POLL_S = 0.02


# -- waiting --


async def wait_for(
    pilot: Pilot[Any] | None,
    predicate: Callable[[], object],
    *,
    description: str,
    timeout: float = 10.0,
) -> None:
    """Let the app (or, with no pilot, the event loop) run until `predicate()` is true.

    Fails after `timeout` seconds with "never happened: <description>", so a failing test says
    what it waited for rather than "condition not reached".
    """
    deadline = monotonic() + timeout
    while not predicate():
        if monotonic() > deadline:
            raise AssertionError(f"never happened within {timeout:g} s: {description}")
        if pilot is None:
            await asyncio.sleep(POLL_S)
        else:
            await pilot.pause(POLL_S)


# -- sources --


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


# -- events --


def user(handle: str, name: str = "", *roles: str) -> User:
    return User(id=f"u-{handle}", handle=handle, name=name or handle, roles=roles)  # type: ignore[arg-type]


def comment(n: int, text: str, who: User | None = None, ts: float | None = None) -> Comment:
    """Comment number `n` (id ``c<n>``, at ``T0 + n``)."""
    return Comment(id=f"c{n}", ts=T0 + n if ts is None else ts, user=who or user("ann", "Ann"),
                   text=text)  # fmt: skip


def chat(text: str, handle: str = "ann", name: str = "Ann", **kw: object) -> Comment:
    """A comment with a fresh id and the current time."""
    return Comment(user=User(id=f"u-{handle}", handle=handle, name=name), text=text, **kw)  # type: ignore[arg-type]


def long_text(length: int, tag: str = "w") -> str:
    """About `length` characters of distinct words (``w0 w1 w2 ...``), ending in ``<tag>END``, so a
    test can tell that every word made it to the screen."""
    words: list[str] = []
    n = 0
    while sum(len(word) + 1 for word in words) < length - len(tag) - 4:
        words.append(f"{tag}{n}")
        n += 1
    return " ".join([*words, f"{tag}END"])


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


# Whole sequences an attacker would send, mixed into arbitrary text.
HOSTILE_SEQUENCES = (
    "\x1b]0;PWNED\x07",  # OSC 0: window title
    "\x1b]52;c;UFdORUQ=\x07",  # OSC 52: clipboard
    "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",  # OSC 8: hyperlink
    "\x1b[2J\x1b[H",  # clear screen, cursor home
    "\x1b[6n",  # device status report: the terminal types a reply
    "\x9b31m",  # C1 CSI
    "\x9d0;x\x9c",  # C1 OSC ... ST
    "\x00",
    "[@click=app.quit]x[/]",
    "[@click=app.screenshot('x.jsonl','sessions')]y[/]",
    "[link=https://evil.example]z[/link]",
    "a [/] b",
    "[/]",
    "\u202egnp.exe",
    "\u2066iso\u2069",
    "b\u200ban",
    "\ufeff",
    "\x85\u2028\u2029\r\n",
    "e" + "\u0301" * 50,
    "\U0001f469\u200d\U0001f469\u200d\U0001f467",
    "\ud800",
    "\udfff",
)
ANY_CHAR = st.characters(exclude_categories=())  # every code point, lone surrogates included
any_text = st.lists(
    st.one_of(st.text(ANY_CHAR, max_size=30), st.sampled_from(HOSTILE_SEQUENCES)), max_size=8
).map("".join)
KINDS = ("comment", "question", "gift", "connection", "malformed", "gap")


def build(kind: str, name: str, text: str, n: int) -> Event:
    """One event of `kind` carrying `name` and `text` wherever that kind carries viewer text."""
    who = User(id=f"u{n}:{name}", handle=name, name=name, badges=(text,))
    ts = T0 + n
    if kind == "comment":
        return Comment(id=f"e{n}:{text}", ts=ts, user=who, text=text)
    if kind == "question":
        return Question(id=f"e{n}", ts=ts, user=who, text=text)
    if kind == "gift":
        return Gift(id=f"e{n}", ts=ts, user=who, gift_name=text, diamonds=n, repeat_count=n + 1)
    if kind == "connection":
        return Connection(id=f"e{n}", ts=ts, status="reconnecting", detail=text)
    if kind == "malformed":
        return Malformed(id=f"e{n}", ts=ts, raw=text, error=name)
    return Gap(id=f"e{n}", ts=ts, since=ts - 5, until=ts, reason=text)


# -- sessions --


def header() -> SessionHeader:
    return SessionHeader(source="test", started=datetime(2026, 11, 29, 1, 2, 3, tzinfo=UTC))


async def record_demo_session(folder: Path, n: int = 3000, seed: int = 11) -> SessionRuntime:
    """A recorded demo session of `n` events, ending with a pin and a hide on its last comments."""
    runtime = SessionRuntime(
        DemoSource.from_strings({"rate": "100000", "seed": str(seed), "limit": str(n)}),
        sessions_dir=folder,
    )
    await runtime.start()
    await asyncio.wait_for(runtime.wait_source_done(), 30)
    await wait_for(None, lambda: runtime.state.last_seq >= n, description=f"{n} events folded",
                   timeout=30)  # fmt: skip
    comments = [e for e in runtime.state.feed.items if e.type == "comment"]
    await runtime.act(Pin(target=comments[-3].id))
    await runtime.act(Hide(target=comments[-1].id))
    await runtime.close()
    return runtime


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The `backstage` command in a subprocess, its output as text."""
    return subprocess.run(
        [sys.executable, "-m", "backstage_tui.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )


# -- the app --


def make_app(
    tmp_path: Path, events: Iterable[Event], *, record: bool | None = None, **source_kw: Any
) -> BackstageApp:
    from backstage_tui.tui import BackstageApp

    runtime = SessionRuntime(FakeSource(events, **source_kw), sessions_dir=tmp_path, record=record)
    return BackstageApp(runtime, title="backstage · test", tz=UTC)


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
