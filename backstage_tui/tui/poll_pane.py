"""`PollPane`: the poll on view (the newest, or one paged back to), as bars with counts and shares.

It draws `PollsState`; it decides nothing. Options and questions go through `safetext` (a platform's
poll carries text anyone may have written), and everything is built as a Rich `Text`.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from ..safetext import display
from ..state.polls import Poll, PollsState
from .feed_lines import DIM
from .panes import TextPane

NO_POLL = "No poll running"
BAR_FULL, BAR_EMPTY = "█", "░"
MIN_BAR = 4
NUMBERS = 10
"""Room for a count and its share: `` 1234 100%``."""
DEFAULT_WIDTH = 30
"""The width drawn for before the pane has one (it is drawn again once laid out)."""
QUESTION = Style(bold=True)
LEADER = Style(color="green", bold=True)
PLATFORM = Style(color="magenta", bold=True)
OPEN = Style(color="green")
PLATFORM_NAMES = {"tiktok": "TikTok", "twitch": "Twitch", "youtube": "YouTube"}


def time_label(seconds: float) -> str:
    """``1:05`` for 65 s, ``1:00:00`` for an hour."""
    whole = int(seconds + 0.999)  # a countdown shows 0:00 only once it is over
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def short_count(count: int) -> str:
    """A count in four characters at most: ``987``, ``9999``, ``12k``, ``3.4M``."""
    if count < 10_000:
        return str(count)
    if count < 999_500:
        return f"{count / 1000:.0f}k"
    return f"{count / 1_000_000:.1f}M"


def poll_text(
    poll: Poll | None, now: float, width: int = DEFAULT_WIDTH, *, page: tuple[int, int] = (1, 1),
    page_keys: str = "",
) -> Text:  # fmt: skip
    """The pane's text for `poll` at session time `now`, `width` cells wide; `page` is which poll
    of how many, and `page_keys` the keys that page (shown when there are several)."""
    if poll is None:
        return Text(NO_POLL, style=DIM)
    text = Text()
    if poll.is_platform:
        name = PLATFORM_NAMES.get(poll.platform, poll.platform)
        text.append(f"{display(name, 20)}'s poll ", PLATFORM)
    text.append(display(poll.question, 200) or "(no question)", QUESTION)
    shares = poll.percentages()
    leaders = set(poll.leaders())
    labels = [display(option, 80) for option in poll.options]
    label_width = min(max((cell_len(o) for o in labels), default=1), max(6, width // 3))
    bar_width = max(MIN_BAR, width - 2 - label_width - 1 - NUMBERS)
    for index, (option, count, share) in enumerate(zip(labels, poll.counts, shares, strict=True)):
        text.append("\n")
        style = LEADER if index in leaders and poll.closed else Style()
        text.append(f"{index + 1} ", DIM)
        label = Text(option, style=style)
        label.truncate(label_width, overflow="ellipsis", pad=True)
        text.append_text(label)
        filled = round(bar_width * share / 100)
        text.append(" " + BAR_FULL * filled, LEADER if index in leaders else Style(color="cyan"))
        text.append(BAR_EMPTY * (bar_width - filled), DIM)
        text.append(f" {short_count(count):>4}{share:>4.0f}%", style)
    text.append("\n")
    noun = "votes" if poll.is_platform else "voters"
    text.append(f"{poll.voters:,} {noun}")
    left = poll.time_left(now)
    if poll.closed:
        tie = " · a tie" if len(leaders) > 1 else ""
        text.append(f" · closed{tie}", DIM)
    elif left is not None:
        text.append(f" · {time_label(left)} left", OPEN)
    else:
        text.append(" · open", OPEN)
    number, total = page
    if total > 1:
        text.append(f"\npoll {number} of {total}" + (f" · {page_keys}" if page_keys else ""), DIM)
    return text


class PollPane(TextPane):
    """The newest poll, or the one paged to with `page` (``[`` / ``]``)."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.index: int | None = None
        """Which poll is on view (into `PollsState.polls`); None: the newest, following new ones."""
        self.page_keys = ""
        """The keys that page, as the footer writes them (the app sets it)."""

    def on_mount(self) -> None:
        self.show(Text(NO_POLL, style=DIM))

    def shown_poll(self, polls: PollsState) -> Poll | None:
        if not polls.polls:
            return None
        if self.index is None or self.index >= len(polls.polls):
            return polls.polls[-1]
        return polls.polls[self.index]

    def page(self, polls: PollsState, step: int) -> bool:
        """Page `step` polls back (negative) or forward; whether the poll on view changed."""
        count = len(polls.polls)
        if not count:
            return False
        current = count - 1 if self.index is None else min(self.index, count - 1)
        wanted = max(0, min(count - 1, current + step))
        if wanted == current:
            return False
        self.index = None if wanted == count - 1 else wanted
        return True

    def refresh_from(self, polls: PollsState, now: float) -> None:
        poll = self.shown_poll(polls)
        count = len(polls.polls)
        number = count if self.index is None or self.index >= count else self.index + 1
        width = self.content_region.width or DEFAULT_WIDTH
        self.show(poll_text(poll, now, width, page=(number, count), page_keys=self.page_keys))
