"""`SessionRuntime`: one live session wired together: sources -> bus -> recorder and state.

It is the whole console without a screen: the TUI drives one, ``--headless`` drives one, tests and
benchmarks drive one. Each source is pumped into the one bus by a task of its own, which writes the
source's name into every event it yields (`Event.source`). The state is folded from every event (a
lossless subscriber), the recorder writes every event (another), and a UI takes what it can draw
through a ``latest`` subscription.

Whoever shows the session's condition (the Status pane, the command's closing report) reads it
from one typed snapshot, `SessionRuntime.status()`, never from the recorder or the source directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import reprlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, get_args

from . import __version__
from .automod.engine import JUDGED_TYPES, AutomodEngine
from .bus import BusClosed, EventBus, Subscription, consume
from .events import (
    ACTION_TYPES,
    ActionEvent,
    Connection,
    Deny,
    Effect,
    Event,
    ForwardResult,
    Malformed,
    Pin,
    Say,
    Undo,
)
from .session import SessionHeader, SessionRecorder, default_sessions_dir, new_log_path
from .session.summary import SessionTotals
from .sources.base import Source, SourceError
from .sources.replay import ReplaySource
from .state import FEED_CAPACITY, ConsoleState
from .state.moderation import QUEUED_ON_PLATFORM, QUEUED_ON_TIKTOK

log = logging.getLogger(__name__)

LOSSLESS_QUEUE = 1 << 18
SOURCE_STOP_TIMEOUT_S = 2.0
"""How long `close` waits for a source to stop before leaving it behind."""
EVENT_CLASSES: tuple[type, ...] = get_args(get_args(Event)[0])
ACT_WAIT_S = 5.0
"""How long `act` waits for the state to fold the action before it reports it as pending."""

LogHealth = Literal["off", "ok", "failing"]
"""``off``: this session is not recorded (or its log could not be opened); ``failing``: the last
write failed and events are held in memory until the disk takes them again."""


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """The condition of one of the session's sources."""

    name: str
    """The registered name, also each of its events' `source`."""
    label: str
    """Its short label (`Source.describe`), raw: sanitise before display."""
    link: str
    """Its connection as its last `connection` event said: ``connecting``, ``connected``, ..."""
    error: str | None
    """Why it stopped, when it failed."""
    finished: bool
    """It ended its stream normally."""
    problems: tuple[str, ...]
    """What it found damaged in its input and passed over (`Source.problems`)."""
    link_detail: str = ""
    """What its last `connection` event added: when it tries again and why, why it ended."""


@dataclass(frozen=True, slots=True)
class RuntimeStatus:
    """The condition of one session at one moment: what a status pane or an exit report shows.

    A frozen copy, built by `SessionRuntime.status`: it can be kept, compared and handed around
    without reaching into the recorder or the source.
    """

    source: str
    """The source's short label (`Source.describe`), raw: sanitise before display. With several
    sources, their labels joined by `` + ``."""
    source_records: bool
    """Whether sessions on this source are recorded at all (a replay is not recorded again)."""
    link: str
    """The connection as the last `connection` event said: ``connecting``, ``connected``, ...
    With several sources, ``connected`` when all are, else the first other source's link."""
    source_error: str | None
    """Why the source stopped, when it failed (with several: the first that failed)."""
    source_finished: bool
    """The source ended its stream normally (a file read to its end, a replay played out); with
    several, all of them did."""
    source_problems: tuple[str, ...]
    """What the source found damaged in its input and passed over, oldest first (`Source.problems`);
    with several, each line starts with the source's name."""
    log_path: Path | None
    """The session log, once opened."""
    log_health: LogHealth
    log_error: str | None
    """The last write error, while the log is failing."""
    log_notice: str | None
    """Something about the log the user should know that is not an error (it was recreated)."""
    events_recorded: int
    """Events that reached the log (the header not counted)."""
    events_unwritten: int
    """Events held in memory because the disk refused them."""
    sources: tuple[SourceStatus, ...] = ()
    """Each source's own condition, in the order they were given."""

    @property
    def recording(self) -> bool:
        """Whether a log is being written (failing or not)."""
        return self.log_health != "off"

    @property
    def whole_log(self) -> Path | None:
        """The log when it holds every event (healthy, none held in memory): what the live's
        report may be read from; None otherwise."""
        if self.log_health != "ok" or self.events_unwritten:
            return None
        return self.log_path


@dataclass(frozen=True, slots=True)
class ActResult:
    """What one action did: the recorded event, its effect, and what the state made of it.

    The UI's toast is built from this, never from the key that was pressed.
    """

    event: Event
    """The action as recorded (with its `seq`, `effect` and `by`)."""
    effect: Effect
    detail: str
    """What the state did: ``done``, or why nothing changed (``already blocked``, ``the message is
    no longer in the feed``); ``pending`` when the state had not folded it in time."""
    forward_error: str | None = None
    """The platform's refusal, for a forwarded action that failed."""
    recorded: bool = True
    """Whether the action is in the session log (False: the log is failing and holds it in memory,
    or it could not be opened); a session that is not recorded counts as True."""

    @property
    def changed(self) -> bool:
        return self.detail == "done"


class _SourceRun:
    """One source of the session and what its pump has seen of it."""

    __slots__ = ("source", "name", "link", "link_detail", "error", "finished", "task")

    def __init__(self, source: Source) -> None:
        self.source = source
        self.name = source.name
        self.link = "connecting"
        self.link_detail = ""
        self.error: str | None = None
        self.finished = False
        self.task: asyncio.Task[None] | None = None

    def status(self) -> SourceStatus:
        return SourceStatus(
            name=self.name,
            label=self.source.describe(),
            link=self.link,
            error=self.error,
            finished=self.finished,
            problems=tuple(self.source.problems()),
            link_detail=self.link_detail,
        )


class SessionRuntime:
    """One session: its sources, the bus, the recorder and the state.

    Give one source (``SessionRuntime(source)``) or several (``SessionRuntime(sources=[a, b])``);
    their names must differ, since each event carries its source's name.
    """

    def __init__(
        self,
        source: Source | None = None,
        *,
        sources: Sequence[Source] = (),
        sessions_dir: Path | None = None,
        record: bool | None = None,
        feed_capacity: int = FEED_CAPACITY,
        automod: AutomodEngine | None = None,
        title: str = "",
        tags: Sequence[str] = (),
        started: datetime | None = None,
    ) -> None:
        given = ([source] if source is not None else []) + list(sources)
        if not given:
            raise ValueError("a session needs at least one source")
        names = [s.name for s in given]
        if len(set(names)) != len(names):
            raise ValueError(f"each source of a session needs its own name, got {names}")
        self._runs = [_SourceRun(s) for s in given]
        self.sources: tuple[Source, ...] = tuple(given)
        self.source = given[0]
        """The first (with one source, the only) source."""
        self.bus = EventBus()
        self.state = ConsoleState.with_capacity(feed_capacity)
        self.record = any(s.records for s in given) if record is None else record
        self.automod = (
            automod
            if automod is not None and automod.active and any(s.records for s in given)
            else None
        )
        if self.automod is not None:
            # The console's own moderators (its roster) are exempt, as the platform's are.
            self.automod.on_roster = lambda user: user.id in self.state.moderation.roster
        self.sessions_dir = sessions_dir
        self.started_at = started
        """When the session started, for its header and log name; None: when `start` runs (a
        tool recording simulated time gives the simulation's start)."""
        self.title = title
        """The live's title for the log's header (``--title``, or the ``--ask`` form before
        `start`)."""
        self.tags: tuple[str, ...] = tuple(tags)
        self.log_path: Path | None = None
        self.recorder: SessionRecorder | None = None
        self.started = False
        self._tasks: list[asyncio.Task[None]] = []
        self._state_sub = self.bus.subscribe("state", "lossless", LOSSLESS_QUEUE)
        self._closing = False
        self._forwarding: set[asyncio.Task[ActResult]] = set()
        """The rules' actions a capable source is forwarding (kept so they are not collected)."""
        self._waiters: dict[int, asyncio.Future[None]] = {}
        """Actions `act` waits on, by seq, until the state has folded them."""
        self.restored: list[Callable[[], None]] = []
        """Called at once after `restore_state` put the state back (the screen redraws the feed)."""
        for given_source in given:
            if isinstance(given_source, ReplaySource):
                given_source.bind(feed_capacity, self.restore_state)

    # With one source these read and set its condition, as before there could be several.
    @property
    def source_error(self) -> str | None:
        """Why a source stopped: the first that failed."""
        return next((run.error for run in self._runs if run.error), None)

    @source_error.setter
    def source_error(self, error: str | None) -> None:
        self._runs[0].error = error

    @property
    def source_finished(self) -> bool:
        """Every source ended its stream normally."""
        return all(run.finished for run in self._runs)

    @source_finished.setter
    def source_finished(self, finished: bool) -> None:
        self._runs[0].finished = finished

    def subscribe_ui(self, maxsize: int = 20000) -> Subscription:
        """A subscription that never slows anyone: it keeps the newest `maxsize` events."""
        return self.bus.subscribe("ui", "latest", maxsize)

    def header(self, started: datetime) -> SessionHeader:
        """The log's first line: every source with its options (secrets masked)."""
        entries = [{"name": s.name, "options": dict(s.config)} for s in self.sources]
        return SessionHeader(
            source="+".join(s.name for s in self.sources),
            options=dict(self.source.config) if len(self.sources) == 1 else {},
            sources=entries,
            started=started,
            app_version=__version__,
            title=self.title,
            tags=list(self.tags),
        )

    async def start(self) -> None:
        """Open the log (raises `OSError` when it cannot be created) and start the flow."""
        if self.started:
            return
        self.started = True
        if self.record:
            started = self.started_at or datetime.now(UTC)
            folder = self.sessions_dir or default_sessions_dir()
            header = self.header(started)
            self.log_path = new_log_path(folder, started, header.source)
            self.recorder = SessionRecorder(self.log_path, header)
            await self.recorder.open()
            sub = self.bus.subscribe("recorder", "lossless", LOSSLESS_QUEUE)
            self._tasks.append(
                asyncio.create_task(self.recorder.run(sub, close_at_end=False), name="recorder")
            )
        self._tasks.append(asyncio.create_task(consume(self._state_sub, self._fold), name="state"))
        for run in self._runs:
            run.task = asyncio.create_task(self._pump(run), name=f"source {run.name}")

    def _fold(self, batch: list[Event]) -> None:
        self.state.apply_all(batch)
        if self._waiters:
            folded = self.state.last_seq
            for seq in [seq for seq in self._waiters if seq <= folded]:
                waiter = self._waiters.pop(seq)
                if not waiter.done():
                    waiter.set_result(None)

    async def _pump(self, run: _SourceRun) -> None:
        name = run.name
        publish = self.bus.publish
        publish_many = self.bus.publish_many
        # A source that replays a recorded session is never judged again: its decisions replay.
        automod = self.automod if run.source.records else None
        try:
            # A batch is what the source read at once (the lines of one read); it is published in
            # one go, with the rules' decisions in their places.
            async for batch in run.source.batches():
                out: list[Event] = []
                for item in batch:
                    event = item if isinstance(item, EVENT_CLASSES) else _not_an_event(name, item)
                    # The source's name goes into the event in place, like the bus's seq: the
                    # source has handed it over, and a copy of every event would cost more than
                    # the pump.
                    fields = event.__dict__
                    if not fields["source"]:
                        fields["source"] = name
                        event.__pydantic_fields_set__.add("source")
                    if fields["type"] == "connection":
                        run.link = fields["status"]
                        run.link_detail = fields["detail"]
                    if automod is not None and fields["type"] in JUDGED_TYPES:
                        # Published before the message: the state knows a message is held or
                        # hidden before anyone can draw it.
                        for decided in automod.judge(event):
                            if decided.type in ACTION_TYPES:
                                # An action takes its effect on its own (`_publish_decided`), in
                                # its place: what came before it goes first.
                                await publish_many(out)
                                out = []
                                await self._publish_decided(decided)
                            else:
                                out.append(decided)
                    out.append(event)
                if len(out) == 1:
                    await publish(out[0])
                else:
                    await publish_many(out)
        except asyncio.CancelledError:
            raise
        except BusClosed:
            return
        except Exception as exc:  # noqa: BLE001 - any source failure becomes a visible event
            run.error = f"source {name!r} failed: {_one_line(exc)}"
            run.link = "disconnected"
            log.warning("%s", run.error, exc_info=True)
            with contextlib.suppress(BusClosed):
                await publish(Connection(status="disconnected", detail=run.error, source=name))
            return
        run.finished = True

    def status(self) -> RuntimeStatus:
        """The session's condition now; cheap enough to call every frame."""
        recorder = self.recorder
        health: LogHealth = "off"
        if recorder is not None:
            health = "failing" if recorder.error else "ok"
        each = tuple(run.status() for run in self._runs)
        if len(each) == 1:
            only = each[0]
            label, link, problems = only.label, self.state.stats.connection, only.problems
        else:
            label = " + ".join(s.label for s in each)
            link = next((s.link for s in each if s.link != "connected"), "connected")
            problems = tuple(f"{s.name}: {p}" for s in each for p in s.problems)
        return RuntimeStatus(
            source=label,
            source_records=any(s.records for s in self.sources),
            link=link,
            source_error=self.source_error,
            source_finished=self.source_finished,
            source_problems=problems,
            log_path=self.log_path,
            log_health=health,
            log_error=recorder.error if recorder is not None else None,
            log_notice=recorder.notice if recorder is not None else None,
            events_recorded=recorder.written if recorder is not None else 0,
            events_unwritten=recorder.unwritten if recorder is not None else 0,
            sources=each,
        )

    async def publish(self, event: Event) -> Event:
        """Publish an event from outside the source (tests, tools)."""
        return await self.bus.publish(event)

    def effect_of(self, action: ActionEvent) -> Effect:
        """What `action` will do: ``forwarded`` when the source can do it on the platform,
        ``queued`` when only the platform's app can, else ``local``."""
        source = self._source_for(action)
        if source is not None and action.type in source.capabilities:
            return "forwarded"
        if action.type in QUEUED_ON_PLATFORM:
            return "queued"
        if action.type in QUEUED_ON_TIKTOK and self._platform_of(action) == "tiktok":
            # A pin on TikTok shows to the viewers only when pinned in the app.
            return "queued"
        if isinstance(action, Undo):
            # Undoing what was already done by hand in the app needs doing there too.
            item = self.state.moderation.todo.get(action.action)
            if item is not None and item.done:
                return "queued"
        return "local"

    async def act(self, action: ActionEvent) -> ActResult:
        """Apply a console action: its effect decided, recorded and folded like any event, then
        offered to the source of the message it acts on when that platform allows it.

        Returns once the state has folded it, with what the state did.
        """
        effect = self.effect_of(action)
        stamped = await self.bus.publish(action.model_copy(update={"effect": effect}))
        detail = await self._folded(stamped)
        for each in self.sources:
            each.observe(stamped)  # type: ignore[arg-type]
        # Shown as done only once it is in the log: a crash after the toast must not lose it.
        recorded = await self._recorded(stamped)
        error: str | None = None
        if effect == "forwarded" and detail == "done":
            try:
                source = self._source_for(action)
                if source is None or not await source.act(stamped):  # type: ignore[arg-type]
                    error = "the source did not forward it"
            except Exception as exc:  # noqa: BLE001 - a platform refusal must not stop the console
                error = _one_line(exc)
            await self.bus.publish(
                ForwardResult(action=stamped.id, ok=error is None, error=error or "")
            )
        if self.automod is not None and isinstance(stamped, Deny) and detail == "done":
            # A denial is an offence: the escalation ladder may act on the user.
            for follow_up in self.automod.reviewed(stamped):
                await self.act(follow_up)  # type: ignore[arg-type]
        if self.automod is not None and isinstance(stamped, Undo) and detail == "done":
            # Undoing a rule's hide or a denial takes the offence back: the ladder counts again
            # from where it was before it.
            undone = self.state.moderation.entry(stamped.action)
            if undone is not None and undone.user is not None:
                self.automod.forgive(undone.type, undone.by, undone.user.id)
        return ActResult(stamped, effect, detail, error, recorded)

    async def _recorded(self, action: Event) -> bool:
        """Wait until the recorder has written `action` (or tried and failed); whether it is on
        disk. True when this session is not recorded at all."""
        if not self.record:
            return True
        recorder = self.recorder
        if recorder is None or not self.started:
            return False
        return await recorder.wait_written(action.seq, ACT_WAIT_S)

    async def _folded(self, action: Event) -> str:
        """Wait until the state has folded `action`; what it did."""
        if not self.started or self._closing:
            return "recorded"
        if self.state.last_seq < action.seq:
            waiter = self._waiters.setdefault(
                action.seq, asyncio.get_running_loop().create_future()
            )
            try:
                await asyncio.wait_for(asyncio.shield(waiter), ACT_WAIT_S)
            except TimeoutError:
                return "pending"
        return self.state.outcomes.get(action.id, "done")

    async def _publish_decided(self, event: Event) -> None:
        """A rule's decision is recorded as it is; its actions get their effect as a moderator's
        do (`effect_of`). Unlike `act`, the source's pump does not wait for the state to fold them
        (a flood must not wait on its reducers); what a platform can do itself is forwarded from a
        task of its own."""
        if event.type not in ACTION_TYPES:
            await self.bus.publish(event)
            return
        action: ActionEvent = event  # type: ignore[assignment]
        effect = self.effect_of(action)
        if effect == "forwarded":
            task = asyncio.create_task(self.act(action), name="automod-forward")
            self._forwarding.add(task)
            task.add_done_callback(self._forwarding.discard)
        else:
            await self.bus.publish(action.model_copy(update={"effect": effect}))

    def _platform_of(self, action: ActionEvent) -> str | None:
        """The platform of the message `action` targets (in the feed's buffer or pinned)."""
        if isinstance(action, Pin):
            return action.platform
        target = getattr(action, "target", "")
        message = self.state.feed.by_id.get(target) or self.state.pins.pinned.get(target)
        return getattr(message, "platform", None)

    def _source_for(self, action: ActionEvent) -> Source | None:
        """The source an action goes to: the only one, or the one its target came from."""
        if len(self.sources) == 1:
            return self.source
        target = self.state.feed.by_id.get(getattr(action, "target", ""))
        if target is None:
            if isinstance(action, Say) and not action.target:
                # Said to the whole live: the first source that can post in its chat.
                return next((s for s in self.sources if "say" in s.capabilities), None)
            return None
        return next((s for s in self.sources if s.name == target.source), None)

    async def restore_state(self, state: ConsoleState) -> None:
        """Put the session's state back to `state` (a replay that seeks; its source waits).

        Waits until everything published is folded, then takes `state`'s parts into the session's
        own `ConsoleState` (whoever holds it sees the new one) and numbers the next event
        ``state.last_seq + 1``, as it is in the log; the `restored` listeners are told at once.
        """
        await self._caught_up()
        current = self.state
        for part in fields(current):
            setattr(current, part.name, getattr(state, part.name))
        current.__post_init__()  # the links between the parts, to the parts now in place
        self.bus.renumber_from(state.last_seq)
        for listener in list(self.restored):
            listener()

    async def _caught_up(self) -> None:
        """Wait until the state has folded every event published so far."""
        published = self.bus.published
        if not self.started or self._closing or self.state.last_seq >= published:
            return
        waiter = self._waiters.setdefault(published, asyncio.get_running_loop().create_future())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(waiter), ACT_WAIT_S)

    async def wait_source_done(self) -> None:
        """Wait until every source has ended (or failed)."""
        tasks = [run.task for run in self._runs if run.task is not None]
        if tasks:
            await asyncio.shield(asyncio.gather(*tasks, return_exceptions=True))

    async def close(self) -> None:
        """Stop the sources, let the recorder and state drain, close the log. Idempotent."""
        if self._closing:
            return
        self._closing = True
        pumps = [run.task for run in self._runs if run.task is not None and not run.task.done()]
        for task in pumps:
            task.cancel()
        if pumps:
            # A source that swallows the cancellation must not keep the console from closing.
            await asyncio.wait(pumps, timeout=SOURCE_STOP_TIMEOUT_S)
        self.bus.close()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.recorder is not None:
            # Both lossless subscribers have drained: the state is the fold of exactly the events
            # the recorder wrote, so it can close the log with their totals (the summary line).
            await self.recorder.close(SessionTotals.of(self.state))

    async def __aenter__(self) -> SessionRuntime:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def _not_an_event(source: str, item: object) -> Malformed:
    """What a source yielded instead of an event, kept (cut) so nothing passes unseen."""
    try:
        raw = reprlib.repr(item)
    except Exception:  # noqa: BLE001 - a hostile __repr__ must not stop the pump either
        raw = f"<{type(item).__name__}>"
    return Malformed(
        raw=raw, error=f"source {source!r} yielded a {type(item).__name__}, not an event"
    )


def _one_line(exc: BaseException) -> str:
    """The first line of `exc`: a source's own message as it is (written for the reader), any
    other error with its class name."""
    text = str(exc).strip().splitlines()
    if text and isinstance(exc, SourceError):
        return text[0]
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
