"""Shared test helpers, in one module (tests never import `conftest` or another test module).

- `ListSource` and `FakeSource`: sources on the real `Source` interface that yield a given list.
- Event builders with fixed ids and times (`comment`, `chat`, `user`, `sample_events`, `build`),
  and `long_text` for comments that wrap.
- `wait_for`: the one bounded wait every test uses; when it times out it names what never happened.
- `is_one_readable_line`: what every warning and error message must be.
- `make_app`, `settled`, `screen_text`, `whole_screen`: an app on a fake source, and what it shows.
- `record_session`, `record_demo_session`: a session recorded by a real runtime.
- `run_cli`: the real `backstage` command in a subprocess (pipes, not a terminal).
- `runtime_status`: a `RuntimeStatus` snapshot of a healthy recorded session, with any field changed.
- `Tmux`, `launch`, `launch_command`, `wait_for_exit`: the real command (or any) in a tmux server
  of its own, for the tests of what a person at a terminal sees.
- `kept_width_policy`: puts `safetext`'s process-wide width policy back after a test changes it.
- `FeedServer`, `ThreadedFeedServer`, `SourceRun`, `reconnecting_fast`, `tikfinity_chat`: a real
  websocket server on 127.0.0.1 and a network source running against it, for the network sources.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import shlex
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from time import monotonic
from typing import TYPE_CHECKING, Any, ClassVar

from hypothesis import strategies as st
from pydantic import Field

from backstage_tui.events import (
    ActionEvent,
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
from backstage_tui.runtime import RuntimeStatus, SessionRuntime
from backstage_tui.session import SessionHeader
from backstage_tui.sources.base import Source
from backstage_tui.sources.connection import ReconnectPolicy
from backstage_tui.sources.demo import DemoSource
from backstage_tui.sources.options import SourceOptions

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


def is_one_readable_line(message: str) -> bool:
    """What every warning and error the console shows must be: one line, no traceback, short."""
    return "\n" not in message and "Traceback" not in message and len(message) < 1000


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


class FakeOptions(SourceOptions):
    option: str = Field("", description="any text: it only reaches the session header")


class FakeSource(Source):
    """Yields the given events, then stays open like a quiet live stream (so the app never sees
    the stream end)."""

    name: ClassVar[str] = "fake"
    Options = FakeOptions

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


async def record_session(folder: Path, events: Iterable[Event], *actions: ActionEvent) -> Path:
    """A recorded session of `events`, the `actions` taken after the last of them; its log."""
    runtime = SessionRuntime(ListSource(events, stay_open=False), sessions_dir=folder)
    await runtime.start()
    await asyncio.wait_for(runtime.wait_source_done(), 30)
    for action in actions:
        await runtime.act(action)
    await runtime.close()
    assert runtime.log_path is not None
    return runtime.log_path


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


def runtime_status(**changes: Any) -> RuntimeStatus:
    """What `SessionRuntime.status()` says of a healthy recorded session, with `changes` made."""
    healthy = RuntimeStatus(
        source="fake · test",
        source_records=True,
        link="connected",
        source_error=None,
        source_finished=False,
        source_problems=(),
        log_path=Path("/logs/s.jsonl"),
        log_health="ok",
        log_error=None,
        log_notice=None,
        events_recorded=12,
        events_unwritten=0,
    )
    return dataclasses.replace(healthy, **changes)


def run_cli(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """The `backstage` command in a subprocess, its output as text (stdout and stderr are pipes,
    so not a terminal); `env` is added to the environment, `stdin` is piped in when given."""
    return subprocess.run(
        [sys.executable, "-m", "backstage_tui.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env={**os.environ, **env} if env else None,
        input=stdin,
    )


# -- the app --


def make_app(
    tmp_path: Path, events: Iterable[Event], *, record: bool | None = None, **source_kw: Any
) -> BackstageApp:
    from backstage_tui.tui import BackstageApp

    runtime = SessionRuntime(FakeSource(events, **source_kw), sessions_dir=tmp_path, record=record)
    return BackstageApp(runtime, title="backstage · test", tz=UTC)


async def end_live(pilot: Pilot[Any], app: BackstageApp, *, goodbye: bool = False) -> None:
    """`q`, `y`, the goodbye (said, or cleared and none said), `enter` on the summary, and wait
    until the app has ended. A session that is not recorded (a replay) ends at `y`."""
    from backstage_tui.tui.line_screen import LineScreen
    from backstage_tui.tui.summary_screen import SummaryScreen

    await pilot.press("q", "y")
    await wait_for(pilot, lambda: isinstance(app.screen, LineScreen) or not app.is_running,
                   description="the goodbye, or the end")  # fmt: skip
    if not app.is_running:
        return
    await pilot.press(*(() if goodbye else ("ctrl+u",)), "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen) and
                   app.screen.report is not None, description="the summary")  # fmt: skip
    await pilot.press("enter")
    await wait_for(pilot, lambda: not app.is_running, description="the app ended")


def settled(app: BackstageApp, published: int) -> Callable[[], bool]:
    """True once the state folded `published` events and the feed accounted for all of them."""
    return lambda: (
        app.runtime.state.last_seq >= published
        and app.feed.shown + app.feed.skipped + app.feed.pending_count >= published
    )


def screen_text(app: BackstageApp) -> str:
    return "\n".join(app.feed.screen_lines())


def help_lines(app: BackstageApp) -> list[str]:
    """The help's content (`?`) as plain lines, laid out wide enough that nothing wraps."""
    import io

    from rich.console import Console
    from textual.widgets import Static

    from backstage_tui.tui.help_screen import HelpScreen

    assert isinstance(app.screen, HelpScreen)
    console = Console(width=400, record=True, file=io.StringIO())
    console.print(app.screen.query_one(Static).content)
    return [line.rstrip() for line in console.export_text().splitlines()]


def whole_screen(app: BackstageApp) -> str:
    """The whole terminal as plain text (the topmost screen), for layout checks."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips)


# -- the width policy --


@contextmanager
def kept_width_policy() -> Iterator[None]:
    """Run a block that may change `safetext`'s width policy (process-wide), then restore it."""
    from backstage_tui import safetext

    before = safetext.width_policy()
    try:
        yield
    finally:
        safetext.set_width_policy(
            before.name, before.reason, keycap_brackets=before.keycap_brackets
        )


# -- a real terminal: tmux --

TIMEOUT_S = 30.0


def backstage_command() -> list[str]:
    """The installed console script next to this interpreter, else the module."""
    script = Path(sys.executable).parent / "backstage"
    if script.exists():
        return [str(script)]
    found = shutil.which("backstage")
    return [found] if found else [sys.executable, "-m", "backstage_tui.cli"]


class Tmux:
    def __init__(self, name: str) -> None:
        self.name = name

    def run(self, *args: str) -> str:
        # A server of our own (-L): the user's tmux and its window-size settings stay out of it.
        out = subprocess.run(
            ["tmux", "-L", self.name, *args], capture_output=True, text=True, timeout=10
        )
        return out.stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.name)

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.name, *keys)

    def wait_for(self, check: Callable[[str], bool], what: str) -> str:
        deadline = time.monotonic() + TIMEOUT_S
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if check(screen):
                return screen
            time.sleep(0.1)  # polling a separate process's screen; nothing in-process to await
        raise AssertionError(f"timed out waiting for {what}; screen was:\n{screen}")


def end_live_in_tmux(term: Tmux, *, goodbye: bool = False) -> None:
    """End the live as a creator does: `q`, `y`, the goodbye (said, or cleared with ``C-u`` and
    the live ended without one), then `enter` on the summary. The caller waits for the exit."""
    term.keys("q")
    term.wait_for(lambda s: "End the live?" in s, "the end-live confirmation")
    term.keys("y")
    term.wait_for(lambda s: "Say goodbye" in s, "the goodbye")
    if not goodbye:
        term.keys("C-u")
    term.keys("Enter")
    term.wait_for(lambda s: "summed up" in s and "Peak viewers" in s, "the summary")
    term.keys("Enter")


def launch(
    tmp_path: Path,
    args: list[str],
    stdin_from: Path | None = None,
    env: dict[str, str] | None = None,
) -> Tmux:
    """Start the real command in a tmux server of its own; its exit code goes to ``exit-code``
    (tmux versions differ in when, and whether, they report it)."""
    command = shlex.join([*backstage_command(), *args])
    if stdin_from is not None:
        command = f"cat {shlex.quote(str(stdin_from))} | {command}"
    shell = f"{command}; echo $? > {shlex.quote(str(tmp_path / 'exit-code'))}"
    return launch_command(tmp_path, shell, env=env)


def launch_command(
    tmp_path: Path,
    shell: str,
    *,
    size: tuple[int, int] = (120, 36),
    env: dict[str, str] | None = None,
) -> Tmux:
    """Run the shell command `shell` in a new tmux server of its own, in a pane of `size`, with
    `env` added to its environment; the pane stays after the command ends."""
    name = f"backstage-test-{uuid.uuid4().hex[:8]}"
    variables = {"TERM": "xterm-256color", **(env or {})}
    # -u: tmux takes the pane's output as UTF-8 whatever the locale of the machine running tests.
    command = ["tmux", "-u", "-L", name, "new-session", "-d", "-s", name,
               "-x", str(size[0]), "-y", str(size[1])]  # fmt: skip
    for key, value in variables.items():
        command += ["-e", f"{key}={value}"]
    # The server inherits this process's environment; COLUMNS and LINES (set under pytest) would
    # make the app believe the pane is 80x24 whatever its real size.
    inherited = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    subprocess.run([*command, shell], check=True, timeout=10, cwd=tmp_path, env=inherited)
    session = Tmux(name)
    session.run("set-option", "-t", name, "remain-on-exit", "on")
    return session


def wait_for_exit(term: Tmux, tmp_path: Path) -> str:
    exit_file = tmp_path / "exit-code"
    deadline = time.monotonic() + TIMEOUT_S
    while not exit_file.exists() or not exit_file.read_text().strip():
        assert time.monotonic() < deadline, f"backstage did not exit:\n{term.screen()}"
        time.sleep(0.1)
    return exit_file.read_text().strip()


# -- network sources: a real websocket server on 127.0.0.1 --

FAST_RECONNECT = ReconnectPolicy(initial_s=0.05, cap_s=0.2, stable_s=60.0)
"""Reconnect delays small enough for tests."""


def reconnecting_fast(source: Any, **changes: float) -> Any:
    """`source` (a network source) with `FAST_RECONNECT`'s delays, and `changes`; the open timeout
    stays the one its ``timeout=`` option set."""
    source.policy = dataclasses.replace(
        FAST_RECONNECT, open_timeout_s=source.policy.open_timeout_s, **changes
    )
    return source


Handler = Callable[[Any, int], Awaitable[None]]
"""What a test server does with connection number n (from 1): ``async def handler(ws, n)``."""


def tikfinity_chat(n: int, text: str, handle: str = "ann") -> str:
    """A TikFinity chat frame whose message id is ``m<n>``."""
    data = {"uniqueId": handle, "nickname": handle.title(), "userId": f"u-{handle}",
            "comment": text, "msgId": f"m{n}"}  # fmt: skip
    return json.dumps({"event": "chat", "data": data})


class FeedServer:
    """A websocket server on 127.0.0.1 (a free port) that hands each connection to `handler`,
    and keeps every frame a client sent (`received`, and `inbox` to wait on). Use as
    ``async with FeedServer(h) as srv``."""

    def __init__(self, handler: Handler, **serve_options: Any) -> None:
        self.handler = handler
        self.serve_options = serve_options
        self.connections = 0
        self.received: list[str] = []
        self.inbox: asyncio.Queue[str] = asyncio.Queue()
        """The same frames, for a handler to wait on (a handler must not call ``recv``)."""
        self.port = 0
        self._server: Any = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    async def _handle(self, ws: Any) -> None:
        self.connections += 1
        number = self.connections
        listener = asyncio.create_task(self._listen(ws))
        work = asyncio.create_task(self.handler(ws, number))
        # A handler that waits for ever ends with its connection, so the server can close.
        await asyncio.wait({work, listener}, return_when=asyncio.FIRST_COMPLETED)
        work.cancel()
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await work

    async def _listen(self, ws: Any) -> None:
        with contextlib.suppress(Exception):
            async for frame in ws:
                text = frame if isinstance(frame, str) else frame.decode()
                self.received.append(text)
                self.inbox.put_nowait(text)

    async def __aenter__(self) -> FeedServer:
        from websockets.asyncio.server import serve

        self._server = await serve(self._handle, "127.0.0.1", 0, **self.serve_options)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close(close_connections=True)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 5)


class ThreadedFeedServer:
    """A `FeedServer` on an event loop of its own in a thread, for tests that are not async (the
    real command in tmux). `drop()` cuts every open connection without a closing handshake."""

    def __init__(self, handler: Handler) -> None:
        self.server = FeedServer(self._tracked(handler))
        self._open: set[Any] = set()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _tracked(self, handler: Handler) -> Handler:
        async def run(ws: Any, n: int) -> None:
            self._open.add(ws)
            try:
                await handler(ws, n)
            finally:
                self._open.discard(ws)

        return run

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def main() -> None:
            self._stop = asyncio.Event()
            async with self.server:
                self._ready.set()
                await self._stop.wait()

        try:
            self._loop.run_until_complete(main())
        finally:
            self._loop.close()

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def connections(self) -> int:
        return self.server.connections

    def drop(self) -> None:
        def cut() -> None:
            for ws in list(self._open):
                ws.transport.abort()

        self._loop.call_soon_threadsafe(cut)

    def __enter__(self) -> ThreadedFeedServer:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the test websocket server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


class SourceRun:
    """A source's `events()` running in a task, collected in `events`; `error` is what it raised.
    Use as ``async with SourceRun(source) as run`` and wait with `wait_for(None, ...)`."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.events: list[Event] = []
        self.error: BaseException | None = None
        self.finished = False
        self._task: asyncio.Task[None] | None = None

    async def _pump(self) -> None:
        try:
            async for event in self.source.events():
                self.events.append(event)
        except Exception as exc:  # noqa: BLE001 - kept for the test to look at
            self.error = exc
        self.finished = True

    def of_type(self, kind: str) -> list[Any]:
        return [e for e in self.events if e.type == kind]

    def texts(self) -> list[str]:
        return [e.text for e in self.events if e.type == "comment"]

    def details(self, status: str) -> list[str]:
        return [e.detail for e in self.events if e.type == "connection" and e.status == status]

    async def __aenter__(self) -> SourceRun:
        self._task = asyncio.create_task(self._pump())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
