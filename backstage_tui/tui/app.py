"""`BackstageApp`: the four panes over one `SessionRuntime`.

The runtime owns the session (source, bus, recorder, state); the app only draws it. A timer drains
the UI subscription once a frame and hands the whole batch to the feed in one call, and the side
panes are rebuilt only when the state's version moved. Nothing here is per message.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable
from datetime import tzinfo
from time import monotonic
from typing import ClassVar

from textual import events, on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer

from ..bus import Subscription
from ..config import ModerationSettings, PollSettings
from ..gc_tuning import CollectorTuning
from ..goodbye import LiveSettings
from ..runtime import SessionRuntime, SourceStatus
from ..safetext import display
from ..sources.replay import ReplaySource
from ..state import FEED_CAPACITY
from . import strip_cycles
from .actions import FeedActions
from .ask_screen import AskScreen, LiveTitle
from .commands import binding_commands
from .end_live import EndLive
from .feed_view import FeedFrame, FeedView
from .help_screen import HelpScreen, help_sections
from .keys import KeyHints, key_hint, unknown_ids_warning
from .moderation_screens import ListsScreen, ModerationLogScreen, TodoScreen
from .panes import PinnedPane, StatusPane
from .poll_actions import PollKeys
from .poll_pane import PollPane
from .questions_screen import QuestionsScreen
from .replay_screen import ReplayBar, ReplayScreen
from .review_screen import ReviewScreen
from .side import BREAKPOINTS, NARROW_BELOW, SidePanes, alarm_text
from .terminal_output import LoopOutput
from .textual_internals import in_batch, paint_now, write_on_the_loop
from .user_card import PastFinder, UserCard

FRAME_S = 1 / 30
STATUS_INTERVAL_S = 0.25
HANGUP_SIGNALS = (signal.SIGHUP, signal.SIGTERM)
"""Signals that end the session cleanly rather than killing the process."""
EXIT_HANGUP = 128 + signal.SIGHUP
"""The exit code after the terminal hung up (the log closed cleanly first): the shell's own."""
HANGUP_CLOSE_S = 10.0
"""After a hang-up, how long the log may take to close before the process leaves anyway."""
HANGUP_GRACE_S = 1.0
"""After a hang-up and the log's close, how long the ordinary exit may take before the process
leaves on its own."""
REPORT_WAIT_S = 120.0
"""How long a way out waits for another one writing the live's report (a million-event live
takes about 20 s to sum up)."""
MAX_KEYS_WARNING = 2000
"""The unknown-keys warning lists every valid binding id: longer than other warnings."""


class BackstageApp(App[None]):
    CSS_PATH = "app.tcss"
    HORIZONTAL_BREAKPOINTS = BREAKPOINTS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "pin", "Pin", id="app.pin",
                tooltip="Pin the selected comment or question"),
        # The footer shows what fits an 80-column terminal; `?` and the palette list every key.
        Binding("P", "unpin", "Unpin", show=False, id="app.unpin",
                tooltip="Unpin the selected message; else the only pin, or a digit picks one of "
                        "several"),
        Binding("d", "hide", "Hide", id="app.hide",
                tooltip="Hide the selected message on this console"),
        Binding("u", "undo", "Undo", id="app.undo",
                tooltip="Undo the newest action on the selected message or its author; with "
                        "nothing selected, the last action (again: the one before)"),
        Binding("t", "mute", "Mute", show=False, id="app.mute",
                tooltip="Mute the selected message's author: a digit picks how long"),
        Binding("b", "block", "Block", show=False, id="app.block",
                tooltip="Block the selected message's author (asks first)"),
        Binding("m", "moderator", "Mod", show=False, id="app.moderator",
                tooltip="Make the selected message's author a moderator, or no longer one"),
        Binding("h", "highlight", "Highlight", show=False, id="app.highlight",
                tooltip="Highlight the selected message (it stands out, and is listed)"),
        Binding("s", "shoutout", "Shout-out", show=False, id="app.shoutout",
                tooltip="Add the selected message's author to the shout-out list"),
        Binding("w", "watch", "Watch", show=False, id="app.watch",
                tooltip="Watch the selected message's author for a while (their messages marked)"),
        Binding("n", "note", "Note", show=False, id="app.note",
                tooltip="Write a note on the selected message's author"),
        Binding("c", "chat", "Say", show=False, id="app.chat",
                tooltip="Say something in the live's chat (to the selected viewer, if any): posted "
                        "where the source can send chat, else queued for the app"),
        Binding("enter", "card", "Card", show=False, id="app.card",
                tooltip="Open the user card of the selected message's author"),
        Binding("r", "reason", "Reason", show=False, id="app.reason",
                tooltip="Choose a reason (a digit) to record with the next action"),
        Binding("i", "todo", "In the app", show=False, id="app.todo",
                tooltip="The In the app list: what to do by hand in the platform's app"),
        Binding("slash", "filter", "Filter", show=False, key_display="/", id="app.filter",
                tooltip="Filter the feed: words, from:NAME, is:gift|question|hidden|highlighted|mod,"
                        " re:PATTERN"),
        Binding("L", "lists", "Lists", show=False, id="app.lists",
                tooltip="The highlights and the shout-out list, to work through"),
        Binding("Q", "questions", "Questions", show=False, id="app.questions",
                tooltip="The Questions list: mark answered, pin one, find it in the feed"),
        Binding("l", "moderation_log", "Mod log", show=False, id="app.modlog",
                tooltip="The moderation log: every action, its effect, and whether it was undone"),
        Binding("R", "review", "Review", show=False, id="app.review",
                tooltip="Open or close the review queue: the messages the rules held"),
        Binding("a", "approve", "Approve", show=False, id="app.approve",
                tooltip="Approve the held message (selected in the feed or the review queue): "
                        "it enters the feed in its place"),
        Binding("x", "deny", "Deny", show=False, id="app.deny",
                tooltip="Deny the held message: it stays out of the feed and counts against "
                        "its author"),
        Binding("o", "poll_form", "Poll", show=False, id="app.poll",
                tooltip="Start a poll in chat: a question, 2 to 6 options, an optional duration"),
        Binding("O", "poll_close", "Close poll", show=False, id="app.poll_close",
                tooltip="Close the running poll (asks first); its results stay"),
        Binding("left_square_bracket", "poll_page(-1)", "Older poll", show=False,
                key_display="[", id="app.poll_back",
                tooltip="Show the session's previous poll in the Poll pane"),
        Binding("right_square_bracket", "poll_page(1)", "Newer poll", show=False,
                key_display="]", id="app.poll_next",
                tooltip="Show the session's next poll in the Poll pane"),
        Binding("v", "side_next", "Panes", id="app.side_next",
                tooltip="A narrow terminal shows one side pane: show the next (Pinned, Poll, Status)"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help",
                tooltip="Show the keys and what the feed's marks mean"),
        Binding("q", "request_quit", "Quit", id="app.quit",
                tooltip="End the live (asks first): a goodbye for the chat, then the live "
                        "summed up; a replay just ends"),
        Binding("ctrl+e", "end_live", "End live", show=False, id="app.end_live",
                tooltip="End the live: the same as q"),
    ]  # fmt: skip

    def __init__(
        self,
        runtime: SessionRuntime,
        *,
        title: str | None = None,
        tz: tzinfo | None = None,
        feed_capacity: int = FEED_CAPACITY,
        fold_activity: bool = False,
        keymap: dict[str, str] | None = None,
        warning: str | None = None,
        moderation: ModerationSettings | None = None,
        live: LiveSettings | None = None,
        ask: bool = False,
        polls: PollSettings | None = None,
        past_sessions: PastFinder | None = None,
    ) -> None:
        """`tz` sets the feed's clock (local time when None; tests pass UTC). `past_sessions`
        finds a viewer's past sessions for the user card (none shown without it)."""
        moderation = moderation or ModerationSettings()
        super().__init__()
        self.runtime = runtime
        if title is not None:
            self.title = display(title, 120)
        self.feed = FeedView(runtime.state, capacity=feed_capacity, fold_activity=fold_activity,
                             tz=tz, id="feed")  # fmt: skip
        self._startup_warning = warning
        self.past_sessions = past_sessions
        self._gc = CollectorTuning()
        self._output: LoopOutput | None = None
        """The terminal writer on the loop, once it replaced Textual's writer thread."""
        strip_cycles.install()
        self._signals: list[signal.Signals] = []
        self._ending = False
        self._leaving = False
        self._log_closed = threading.Event()
        self.ended_by_signal = False
        """A signal (SIGHUP, SIGTERM) ended the session, not the end-live flow."""
        self._reports_lock = threading.Lock()
        self._reports_claimed = False
        self.reports_finished = threading.Event()
        """Set once the live's report is written (or failed), by whichever way claimed it."""
        self._user_keymap = dict(keymap or {})
        if keymap:
            self.set_keymap(keymap)
        self.pinned = PinnedPane(id="pinned")
        self.status = StatusPane(id="status")
        self.poll = PollPane(id="poll")
        self.side = SidePanes(self.pinned, self.poll, self.status, id="side")
        self.actions = FeedActions(runtime, self.feed, self.notify, operator=moderation.operator,
                                   mute_presets=moderation.mute_presets,
                                   watch_s=moderation.watch_s,
                                   reasons=moderation.reasons,
                                   pin_expire_s=moderation.pin_expire_s or None)  # fmt: skip
        self.end_live = EndLive(self, live)
        self._ask = ask
        """`--ask`: the live's title and tags are asked for before it starts."""
        self._offered_end = False
        """The source said the LIVE ended and the console offered to end the session."""
        self.polls = PollKeys(self, runtime, self.poll, self.actions.act, self.actions.say,
                              first_vote_only=(polls or PollSettings()).first_vote_only)  # fmt: skip
        self._tz = tz
        self.subscription: Subscription | None = None
        self._seen_version = -1
        self._frame_timer: Timer | None = None
        self._reported_error: str | None = None
        self._reported_log_error: str | None = None
        self._status_alarm: tuple[object, ...] = ()
        self._hints = KeyHints(self)
        """The keys the Status pane names (review, questions, to-do), kept per screen."""
        self._status_due = 0.0
        source = runtime.source
        self.replay = source if isinstance(source, ReplaySource) else None
        """The replay's source, when this console shows a replay (`ReplayScreen` drives it)."""
        if self.replay is not None:
            self.replay.enable_controls()
            runtime.restored.append(self._after_seek)

    def get_default_screen(self) -> Screen[None]:
        """A replay's first screen has the replay's keys (`ReplayScreen`); a live's, Textual's."""
        if self.replay is not None:
            return ReplayScreen(id="_default")
        return super().get_default_screen()

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            with FeedFrame(id="feed-frame"):
                yield self.feed
            yield self.side
        if self.replay is not None:
            yield ReplayBar(self.replay, id="replay-bar")
        yield Footer()

    def _after_seek(self) -> None:
        """The replay moved (`SessionRuntime.restore_state`): what the screen had not drawn yet is
        from before the move, and the feed starts again from the state's buffer."""
        if self.subscription is not None:
            self.subscription.take_nowait()
        state = self.runtime.state
        self.feed.reset_from(state, state.last_seq)
        self._seen_version = -1

    async def on_mount(self) -> None:
        for selector, title in (("#feed-frame", "Feed"), ("#pinned", "Pinned"), ("#poll", "Poll"),
                                ("#status", "Status")):  # fmt: skip
            self.query_one(selector).border_title = title
        if self._ask:
            # `--ask`: the title and tags go into the log's header, so the live starts after.
            ask = AskScreen(self.runtime.title, self.runtime.tags)
            self.push_screen(ask, self._asked)
            return
        await self._start_live()

    async def _asked(self, answer: LiveTitle | None) -> None:
        if answer is not None:
            self.runtime.title, self.runtime.tags = answer.title, answer.tags
        await self._start_live()

    async def _start_live(self) -> None:
        """Start the session and the frames."""
        # Subscribe before starting, so the very first event already reaches the screen.
        self.subscription = self.runtime.subscribe_ui()
        try:
            await self.runtime.start()
        except OSError as exc:
            self.notify(display(f"cannot open the session log: {exc}", 300),
                        severity="error", markup=False, timeout=30)  # fmt: skip
        if self._startup_warning:
            self.notify(display(self._startup_warning, 400), severity="warning", markup=False,
                        timeout=20)  # fmt: skip
        self._frame_timer = self.set_interval(FRAME_S, self.draw_frame, name="frame")
        self.draw_frame()
        # After the first frame everything Textual built at start-up is long-lived: freeze it.
        self.call_after_refresh(self._gc.apply)

    def draw_frame(self) -> None:
        """Drain what arrived since the last frame and redraw what changed, in one batch."""
        sub = self.subscription
        if sub is None or not self.feed.is_attached:
            return  # not started yet, or the app is shutting down
        # Frames go to the terminal from the loop, without a thread that waits for the lock.
        output = write_on_the_loop(self, self._output)
        if output is not None:
            self._output = output
        batch = sub.take_nowait()
        state = self.runtime.state
        with self.batch_update():
            if batch or sub.skipped != self.feed.bus_skipped:
                self.feed.add_batch(batch, bus_skipped=sub.skipped)
            if state.version != self._seen_version:
                self._seen_version = state.version
                self.pinned.refresh_from(state)
                self.feed.state_changed()
            if state.polls.polls:
                self.polls.on_frame()  # the countdown moves between events too
            self._refresh_status()
        self._paint_now()
        # What the batch pushed out of the feed is freed now that the frame is out, not before.
        self.feed.window.let_go()
        self._gc.after_frame()

    def _refresh_status(self) -> None:
        """The Status pane (and a notification when the source fails), at once when something a moderator must see changed (the link, the
        log, the source), else at most `STATUS_INTERVAL_S` apart: under a flood its counters
        change every frame, nobody reads them 30 times a second, and redrawing it each frame would
        take a share of the frame the feed needs (docs/performance.md)."""
        status = self.runtime.status()
        self.side.alarm = alarm_text(status)  # shown on a narrow screen, whatever pane is on view
        if not self._offered_end:
            self._offer_end_when_ended(status.sources)
        error = status.source_error
        if error and error != self._reported_error:
            self._reported_error = error
            self.notify(display(error, 300), severity="error", markup=False, timeout=15)
        log_error = status.log_error
        if log_error and self._reported_log_error is None:
            # Once per failing spell: the Status pane keeps saying it, with the count not on disk.
            self.notify(display(log_error, 300), severity="error", markup=False, timeout=15)
        self._reported_log_error = log_error
        alarm = (
            status.link,
            status.sources,  # each source's link, error and problems, when there are several
            status.source_error,
            status.source_finished,
            status.log_error,
            status.log_notice,
            len(status.source_problems),
            self.feed.skipped > 0,
            self.runtime.state.moderation.todo_open,
            # Whether anything waits for review, not how much: under a flood the rules hold
            # messages every frame, and the count alone would redraw the pane each time.
            self.runtime.state.automod.held_count > 0,
        )
        now = monotonic()
        if alarm == self._status_alarm and now < self._status_due:
            return
        self._status_alarm = alarm
        self._status_due = now + STATUS_INTERVAL_S
        state = self.runtime.state
        held = state.automod.held_count
        review_key = (self._hints.get(self.screen, "app.review") or "") if held else ""
        asked = state.questions_open
        questions_key = (self._hints.get(self.screen, "app.questions") or "") if asked else ""
        todo_open = state.moderation.todo_open
        todo_key = (self._hints.get(self.screen, "app.todo") or "") if todo_open else ""
        self.status.refresh_from(status, state.stats, view_skipped=self.feed.skipped,
                                 todo_open=todo_open, held=held, todo_key=todo_key,
                                 review_key=review_key, questions_open=asked,
                                 questions_key=questions_key,
                                 guests=state.guests.on_now(state.stats.last_ts))  # fmt: skip

    def _paint_now(self) -> None:
        """Put this frame on the screen now rather than after Textual's idle relay, which under a
        flood waits behind the publisher and the reducers (`textual_internals` says how, and how it
        stands aside should Textual change; `tests/test_flood_guards.py` checks it works)."""
        screen = self.screen
        if screen is not self.feed.screen or in_batch(self):
            return  # a dialog is on top: let Textual paint the screens in their order
        paint_now(screen, (self.feed, self.status, self.pinned.body))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The command palette (ctrl+p) offers what the keys offer, made from the bindings in force
        on `screen` (`commands.binding_commands`), and Textual's own commands but its Quit: ours
        asks first."""
        ours = list(binding_commands(screen))
        names = {command.title for command in ours}
        yield from (c for c in super().get_system_commands(screen) if c.title not in names)
        yield from ours

    @on(events.Mount)
    def _warn_unknown_keys(self) -> None:
        """A binding id in the user's keymap that no binding has does nothing: say so at start."""
        warning = unknown_ids_warning(self._user_keymap)
        if warning:
            self.notify(display(warning, MAX_KEYS_WARNING), severity="warning", markup=False,
                        timeout=20)  # fmt: skip

    # -- the layout --

    @property
    def narrow(self) -> bool:
        """Too narrow for the three side panes at once (what the screen's ``-narrow`` class says,
        read from the size, which is up to date before the screen has handled the resize)."""
        return self.size.width < NARROW_BELOW

    def on_resize(self, event: events.Resize) -> None:
        # The side-pane key is offered only on a narrow screen: the footer asks again.
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "side_next":
            return self.narrow
        return True

    def action_side_next(self) -> None:
        self.side.cycle()

    # -- polls --

    def action_poll_form(self) -> None:
        self.polls.open_form()

    def action_poll_close(self) -> None:
        self.polls.close()

    def action_poll_page(self, step: int) -> None:
        self.polls.page(step)

    # -- keys --

    async def action_pin(self) -> None:
        await self.actions.pin()

    async def action_unpin(self) -> None:
        await self.actions.unpin()

    async def action_hide(self) -> None:
        await self.actions.hide()

    async def action_undo(self) -> None:
        await self.actions.undo()

    def action_mute(self) -> None:
        self.actions.mute()

    def action_block(self) -> None:
        self.actions.block()

    async def action_moderator(self) -> None:
        await self.actions.moderator()

    async def action_highlight(self) -> None:
        await self.actions.highlight()

    async def action_shoutout(self) -> None:
        await self.actions.shoutout()

    async def action_watch(self) -> None:
        await self.actions.watch()

    def action_note(self) -> None:
        self.actions.note()

    def action_chat(self) -> None:
        self.actions.chat()

    def action_reason(self) -> None:
        self.actions.reason()

    def action_card(self) -> None:
        found = self.actions.selected_user()
        if found is not None:
            card = UserCard(
                self.runtime.state,
                found[1],
                self.actions.undo_action,
                self._tz,
                past=self.past_sessions,
            )
            self.push_screen(card)

    def action_todo(self) -> None:
        self.push_screen(TodoScreen(self.runtime.state.moderation, self.actions.tick))

    def action_filter(self) -> None:
        self.actions.filter()

    def action_lists(self) -> None:
        moderation = self.runtime.state.moderation
        self.push_screen(ListsScreen(moderation, self.actions.toggle_done, self._tz))

    def action_questions(self) -> None:
        self.push_screen(QuestionsScreen(
            self.runtime.state, toggle_done=self._answer, pin=self.actions.pin_message,
            jump=self.jump_to, tz=self._tz,
        ))  # fmt: skip

    async def _answer(self, question_id: str) -> None:
        await self.actions.toggle_done("question", question_id)

    def jump_to(self, event_id: str) -> None:
        """Select the message `event_id` in the feed (the Questions list's find)."""
        if not self.feed.select_id(event_id):
            self.actions.say("that message is no longer in the feed (or the filter hides it)",
                             "warning")  # fmt: skip

    def action_moderation_log(self) -> None:
        moderation = self.runtime.state.moderation
        self.push_screen(ModerationLogScreen(moderation, self.actions.undo_action, self._tz))

    def _review_target(self) -> str | None:
        """The id approve and deny act on: the review queue's highlighted message while the queue
        is open, else the feed's selected message."""
        screen = self.screen
        if isinstance(screen, ReviewScreen):
            return screen.highlighted_id
        event = self.feed.selected_event
        return None if event is None else event.id

    async def action_approve(self) -> None:
        await self.actions.approve(self.actions.held(self._review_target()))

    async def action_deny(self) -> None:
        await self.actions.deny(self.actions.held(self._review_target()))

    def action_review(self) -> None:
        if isinstance(self.screen, ReviewScreen):
            self.screen.dismiss(None)
        else:
            self.push_screen(ReviewScreen(self.runtime.state))

    def action_help(self) -> None:
        """The keys of the screen `?` was pressed on, as they are now (after the keymap)."""
        self.push_screen(HelpScreen(help_sections(self.screen)))

    def action_request_quit(self) -> None:
        """`q`: end the live (`end_live.EndLive` asks first)."""
        self.end_live.ask()

    def action_end_live(self) -> None:
        """`ctrl+e`: the same, by the name a creator looks for."""
        self.end_live.ask()

    def _offer_end_when_ended(self, sources: tuple[SourceStatus, ...]) -> None:
        """The source says the LIVE ended: say so and offer to end the session, once; never end
        it without asking (a moderator may still be working through the queues)."""
        ended = next((s for s in sources if s.link == "ended"), None)
        if ended is None:
            return
        self._offered_end = True
        if not self.end_live.sums_up:
            return  # a replay of a live that ended: that was then, nothing to end now
        detail = f" ({ended.link_detail})" if ended.link_detail else ""
        why = display(f"The LIVE ended{detail}.", 120)
        if self.screen is self.feed.screen and not self.end_live.ending:
            self.end_live.ask(why)
        else:
            hint = key_hint(self.feed.screen, "app.quit")
            hint_text = f" ({hint})" if hint else ""
            self.notify(display(f"{why} The session goes on until you end it{hint_text}.", 300),
                        markup=False, timeout=30)  # fmt: skip

    async def close_session(self) -> None:
        """Stop drawing the live and close the session (its log gets its summary line)."""
        if self._frame_timer is not None:
            self._frame_timer.stop()
        await self.runtime.close()
        self._log_closed.set()

    async def end_session(self) -> None:
        await self.close_session()
        self.exit()

    @on(events.Mount)
    def _end_cleanly_on_hangup(self) -> None:
        """Closing the terminal window (SIGHUP) or a plain `kill` (SIGTERM) ends the session as `q`
        does, so the log is closed with its summary line. Textual's Linux driver leaves both signals
        at their default, which ends the process on the spot."""
        loop = asyncio.get_running_loop()
        for hangup in HANGUP_SIGNALS:
            # Not on the main thread (an app run by a tool), or no such signal here: nothing to do.
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(hangup, self._hung_up)
                self._signals.append(hangup)

    def _hung_up(self) -> None:
        self.ended_by_signal = True
        self._leave_soon_if_hung_up()
        if not self._ending:
            self._ending = True
            self.call_later(self.end_session)

    def _leave_soon_if_hung_up(self) -> None:
        """When the terminal is gone (its window closed), leave once the log is closed.

        Textual's shutdown then writes to a terminal that no longer exists: its writer thread dies
        on the first error and the next write waits forever, leaving the process behind with nobody
        to see it. So a thread of our own waits for the log to close (`HANGUP_CLOSE_S` at most),
        gives the ordinary exit `HANGUP_GRACE_S`, then ends the process."""
        if self._leaving or self.is_headless or not terminal_hung_up():
            return
        self._leaving = True
        threading.Thread(target=self._leave_after_close, name="hangup", daemon=True).start()

    def _leave_after_close(self) -> None:
        if self._log_closed.wait(HANGUP_CLOSE_S):
            self.write_reports_after_signal()
        time.sleep(HANGUP_GRACE_S)  # a thread of its own: nothing waits on it
        os._exit(EXIT_HANGUP)

    def claim_reports(self) -> bool:
        """Whether the caller is the one to write the live's report: the first to ask (the
        end-live summary, or a way out after a signal) writes it, and sets `reports_finished`."""
        with self._reports_lock:
            claimed, self._reports_claimed = self._reports_claimed, True
            return not claimed

    def write_reports_after_signal(self) -> None:
        """When a signal ended the session (its window closed, a `kill`), the live's report goes
        beside the closed log as the end-live flow writes it. Called by each way out (the command
        after the app, the thread that ends a process whose terminal is gone); the first writes
        it, the others wait for it, so the process never ends under a half-written report."""
        if not self.ended_by_signal or not self._log_closed.is_set():
            return
        if not self.claim_reports():
            self.reports_finished.wait(REPORT_WAIT_S)
            return
        try:
            log = self.runtime.status().whole_log
            if log is not None:
                from ..reports.files import report_beside  # jinja2, pygal: only at the end

                report_beside(log)
        finally:
            self.reports_finished.set()

    async def action_quit(self) -> None:
        # ctrl+q, Textual's own quit key, goes through the same confirm.
        self.action_request_quit()

    async def on_unmount(self) -> None:
        loop = asyncio.get_running_loop()
        for hangup in self._signals:
            loop.remove_signal_handler(hangup)
        # Whatever way the app ends, the log is closed cleanly (close() is idempotent).
        await self.runtime.close()
        self._log_closed.set()
        self._leave_soon_if_hung_up()
        self._gc.restore()


def terminal_hung_up() -> bool:
    """Whether the terminal this process draws on has hung up (its window was closed): the kernel
    then answers every question about it with EIO. False when there is no terminal at all."""
    for stream in (sys.__stdout__, sys.__stdin__):
        try:
            os.tcgetpgrp(stream.fileno())  # type: ignore[union-attr]
        except OSError as exc:
            if exc.errno == errno.EIO:
                return True
        except (AttributeError, ValueError):
            continue
        else:
            return False
    return False
