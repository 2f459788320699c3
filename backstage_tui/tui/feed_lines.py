"""One feed event -> one line of Rich `Text`, and that line as rows of a given width.

Every piece of viewer text (names, comments, gift names) goes through `safetext` here and is placed in
a `Text` as a plain string with a `Style`: nothing a viewer typed is ever parsed as markup, so
``[@click=app.quit]`` is just characters on screen.

The glyphs are listed once (`ROLE_MARKS`, `KIND_ICONS`, `LEGEND`) so the help screen documents exactly
what the feed draws. Icons are padded to two cells: emoji are two cells wide and single-cell symbols
get a space, so the columns stay aligned whatever the event.

A line longer than the feed is wide wraps (`wrap_line`): never cut, its continuation rows indented
under the start of the message itself (after the time, the badge and the name), so the names column
stays readable. `line_segments` turns each row into segments.
"""

from __future__ import annotations

import math
import re
import zlib
from datetime import datetime, tzinfo

from rich.cells import cell_len, chop_cells, set_cell_size
from rich.console import Console
from rich.control import strip_control_codes
from rich.segment import Segment
from rich.style import Style
from rich.text import Span, Text

from ..events import (
    Comment,
    Connection,
    Event,
    Follow,
    Gap,
    Gift,
    Guest,
    Join,
    Like,
    Malformed,
    PlatformModeration,
    PlatformPin,
    PlatformPoll,
    Question,
    Share,
    User,
)
from ..safetext import display, display_name
from ..state.moderation import MARK_HIGHLIGHT, MARK_MODERATOR, MARK_WATCHED

TIME_STYLE = Style(dim=True)
TEXT_STYLE = Style()
DIM = Style(dim=True)
HIDDEN_STYLE = Style(dim=True, italic=True)
QUESTION_BADGE = Style(bold=True, color="black", bgcolor="yellow")
SYSTEM_STYLE = Style(color="yellow", bold=True)
ALERT_STYLE = Style(color="red", bold=True)

PLATFORM_BADGES: dict[str, tuple[str, Style]] = {
    "tiktok": ("TT", Style(bold=True, color="white", bgcolor="#d2124a")),
    "twitch": ("TW", Style(bold=True, color="white", bgcolor="#6e3bd1")),
    "youtube": ("YT", Style(bold=True, color="white", bgcolor="#c4170c")),
    "other": ("··", Style(bold=True, color="white", bgcolor="grey37")),
}
SYSTEM_BADGE = ("▪▪", Style(bold=True, color="black", bgcolor="yellow"))

# (role, glyph, style, meaning): drawn before the name in this order.
ROLE_MARKS: tuple[tuple[str, str, Style, str], ...] = (
    ("host", "♛", Style(color="bright_yellow", bold=True), "host"),
    ("moderator", "★", Style(color="bright_green", bold=True), "moderator"),
    ("top_gifter", "◆", Style(color="bright_magenta"), "top gifter"),
    ("subscriber", "●", Style(color="bright_cyan"), "subscriber"),
)

# kind -> (icon, line style, meaning)
KIND_ICONS: dict[str, tuple[str, Style, str]] = {
    "gift": ("🎁", Style(color="magenta"), "gift (streaks shown once, when they end)"),
    "like": ("♥", Style(color="red", dim=True), "likes"),
    "follow": ("✚", Style(color="green", dim=True), "new follower"),
    "share": ("↗", Style(color="blue", dim=True), "shared the LIVE"),
    "join": ("👋", Style(dim=True), "joined"),
    "connection": ("⏻", SYSTEM_STYLE, "connection change"),
    "gap": ("⚠", ALERT_STYLE, "gap: events may be missing"),
    "malformed": ("⚠", ALERT_STYLE, "a payload the source could not read"),
    "platform_moderation": ("✂", SYSTEM_STYLE, "the platform's moderators removed something"),
}
PIN_MARK = "📌"
HIGHLIGHT_MARK = "✦"
HIGHLIGHT_STYLE = Style(color="bright_yellow", bold=True)
WATCH_MARK = "◎"
WATCH_STYLE = Style(color="bright_red", bold=True)
HIDDEN_MARK = "⊘ hidden by moderator"
HELD_MARK = "⏸ held for review"
LAPSED_MARK = "⏸ not reviewed: the review queue was full"
RULE_HIDDEN_MARK = "⊘ hidden by a rule"
FLAG_MARK = "⚑"
FLAG_STYLE = Style(color="yellow", bold=True)
BAD_CONNECTION = frozenset({"disconnected", "ended", "reconnecting"})

# Name colours: picked from the user id so one viewer keeps one colour for the whole session.
NAME_COLOURS = (
    "#e5a50a", "#62a0ea", "#57e389", "#f66151", "#c061cb",
    "#5bc8af", "#ff7800", "#99c1f1", "#dc8add", "#8ff0a4",
)  # fmt: skip
_name_styles = [Style(color=c, bold=True) for c in NAME_COLOURS]

LEGEND: tuple[tuple[str, str], ...] = (
    *((glyph, meaning) for _, glyph, _, meaning in ROLE_MARKS),
    ("?", "question (Q&A)"),
    (PIN_MARK, "pinned"),
    (HIGHLIGHT_MARK, "highlighted (h)"),
    (WATCH_MARK, "a watched viewer (w)"),
    ("⊘", "hidden by a moderator or an auto-moderation rule (text kept in the log)"),
    (
        HELD_MARK[0],
        "held for review by an auto-moderation rule: out of the feed until approved "
        "(for good if it lapsed from a full review queue)",
    ),
    (FLAG_MARK, "flagged by an auto-moderation rule"),
    *((icon, meaning) for icon, _, meaning in KIND_ICONS.values()),
)


class FeedText(Text):
    """A feed line: a `Text` that knows where the message itself starts (after the time, the badge
    and the name), which is where its continuation rows are indented to."""

    __slots__ = ("body_start", "lead_start")

    def __init__(self, text: str, spans: list[Span], lead_start: int, body_start: int) -> None:
        super().__init__(text, no_wrap=True, end="", spans=spans)
        self.lead_start = lead_start
        """Characters before the viewer's name (after the time and the badge)."""
        self.body_start = body_start
        """Characters before the message itself."""


class LineBuilder:
    """Collects a line's pieces and makes one `Text` at the end, with the same characters and spans
    as appending each piece to a `Text`: `Text.append` costs a few microseconds a call and a feed
    line has a dozen pieces, for every line that comes into view under a flood."""

    __slots__ = ("_body_start", "_lead_start", "_parts", "_pos", "_spans")

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._spans: list[Span] = []
        self._pos = 0
        self._lead_start = 0
        self._body_start = 0

    def mark_lead(self) -> None:
        """What the line is about starts here, after the time and the badge."""
        self._lead_start = self._pos

    def mark_body(self) -> None:
        """The message itself starts here (continuation rows are indented to this point)."""
        self._body_start = self._pos

    def append(self, piece: str, style: Style | None = None) -> None:
        # As `Text.append`: control codes stripped, a span only for a true style.
        if not piece:
            return
        piece = strip_control_codes(piece)
        end = self._pos + len(piece)
        if style:
            self._spans.append(Span(self._pos, end, style))
        self._parts.append(piece)
        self._pos = end

    def text(self) -> FeedText:
        return FeedText("".join(self._parts), self._spans, self._lead_start, self._body_start)


def _icon(text: LineBuilder, icon: str, style: Style) -> None:
    text.append(icon, style)
    if cell_len(icon) < 2:
        text.append(" ")
    text.append(" ")


def _name_style(user: User) -> Style:
    return _name_styles[zlib.crc32(user.id.encode("utf-8", "replace")) % len(_name_styles)]


def user_label(user: User) -> str:
    """The sanitised name to show for `user`."""
    return display_name(user.name or user.handle or user.id)


_last_clock: tuple[int, tzinfo | None, str] = (0, None, "")


def format_clock(ts: float, tz: tzinfo | None) -> str:
    """HH:MM:SS in `tz` (the local zone when None)."""
    global _last_clock
    try:
        second = math.floor(ts)
        # Under a flood hundreds of lines share a second: format it once.
        if _last_clock[0] == second and _last_clock[1] is tz and _last_clock[2]:
            return _last_clock[2]
        shown = datetime.fromtimestamp(second, tz).strftime("%H:%M:%S")
    except (OverflowError, OSError, ValueError):
        # A source can send any float; a bad timestamp must not break a line.
        return "--:--:--"
    _last_clock = (second, tz, shown)
    return shown


def _append_user(text: LineBuilder, user: User, marks: int = 0) -> None:
    if marks & MARK_WATCHED:
        text.append(WATCH_MARK, WATCH_STYLE)
    for role, glyph, style, _ in ROLE_MARKS:
        if role in user.roles or (role == "moderator" and marks & MARK_MODERATOR):
            text.append(glyph, style)
    text.append(user_label(user), _name_style(user))


def event_line(
    event: Event,
    *,
    hidden: bool,
    pinned: bool,
    tz: tzinfo | None,
    marks: int = 0,
    held: bool = False,
    flagged: bool = False,
    by_rule: bool = False,
    lapsed: bool = False,
) -> FeedText:
    """The feed line for `event`, unstyled beyond its own spans (the view adds cursor/background).

    `marks`: `ModerationState.marks` bits (highlighted, watched author, console moderator). A
    `held` message shows only its author and a placeholder until it is approved; a `flagged` one
    has a mark; a message hidden `by_rule` says so, and so does a held message that `lapsed`
    unreviewed from a full review queue."""
    text = LineBuilder()
    text.append(format_clock(event.ts, tz), TIME_STYLE)
    text.append(" ")
    platform = getattr(event, "platform", None)
    label, badge_style = PLATFORM_BADGES.get(platform, SYSTEM_BADGE) if platform else SYSTEM_BADGE
    text.append(label, badge_style)
    text.append(" ")
    text.mark_lead()
    if isinstance(event, Comment | Question):
        _chat(text, event, hidden=hidden, pinned=pinned, marks=marks, held=held,
              flagged=flagged, by_rule=by_rule, lapsed=lapsed)  # fmt: skip
    elif isinstance(event, Gift | Like | Follow | Share | Join):
        _activity(text, event, hidden=hidden, marks=marks)
    else:
        _system(text, event)
    return text.text()


def _chat(
    text: LineBuilder,
    event: Comment | Question,
    *,
    hidden: bool,
    pinned: bool,
    marks: int = 0,
    held: bool = False,
    flagged: bool = False,
    by_rule: bool = False,
    lapsed: bool = False,
) -> None:
    if isinstance(event, Question):
        text.append("?", QUESTION_BADGE)
        text.append(" ")
    if pinned:
        text.append(PIN_MARK)
        text.append(" ")
    if marks & MARK_HIGHLIGHT:
        text.append(HIGHLIGHT_MARK + " ", HIGHLIGHT_STYLE)
    if flagged and not (hidden or held):
        text.append(FLAG_MARK, FLAG_STYLE)
        text.append(" ")
    _append_user(text, event.user, marks)
    if hidden or held:
        text.append("  ")
        text.mark_body()
        text.append(_placeholder(hidden=hidden, by_rule=by_rule, lapsed=lapsed), HIDDEN_STYLE)
        return
    text.append(": ", DIM)
    text.mark_body()
    body_style = TEXT_STYLE + HIGHLIGHT_STYLE if marks & MARK_HIGHLIGHT else TEXT_STYLE
    text.append(display(event.text), body_style)


def _placeholder(*, hidden: bool, by_rule: bool, lapsed: bool) -> str:
    """What stands in a suppressed message's place: why it is not shown."""
    if lapsed:
        return LAPSED_MARK
    if hidden:
        return RULE_HIDDEN_MARK if by_rule else HIDDEN_MARK
    return HELD_MARK


def _activity(
    text: LineBuilder, event: Gift | Like | Follow | Share | Join, *, hidden: bool, marks: int = 0
) -> None:
    icon, style, _ = KIND_ICONS[event.type]
    _icon(text, icon, style)
    _append_user(text, event.user, marks)
    text.mark_body()
    if hidden:
        text.append("  ")
        text.append(HIDDEN_MARK, HIDDEN_STYLE)
        return
    if isinstance(event, Gift):
        name = display(event.gift_name, 40) if event.gift_name else f"gift #{event.gift_id}"
        text.append(" sent ", style)
        text.append(name, style + Style(bold=True))
        if event.repeat_count > 1:
            text.append(f" ×{event.repeat_count:,}", style)
        total = event.diamonds * event.repeat_count
        if total:
            text.append(f" · {total:,} 💎", style)
    elif isinstance(event, Like):
        text.append(f" liked ×{event.count:,}", style)
    elif isinstance(event, Follow):
        text.append(" followed", style)
    elif isinstance(event, Share):
        text.append(" shared the LIVE", style)
    else:
        text.append(" joined", style)


def _detail(text: LineBuilder, detail: str) -> None:
    """A system line's untrusted detail (a source's words), dim, after a separator."""
    if detail:
        text.append(" · ", DIM)
        text.append(display(detail, 200), DIM)


def _system(text: LineBuilder, event: Event) -> None:
    icon, style, _ = KIND_ICONS.get(event.type, ("·", SYSTEM_STYLE, ""))
    if isinstance(event, Connection) and event.status in BAD_CONNECTION:
        style = ALERT_STYLE
    _icon(text, icon, style)
    text.mark_body()
    if isinstance(event, Connection):
        text.append(f"connection {event.status}", style)
        _detail(text, event.detail)
    elif isinstance(event, Gap):
        text.append(f"gap: events may be missing for {event.until - event.since:,.0f}s", style)
        _detail(text, event.reason)
    elif isinstance(event, Malformed):
        text.append("malformed payload", style)
        _detail(text, event.error)
    elif isinstance(event, PlatformModeration):
        _platform_moderation(text, event, style)
    elif isinstance(event, Guest | PlatformPin | PlatformPoll):
        _platform_room(text, event, style)
    else:
        text.append(event.type, style)


def _platform_room(
    text: LineBuilder, event: Guest | PlatformPin | PlatformPoll, style: Style
) -> None:
    """What the host did in the platform's own app: a guest on screen, a pin, a poll."""
    if isinstance(event, Guest):
        verb = "joined the host on screen" if event.action == "join" else "left the screen"
        text.append(f"guest {user_label(event.user)} {verb}", style)
    elif isinstance(event, PlatformPin):
        who = f" {user_label(event.user)}" if event.user is not None else ""
        text.append(f"{'pinned' if event.pinned else 'unpinned'} in the app:{who}", style)
        _detail(text, event.text)
    else:
        votes = " · ".join(f"{o.text} {o.votes:,}" for o in event.options)
        text.append(f"poll {event.status}", style)
        _detail(text, f"{event.title} — {votes}" if event.title else votes)


def _platform_moderation(text: LineBuilder, event: PlatformModeration, style: Style) -> None:
    who = user_label(event.user) if event.user is not None else ""
    if event.action == "clear":
        text.append("chat cleared by the platform's moderators", style)
    elif event.action == "delete":
        text.append("message deleted", style)
        if who:
            text.append(f" ({who})", style)
        _detail(text, event.text)
    elif event.action == "timeout":
        text.append(f"{who or 'a viewer'} timed out for {event.duration_s:,}s", style)
    else:
        text.append(f"{who or 'a viewer'} banned", style)


MIN_BODY_CELLS = 20
"""Continuation rows sit under the message's start only when that leaves it this many cells; else
(a narrow feed, a long name) the whole line wraps, its continuation rows under the name."""

_WORD = re.compile(r"\s*\S+\s*")


def break_offsets(text: str, width: int, first: int | None = None) -> list[int]:
    """Where to break `text` into rows of at most `width` cells (the first row `first` cells): at
    word boundaries, a word longer than a row folded across rows. With one width these are the
    breaks of Rich's `Text.wrap` with ``overflow="fold"``: a word keeps the spaces after it, so a
    row may end in spaces past its width, which the caller trims."""
    breaks: list[int] = []
    room = width if first is None else first
    used = 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group()
        length = cell_len(word.rstrip())
        if room - used >= length:
            used += cell_len(word)
            continue
        if start and used:  # it starts a new row
            breaks.append(start)
            room, used = width, 0
        if length <= room:
            used = cell_len(word)
            continue
        # Longer than a whole row: fold it, the first piece filling the row it starts.
        rest = word
        while True:
            piece = chop_cells(rest, room)[0] or rest[0]
            rest = rest[len(piece) :]
            if not rest:
                used = cell_len(piece)
                break
            start += len(piece)
            breaks.append(start)
            room = width
    return breaks


def wrap_line(text: Text, width: int, body_start: int = 0, lead_start: int = 0) -> list[Text]:
    """The rows of `text` on a feed `width` cells wide: the line itself when it fits, else wrapped
    at word boundaries, never cut. The message (from character `body_start`) wraps with every
    continuation row under its start; when that leaves it too little room, the whole line wraps
    with its continuation rows under character `lead_start` (the name), or the left edge."""
    plain = text.plain
    if cell_len(plain) <= width or width < 2:
        return [text]
    indent = cell_len(plain[:body_start])
    first = width - indent
    if first < MIN_BODY_CELLS:
        body_start, first = 0, width
        indent = cell_len(plain[:lead_start])
        if width - indent < MIN_BODY_CELLS:
            indent = 0
    room = width - indent
    offsets = [body_start + offset for offset in break_offsets(plain[body_start:], room, first)]
    rows = list(text.divide(offsets)) if offsets else [text.copy()]
    for number, row in enumerate(rows):
        if cell_len(row.plain) > (room if number else width):
            row.rstrip()  # the spaces a row ends in at a break, past its width
        if number:
            row.pad_left(indent)
        row.no_wrap = True
        row.end = ""
    return rows


def line_segments(text: Text, width: int, base: Style, console: Console) -> list[Segment]:
    """The segments of `text` on a line `width` cells wide, over `base`: exactly what
    ``text.style = base; text.truncate(width, overflow="ellipsis", pad=True)`` and then
    ``text.render(console)`` give, at a fraction of the cost.

    Under a flood every feed line on screen is new in every frame, and Rich's general renderer (a
    sorted event list and a style stack, for spans that may nest) was most of the feed's own share
    of a frame. Lines built by `event_line` have what it does not need: spans in order, never
    overlapping, each with a `Style`. Anything else goes through Rich's own path.
    """
    ranges: list[tuple[int, int, Style]] = []
    pos = 0
    for span in text.spans:
        style = span.style
        if span.start < pos or span.end < span.start or not isinstance(style, Style):
            return _rich_segments(text, width, base, console)
        ranges.append((span.start, span.end, style))
        pos = span.end
    plain = text.plain
    length = cell_len(plain)
    if length > width:
        # As `Text.truncate`: cut to width - 1 cells and add an ellipsis; the plain-text setter
        # strips control codes, and the spans are trimmed to the new end.
        plain = strip_control_codes(set_cell_size(plain, width - 1) + "…")
        cut = len(plain)
        ranges = [(start, min(end, cut), style) for start, end, style in ranges if start < cut]
    elif length < width:
        plain += " " * (width - length)
    if not ranges:
        return [Segment(plain)]  # as Rich: a text without spans renders without a style
    segments: list[Segment] = []
    pos = 0
    for start, end, style in ranges:
        if start > pos:
            segments.append(Segment(plain[pos:start], base))
        if end > start:
            segments.append(Segment(plain[start:end], base + style))
        pos = end
    if pos < len(plain):
        segments.append(Segment(plain[pos:], base))
    return segments


def _rich_segments(text: Text, width: int, base: Style, console: Console) -> list[Segment]:
    text = text.copy()
    text.style = base
    text.truncate(width, overflow="ellipsis", pad=True)
    return list(text.render(console))
