"""Ending the live the way a creator does: confirm, say goodbye, see how it went.

`q` (or `ctrl+e`, or the source saying the LIVE ended) asks first, saying what will happen. Yes
offers the goodbye from the config's template (`goodbye.LiveSettings`), editable: `enter` says it
(a `Say` action: posted where the source can send chat, else queued on the In the app list, and
shown on the summary ready to copy), an emptied line ends without one, `escape` goes back to the
live. Then the session closes (the log gets its summary line), the summary screen opens at once
and fills in when `LiveReport` has been folded from the log in a thread, and the same report is
written beside the log as ``.md`` and ``.html``. `q` or `enter` there leaves, exit code 0.

A replay, or a session that is not recorded, has no live to sum up: yes simply ends it.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..events import Say
from ..goodbye import LiveSettings
from ..reports.live_report import LiveReport
from ..safetext import display
from .confirm import ConfirmScreen
from .line_screen import LineScreen
from .summary_screen import SummaryScreen

if TYPE_CHECKING:
    from .app import BackstageApp

END_DETAIL = (
    "The source stops and the session log is closed. Next: a goodbye for the chat (yours to "
    "edit), then the live summed up, also written beside the log (.md and .html)."
)
POSTED = "It is posted in the live's chat."
QUEUED = (
    "This source cannot send chat: it goes on the In the app list and the summary, ready to copy."
)


class EndLive:
    """The end-of-live flow of one app."""

    def __init__(self, app: BackstageApp, settings: LiveSettings | None = None) -> None:
        self.app = app
        self.settings = settings or LiveSettings()
        self.ending = False
        """Yes was given and the goodbye said (or not): the session is closing."""

    @property
    def sums_up(self) -> bool:
        """A recorded live: it gets a goodbye and a summary (a replay does not)."""
        runtime = self.app.runtime
        return runtime.record and runtime.recorder is not None

    def ask(self, why: str = "") -> None:
        """Open the confirmation (`why`: the source's own word that the LIVE ended)."""
        if self.ending:
            return
        if not self.sums_up:
            detail = "The source stops and the session goes no further."
            self.app.push_screen(ConfirmScreen("End the session?", detail), self._end_plainly)
            return
        question = f"{why} End the live?" if why else "End the live?"
        self.app.push_screen(ConfirmScreen(question, END_DETAIL), self._confirmed)

    async def _end_plainly(self, yes: bool | None) -> None:
        if yes:
            self.ending = True
            await self.app.end_session()

    def _confirmed(self, yes: bool | None) -> None:
        if not yes:
            return
        runtime = self.app.runtime
        text = self.settings.goodbye_text(datetime.now().astimezone(), runtime.title)
        where = POSTED if runtime.effect_of(Say(text=text)) == "forwarded" else QUEUED
        prompt = LineScreen(
            "Say goodbye",
            "your goodbye (empty: end without one)",
            text,
            "say it and end the live",
            replace=False,
            detail=where,
            hint="ctrl+u: clear it",
        )
        self.app.push_screen(prompt, self._goodbye_written)

    async def _goodbye_written(self, text: str | None) -> None:
        if text is None:
            self.app.notify("the live goes on", markup=False)
            return
        if self.ending:
            return
        self.ending = True
        goodbye = text.strip()
        to_post = ""
        if goodbye:
            result = await self.app.actions.act(Say(text=goodbye))
            if result is not None and (result.effect != "forwarded" or result.forward_error):
                to_post = goodbye
        await self.app.close_session()
        summary = SummaryScreen(goodbye_to_post=to_post)
        await self.app.push_screen(summary)
        self.app.run_worker(self._sum_up(summary), name="sum up", exit_on_error=False)

    async def _sum_up(self, summary: SummaryScreen) -> None:
        path = self.app.runtime.log_path
        if path is None:
            summary.show(None, error="the session was not recorded")
            return
        writes = self.app.claim_reports()  # not when a signal's way out is writing it already
        try:
            report, files, error = await asyncio.to_thread(build_and_write, path, write=writes)
        finally:
            if writes:
                self.app.reports_finished.set()
        summary.show(report, files, error)


def build_and_write(
    path: Path, *, write: bool = True
) -> tuple[LiveReport | None, tuple[Path, ...], str]:
    """The live's report from its closed log, and its files written beside it (unless not
    `write`); what went wrong, in a few words (a report that could not be written is still
    shown)."""
    from ..reports.files import report_beside  # jinja2 and pygal: only when a live ends

    written = report_beside(path, write=write)
    return written.report, written.files, display(written.error, 300)
