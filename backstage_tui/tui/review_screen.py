"""`ReviewScreen`: the messages the auto-moderation rules held, oldest first (the newest
`LISTED_MAX` of them), to approve or deny.

It draws the state's review queue (`state.automod.held`) and decides nothing: its approve and deny
keys run the console's own actions, which act on the message highlighted here, and the list follows
the state (an approval on another path, a new hold) four times a second. Viewer text goes
through `safetext.display` into `Text`, never markup.
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ..safetext import display
from ..state import REVIEW_QUEUE_MAX, ConsoleState, HeldMessage
from .feed_lines import DIM, HELD_MARK, user_label
from .keys import key_hint

REFRESH_S = 0.25
LISTED_MAX = 100
"""The most held messages listed: the newest of them, oldest first. Listing a full queue (500) took
~50 ms each time it changed, four times a second under a spam wave; and when the queue is full its
oldest messages are the next to lapse, so the newest are the ones a moderator can still act on."""
EMPTY = "Nothing is held for review."
RULE_STYLE = Style(color="yellow")


def queue_title(held: int, listed: int, lapsed: int) -> str:
    """The queue's title: how many wait (and how many of them are listed), and how many a full
    queue let go unreviewed."""
    title = f"{HELD_MARK} · {held:,}"
    if listed < held:
        title += f" · the newest {listed:,} listed"
    if lapsed:
        title += f" · {lapsed:,} lapsed unreviewed (it keeps the newest {REVIEW_QUEUE_MAX:,})"
    return title


def held_prompt(held: HeldMessage) -> Text:
    """One held message as the queue lists it: author, rule and what it found, then the text."""
    text = Text()
    text.append(user_label(held.user), Style(bold=True))
    text.append("  ")
    text.append(display(held.rule, 60), RULE_STYLE)
    if held.detail:
        text.append(f" · {display(held.detail, 60)}", DIM)
    text.append("\n")
    text.append(display(held.text))
    return text


class ReviewScreen(ModalScreen[None]):
    """The review queue. `highlighted_id` is the message the approve and deny keys act on."""

    HELP_TITLE = "Review queue"
    DEFAULT_CSS = """
    ReviewScreen {
        align: center middle;
        background: $background 60%;
    }
    ReviewScreen > #review {
        width: 90%;
        max-width: 110;
        height: 80%;
        border: thick $warning;
        background: $surface;
        padding: 0 1;
    }
    ReviewScreen #review-list { height: 1fr; }
    ReviewScreen #review-keys { height: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "approve", "Approve", id="review.approve",
                tooltip="Approve the highlighted message: it enters the feed in its place"),
        Binding("x", "deny", "Deny", id="review.deny",
                tooltip="Deny the highlighted message: it stays out of the feed and counts "
                        "against its author"),
        Binding("escape,R", "close", "Close", id="review.close",
                tooltip="Close the review queue"),
    ]  # fmt: skip

    def __init__(self, state: ConsoleState) -> None:
        super().__init__()
        self.state = state
        self._shown: tuple[str, ...] | None = None
        self._title = ""
        self.list = OptionList(markup=False, id="review-list")

    def compose(self) -> ComposeResult:
        with Vertical(id="review"):
            yield self.list
            yield Static(id="review-keys")

    def on_mount(self) -> None:
        self.refresh_from_state()
        self.list.focus()
        self.set_interval(REFRESH_S, self.refresh_from_state, name="review")
        hints = (("review.approve", "approve"), ("review.deny", "deny"), ("review.close", "close"))
        keys = [(key_hint(self, binding_id), what) for binding_id, what in hints]
        line = "     ".join(f"{hint}: {what}" for hint, what in keys if hint)
        self.query_one("#review-keys", Static).update(Text(line, style="dim"))

    @property
    def held_ids(self) -> tuple[str, ...]:
        """The ids listed now, top to bottom."""
        return self._shown or ()

    @property
    def highlighted_id(self) -> str | None:
        """The id of the message highlighted here, whether or not it still waits (under a flood
        the oldest lapses between two refreshes of the list)."""
        option = self.list.highlighted_option
        return None if option is None else option.id

    def refresh_from_state(self) -> None:
        """List the queue (its newest `LISTED_MAX`) again when it changed, keeping the highlight
        on the same message (or the one that took its place). The title follows the whole queue:
        an older message than those listed can leave it while the list stays as it is."""
        queue = self.state.automod.oldest_first()
        held = queue[-LISTED_MAX:]
        title = queue_title(len(queue), len(held), self.state.automod.lapsed_count)
        if title != self._title:
            self._title = title
            self.query_one("#review").border_title = Content(title)
        ids = tuple(message.target for message in held)
        if ids == self._shown:
            return
        index = self.list.highlighted
        current = self.list.highlighted_option
        self._shown = ids
        if not held:
            self.list.set_options([Option(Text(EMPTY, style=DIM), disabled=True)])
            return
        self.list.set_options([Option(held_prompt(message), id=message.target) for message in held])
        if current is not None and current.id in ids:
            self.list.highlighted = ids.index(current.id)
        else:
            self.list.highlighted = min(index or 0, len(ids) - 1)

    async def action_approve(self) -> None:
        await self.app.run_action("approve")

    async def action_deny(self) -> None:
        await self.app.run_action("deny")

    def action_close(self) -> None:
        self.dismiss(None)
