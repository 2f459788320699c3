"""`SidePanes`: Pinned, Poll and Status beside the feed, stacked or one at a time.

On a wide terminal the three panes are stacked. Below `NARROW_BELOW` columns the screen gets the
``-narrow`` class (the app's breakpoints) and `app.tcss` shows only the pane `current` names, so
the feed keeps its width; a key cycles the pane on view. An alarm a moderator must not miss (a
failing log, a source error, a lost link) is drawn on a line of its own above whichever pane is on
view: `alarm` says what it is, and the stylesheet shows that line only on a narrow screen (where the
Status pane may be hidden, or too narrow to show all it says without scrolling).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import var
from textual.widget import Widget
from textual.widgets import Static

from ..runtime import RuntimeStatus

NARROW_BELOW = 100
"""Columns under which the side panes show one at a time."""
BREAKPOINTS = [(0, "-narrow"), (NARROW_BELOW, "-wide")]
"""The app's horizontal breakpoints: the class the screen gets at each width."""
ALARM_CONNECTIONS = {"disconnected": "⚠ link lost", "reconnecting": "⚠ reconnecting"}


def alarm_text(status: RuntimeStatus) -> str:
    """The one alarm a narrow screen shows above its side pane, or ""."""
    if status.log_error:
        return "⚠ log failing"
    if status.source_error:
        return "⚠ source error"
    if status.source_finished:
        return ""
    return ALARM_CONNECTIONS.get(status.link, "")


class SidePanes(Vertical):
    """The side panes, with one of them `current` (the one on view on a narrow screen)."""

    DEFAULT_CSS = """
    SidePanes > #side-alarm {
        display: none;
        height: 1;
        padding: 0 1;
        background: $error;
        color: $text;
        text-style: bold;
    }
    """

    current: var[int] = var(0)
    """Index of the pane on view when only one fits."""
    alarm: var[str] = var("")
    """What to warn about on a narrow screen ("" for nothing)."""

    def __init__(self, *panes: Widget, id: str | None = None) -> None:  # noqa: A002 - Textual's
        super().__init__(id=id)
        self.panes = panes
        for pane in panes:
            pane.add_class("side-pane")
        self._alarm_line = Static(id="side-alarm", markup=False)

    def compose(self) -> ComposeResult:
        yield self._alarm_line
        yield from self.panes

    @property
    def current_pane(self) -> Widget:
        return self.panes[self.current]

    def cycle(self) -> None:
        """Put the next pane on view."""
        self.current = (self.current + 1) % len(self.panes)

    def watch_current(self, current: int) -> None:
        for number, pane in enumerate(self.panes):
            pane.set_class(number == current, "-current")

    def watch_alarm(self, alarm: str) -> None:
        self.set_class(bool(alarm), "-alarm")
        self._alarm_line.update(Text(alarm))
