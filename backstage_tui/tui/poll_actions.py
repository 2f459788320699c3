"""`PollKeys`: what `o`, `O`, `[` and `]` do, and the close of a poll whose time ran out.

A poll with a duration closes in the reducer at the first event at or past its end (the session
clock, so a replay closes it at the same event). A quiet chat may send no such event: then, on a
live session, the console records a `PollClose` itself once the session clock, run on by the time
since it last moved, is past the end.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from time import monotonic
from typing import Any

from textual.app import App

from ..events import ActionEvent, PollClose, PollStart
from ..runtime import SessionRuntime
from ..safetext import display
from ..state.polls import TIME_REASON
from .confirm import ConfirmScreen
from .keys import key_hint
from .poll_form import MAX_QUESTION, PollDraft, PollForm
from .poll_pane import PollPane

TIME_CLOSE_GRACE_S = 1.0
"""How long past its end a poll may wait for an event to close it before the console closes it."""


class PollKeys:
    def __init__(
        self,
        app: App[Any],
        runtime: SessionRuntime,
        pane: PollPane,
        act: Callable[[ActionEvent], Awaitable[object]],
        say: Callable[[str, Any], None],
        *,
        first_vote_only: bool = False,
    ) -> None:
        self.app = app
        self.runtime = runtime
        self.pane = pane
        self._act = act
        self._say = say
        self.first_vote_only = first_vote_only
        self._clock: float | None = None
        self._clock_seen = monotonic()
        self._page_keys: str | None = None
        self._closing: str | None = None
        """The poll whose time-out close is on its way (sent once)."""

    # -- the session clock as the pane shows it --

    def now(self) -> float:
        """The session clock; on a live session run on by the time since it last moved, so a
        countdown keeps moving in a quiet chat (a replay's clock is its events' only)."""
        clock = self.runtime.state.stats.last_ts
        mono = monotonic()
        if clock != self._clock:
            self._clock, self._clock_seen = clock, mono
        if clock is None:
            return 0.0
        return clock + (mono - self._clock_seen) if self.runtime.record else clock

    def on_frame(self) -> None:
        """Draw the pane, and close a poll whose time ran out in a quiet chat."""
        polls = self.runtime.state.polls
        now = self.now()
        if self._page_keys is None:
            # The keys in force on the console's screen (the user's keymap may have moved them).
            main = self.app.screen_stack[0]
            keys = [key_hint(main, "app.poll_back"), key_hint(main, "app.poll_next")]
            self._page_keys = self.pane.page_keys = " ".join(k for k in keys if k)
        self.pane.refresh_from(polls, now)
        poll = polls.open_poll
        if (
            poll is not None and poll.ends_at is not None and self.runtime.record
            and now >= poll.ends_at + TIME_CLOSE_GRACE_S and self._closing != poll.poll_id
        ):  # fmt: skip
            self._closing = poll.poll_id
            self.app.run_worker(self._act(PollClose(poll_id=poll.poll_id, reason=TIME_REASON)))

    # -- the keys --

    def open_form(self) -> None:
        running = self.runtime.state.polls.open_poll
        form = PollForm(replacing=running.question if running is not None else "")

        async def started(draft: PollDraft | None) -> None:
            if draft is None:
                return
            self.pane.index = None  # show the new poll
            await self._act(
                PollStart(question=draft.question, options=draft.options,
                          duration_s=draft.duration_s, first_vote_only=self.first_vote_only)
            )  # fmt: skip

        self.app.push_screen(form, started)

    def close(self) -> None:
        poll = self.runtime.state.polls.open_poll
        if poll is None:
            self._say("no poll running", "warning")
            return

        async def answered(yes: bool | None) -> None:
            if yes:
                await self._act(PollClose(poll_id=poll.poll_id))

        question = display(poll.question, MAX_QUESTION)
        detail = f"“{question}” stops counting votes; its results stay in the Poll pane."
        self.app.push_screen(ConfirmScreen("Close the poll?", detail), answered)

    def page(self, step: int) -> None:
        polls = self.runtime.state.polls
        if not polls.polls:
            self._say("no polls yet", "warning")
        elif not self.pane.page(polls, step):
            self._say("no older poll" if step < 0 else "this is the newest poll", "information")
        self.pane.refresh_from(polls, self.now())
