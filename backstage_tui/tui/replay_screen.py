"""The console in replay mode: the same panes, a position bar, and a video's keys.

`ReplayScreen` is the app's first screen when its source is a `ReplaySource`: its bindings (pause,
speed, step, seek, next / previous action) exist on that screen only, so in a live session `space`
still freezes the feed. They are priority bindings: the feed, which has the focus, binds `space` and
the arrows for itself. A dialog on top has its own keys, since the replay screen is then not the
screen in front.

`ReplayBar` is the line above the footer: playing or paused, the speed, the session's time and the
event number, and a bar of how far in the replay is.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from ..safetext import display
from ..sources.replay import (
    SEEK_LONG_S,
    SEEK_SHORT_S,
    SPEEDS,
    ReplayPosition,
    ReplaySource,
    speed_label,
)

BAR_INTERVAL_S = 0.1
SPEED_LIST = ", ".join(speed_label(speed) for speed in SPEEDS)


def clock(seconds: float) -> str:
    """``m:ss``, or ``h:mm:ss`` from an hour up."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def bar_text(where: ReplayPosition, width: int) -> Text:
    """The position bar's line for `where`, `width` cells wide."""
    if where.at_end:
        mode = "■ end"
    elif where.paused:
        mode = "⏸ paused"
    else:
        mode = "▶ playing"
    parts = [mode, speed_label(where.speed)]
    if where.duration is not None:
        parts.append(f"{clock(where.elapsed)} / {clock(where.duration)}")
    else:
        parts.append(clock(where.elapsed))
    if where.total is not None:
        parts.append(f"event {where.position:,} / {where.total:,}")
    else:
        parts.append(f"event {where.position:,}")
    if where.error is not None:
        parts.append(f"no seeking: {display(where.error, 200)}")
    elif where.indexing is not None:
        parts.append(f"indexing {where.indexing:.0%}")
    elif where.seeking:
        parts.append("seeking…")
    label = " · ".join(parts)
    text = Text(label, style="bold")
    room = width - len(label) - 2
    if room >= 10 and where.total:
        done = round(room * min(1.0, where.position / where.total))
        text.append("  ")
        text.append("━" * done, style="bright_cyan")
        text.append("─" * (room - done), style="dim")
    return text


class ReplayBar(Static):
    """Where the replay is: redrawn a few times a second from the source's `where`."""

    DEFAULT_CSS = """
    ReplayBar {
        height: 1;
        padding: 0 1;
        background: $panel;
    }
    """

    def __init__(self, source: ReplaySource, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.source = source
        self._shown: tuple[ReplayPosition, int] | None = None

    def on_mount(self) -> None:
        self.refresh_position()
        self.set_interval(BAR_INTERVAL_S, self.refresh_position, name="replay bar")

    def refresh_position(self) -> None:
        where, width = self.source.where(), self.content_region.width
        if (where, width) != self._shown:
            self._shown = (where, width)
            self.update(bar_text(where, width))


class ReplayScreen(Screen[None]):
    """The app's first screen in replay mode; its keys drive the replay (see the module)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_pause", "Pause", id="replay.pause", priority=True,
                tooltip="Pause the replay, or play on"),
        Binding("plus", "faster", "Faster", show=False, key_display="+", id="replay.faster",
                priority=True, tooltip=f"Play faster ({SPEED_LIST})"),
        Binding("minus", "slower", "Slower", show=False, key_display="-", id="replay.slower",
                priority=True, tooltip=f"Play slower ({SPEED_LIST})"),
        Binding("full_stop", "step", "Step", show=False, key_display=".", id="replay.step",
                priority=True, tooltip="Pause, and play one event"),
        Binding("left", "back", f"Back {SEEK_SHORT_S:g} s", show=False, id="replay.back", priority=True,
                tooltip=f"Go back {SEEK_SHORT_S:g} seconds"),
        Binding("right", "forward", f"Forward {SEEK_SHORT_S:g} s", show=False, id="replay.forward", priority=True,
                tooltip=f"Go forward {SEEK_SHORT_S:g} seconds"),
        Binding("shift+left,left_curly_bracket", "back_long", f"Back {SEEK_LONG_S / 60:g} min", show=False,
                id="replay.back_long", priority=True,
                tooltip=f"Go back {SEEK_LONG_S / 60:g} minute"),
        Binding("shift+right,right_curly_bracket", "forward_long", f"Forward {SEEK_LONG_S / 60:g} min", show=False,
                id="replay.forward_long", priority=True,
                tooltip=f"Go forward {SEEK_LONG_S / 60:g} minute"),
        Binding("greater_than_sign", "next_action", "Next action", show=False, key_display=">",
                id="replay.next_action", priority=True,
                tooltip="Go to the next moderation action (pins, hides, mutes, the rules' "
                        "decisions...)"),
        Binding("less_than_sign", "previous_action", "Prev action", show=False, key_display="<",
                id="replay.previous_action", priority=True,
                tooltip="Go back to the previous moderation action"),
    ]  # fmt: skip
    HELP_TITLE = "Replay"

    @property
    def replay(self) -> ReplaySource | None:
        """The app's replay source (None for a screen opened on another app)."""
        source = getattr(getattr(self.app, "runtime", None), "source", None)
        return source if isinstance(source, ReplaySource) else None

    def _say(self, text: str) -> None:
        self.app.notify(display(text, 200), markup=False, timeout=3)

    def action_toggle_pause(self) -> None:
        if (replay := self.replay) is not None:
            replay.toggle_pause()

    def action_faster(self) -> None:
        if (replay := self.replay) is not None:
            self._say(f"speed {speed_label(replay.faster())}")

    def action_slower(self) -> None:
        if (replay := self.replay) is not None:
            self._say(f"speed {speed_label(replay.slower())}")

    def action_step(self) -> None:
        if (replay := self.replay) is not None:
            replay.step()

    def action_back(self) -> None:
        if (replay := self.replay) is not None:
            replay.seek_by(-SEEK_SHORT_S)

    def action_forward(self) -> None:
        if (replay := self.replay) is not None:
            replay.seek_by(SEEK_SHORT_S)

    def action_back_long(self) -> None:
        if (replay := self.replay) is not None:
            replay.seek_by(-SEEK_LONG_S)

    def action_forward_long(self) -> None:
        if (replay := self.replay) is not None:
            replay.seek_by(SEEK_LONG_S)

    async def action_next_action(self) -> None:
        await self._to_action(forward=True)

    async def action_previous_action(self) -> None:
        await self._to_action(forward=False)

    async def _to_action(self, *, forward: bool) -> None:
        replay = self.replay
        if replay is None:
            return
        index = replay.index
        if index is not None and not replay.where().seeking:
            found = (
                index.next_action(replay.position)
                if forward
                else index.previous_action(replay.position)
            )
            if found is None:
                self._say("no moderation action after this point" if forward
                          else "no moderation action before this point")  # fmt: skip
                return
        if forward:
            replay.next_action()
        else:
            replay.previous_action()
