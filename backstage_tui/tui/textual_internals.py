"""The private Textual attributes the app relies on, in one place, each read with a fallback.

`BackstageApp._paint_now` puts a frame on the screen in the turn that built it, instead of waiting
for Textual's idle relay (a widget's idle handler posts an update to its screen, whose idle handler
wakes the timer that composes). Under a flood each turn of that relay waits behind the publisher
and the reducers, so skipping it shortens the way from an event to the screen (the figures are in
docs/performance.md). Textual has no public call for it, so it takes the four private attributes
in `RELIED_ON`.

Every read goes through a guard: should an upgrade rename one, the fast path stands aside and
Textual's relay paints the frame a little later; the app never raises on the next frame.
`tests/test_textual_internals.py` names each attribute and fails when the installed Textual lacks
it, so an upgrade fails a test, not a live stream. pyproject.toml pins Textual to the minor series
these were checked on.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Iterable
from typing import Any

from textual.app import App
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget

from .terminal_output import LoopOutput

try:
    from textual.drivers._writer_thread import WriterThread
except ImportError:  # a Textual without it: the output stays as Textual writes it
    WriterThread = None  # type: ignore[assignment,misc]

APP_BATCH_COUNT = "_batch_count"
"""`App`: an int, above 0 inside `batch_update()`, when nothing may be composed yet."""
SCREEN_DIRTY_WIDGETS = "_dirty_widgets"
"""`Screen`: the set of widgets its next compose repaints."""
SCREEN_COMPOSE = "_on_timer_update"
"""`Screen`: composes the dirty widgets and writes them to the terminal, now."""
WIDGET_REPAINT_REQUIRED = "_repaint_required"
"""`Widget`: set by `refresh()`; the relay clears it when it hands the widget to the screen."""
WIDGET_SCROLL_UPDATE = "_scroll_update"
"""`Widget`: fits the scrollbars to a new virtual size (what Textual's own resize path calls after
setting the size without a layout)."""

APP_DRIVER = "_driver"
"""`App`: the driver that talks to the terminal (None before it starts, and in tests)."""
DRIVER_WRITER = "_writer_thread"
"""The Linux driver: the thread its `write` hands every frame to (`WriterThread`)."""
WRITER_FILE = "_file"
"""`WriterThread`: the text file it writes to (the terminal)."""

RELIED_ON: tuple[tuple[type, str], ...] = (
    (App, APP_BATCH_COUNT),
    (Screen, SCREEN_DIRTY_WIDGETS),
    (Screen, SCREEN_COMPOSE),
    (Widget, WIDGET_REPAINT_REQUIRED),
    (Widget, WIDGET_SCROLL_UPDATE),
    (App, APP_DRIVER),
)
"""Each private attribute this module reads, with the Textual class that has it."""


def in_batch(app: App[Any]) -> bool:
    """Whether `app` is inside `batch_update()`. True when it cannot be told: the fast path then
    stands aside."""
    count = getattr(app, APP_BATCH_COUNT, None)
    return not isinstance(count, int) or count > 0


def paint_now(screen: Screen[Any], widgets: Iterable[Widget]) -> bool:
    """Hand those of `widgets` that wait for a repaint to `screen` and compose it at once, as the
    relay would a few loop turns later. False, with nothing done, when this Textual lacks one of
    the attributes: the relay then paints them."""
    dirty = getattr(screen, SCREEN_DIRTY_WIDGETS, None)
    compose = getattr(screen, SCREEN_COMPOSE, None)
    if not isinstance(dirty, set) or not callable(compose):
        return False
    for widget in widgets:
        if getattr(widget, WIDGET_REPAINT_REQUIRED, False) is True and widget.display:
            setattr(widget, WIDGET_REPAINT_REQUIRED, False)
            dirty.add(widget)
    if dirty:
        compose()
    return True


def set_virtual_size_quietly(widget: Widget, size: Size) -> bool:
    """Give `widget` a new virtual size without a layout of its screen.

    `Widget.virtual_size` is a reactive that asks for a layout of the whole screen on every change.
    A scrolling widget whose own place on screen does not depend on its content (the feed: its
    height is a share of the screen) needs only its scrollbars fitted, as Textual does itself when a
    resize gives a widget a new virtual size. The caller keeps this to changes that leave the
    scrollbars shown or hidden as they were. False, with nothing done, when this Textual lacks the
    method: the caller then sets the size the ordinary way.
    """
    update = getattr(widget, WIDGET_SCROLL_UPDATE, None)
    if not callable(update):
        return False
    widget.set_reactive(Widget.virtual_size, size)
    update(size)
    return True


_declined: weakref.WeakSet[Any] = weakref.WeakSet()
"""Writer threads whose output could not be written from the loop (not a terminal)."""


def write_on_the_loop(app: App[Any], previous: LoopOutput | None = None) -> LoopOutput | None:
    """Put a `LoopOutput` in place of the driver's writer thread, when the driver has one (the real
    terminal; not the test driver) and the terminal can be opened again. Call it from the loop,
    each frame: it does nothing while the writer in place is the one it put there, and after the
    driver started over (the console was suspended and brought back), it replaces the new thread
    too, stopping `previous`. The new writer, or None when the driver's writer stays."""
    driver = getattr(app, APP_DRIVER, None)
    writer = getattr(driver, DRIVER_WRITER, None)
    if WriterThread is None or not isinstance(writer, WriterThread) or writer in _declined:
        return None
    file = getattr(writer, WRITER_FILE, None)
    output = None if file is None else LoopOutput.open(file, asyncio.get_running_loop())
    if output is None:
        _declined.add(writer)  # not a terminal: keep it, and do not ask again every frame
        return None
    if previous is not None:
        previous.stop()
    writer.stop()  # what the thread still holds goes out before anything written from now on
    setattr(driver, DRIVER_WRITER, output)
    return output
