"""The polls reducer: polls the console runs in chat, counted from comments, and the platform's own.

A viewer votes by typing an option's number (``2``), ``!vote 2``, or the option's text, compared on
the form the moderation rules use (`matching.fold`, once punctuation and emoji around the text are
dropped), so ``CHIPS!!`` counts for ``chips``. One ballot per viewer: a later vote for another option
moves it, unless the poll counts first votes only (then the first counted vote stands).

A ballot counts while its message shows in the feed: not hidden (by a moderator or a rule), not
held for review (it counts once approved) nor denied, its author neither muted nor blocked. A hide,
mute, block, approval or denial, or the undo of one, takes the ballots it touches back or counts
them again, while the poll is open. A vote from a muted viewer stays out once the mute ends; their
next vote counts.

Time runs on the session clock (the newest timestamp of the source's events, as for mutes), so a
poll with a duration closes at the same event live and in any replay: an event at or past its end
closes it before it is counted. A closed poll keeps its counts and drops its ballots (memory).

Cost: nearly every event is one set lookup; with a poll open, a comment longer than any vote can
be is one length test, and a short one a fold and a dict lookup.
"""

from __future__ import annotations

import string
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..events import (
    ACTION_TYPES,
    Comment,
    Event,
    PlatformPoll,
    PollClose,
    PollStart,
    Undo,
)
from ..matching import fold

if TYPE_CHECKING:
    from .console import ConsoleState

MAX_POLLS = 50
"""Polls a session keeps (the oldest leave first); the log keeps every one."""
VOTE_COMMAND = "!vote"
VOTE_SLACK = len(VOTE_COMMAND) + 12
"""How much longer than the longest option a vote may be (``!vote``, spaces, ``!!``, an emoji)."""
TIME_REASON = "time"
"""The reason of a `PollClose` the console records when a poll's time ran out in a quiet chat."""
POLL_TYPES = frozenset({"poll_start", "poll_close", "platform_poll"})
"""What the reducer folds with no poll counting."""
USER_ACTIONS = frozenset({"hide", "unhide", "mute", "block", "approve", "deny", "undo"})
"""Actions that may change whether a ballot counts."""
MEMO_SIZE = 20_000
"""Texts a poll remembers reading (a chat repeats itself: ``1``, ``lol``, ``CHIPS!!``); past that
it starts again."""
_ASCII_EDGES = string.whitespace + string.punctuation


def _trim(text: str) -> str:
    """`text` without what surrounds a vote: spaces, punctuation, emoji (``"chips!! 🍟"``)."""
    if text.isascii():
        return text.strip(_ASCII_EDGES)
    start, end = 0, len(text)
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return text[start:end]


def vote_key(text: str) -> str:
    """The form an option and a vote are compared on: ``vote_key("CHIPS!!") == "chips"``; empty
    for an option with no letter or digit (it can be voted for by its number only)."""
    return fold(_trim(text))


def number_vote(text: str) -> int | None:
    """An option's number typed as a vote (``2``, ``２``, `` 2! ``), counted from 1; else None."""
    core = _trim(text)
    if not core.isascii():
        core = unicodedata.normalize("NFKC", core)
    if core.isascii() and core.isdigit() and len(core) <= 2:
        return int(core)
    return None


@dataclass(slots=True)
class Ballot:
    """A viewer's current vote."""

    option: int
    message: str
    """The comment it came in: whether it counts follows that message (hidden, held, ...)."""
    counted: bool


@dataclass
class Poll:
    """One poll, the console's or the platform's; what the Poll pane and the summary read."""

    poll_id: str
    question: str
    options: tuple[str, ...]
    counts: list[int]
    """Counted votes per option, in the options' order."""
    started_at: float
    """On the session clock."""
    ends_at: float | None = None
    """When it closes by itself, on the session clock; None: when closed."""
    first_vote_only: bool = False
    platform: str = ""
    """The platform running it (``tiktok``) for a platform's own poll; empty for the console's."""
    closed: bool = False
    closed_at: float | None = None
    closed_by: str = ""
    """Who closed it: the operator, ``time`` (its duration passed), ``a new poll`` or the
    platform."""
    ballots: dict[str, Ballot] = field(default_factory=dict, repr=False)
    """Per user id, while open (a platform's poll has none: it sends its counts)."""
    _keys: dict[str, int] = field(default_factory=dict, repr=False)
    _longest: int = 0
    _memo: dict[str, int] = field(default_factory=dict, repr=False)
    """Texts already read, to the option they vote for (-1: not a vote)."""

    def __post_init__(self) -> None:
        for index, option in enumerate(self.options):
            key = vote_key(option)
            if key:
                self._keys.setdefault(key, index)
        self._longest = max((len(o) for o in self.options), default=0) + VOTE_SLACK

    @property
    def is_platform(self) -> bool:
        return bool(self.platform)

    @property
    def voters(self) -> int:
        """Viewers whose vote counts (a platform's poll: the votes it reports)."""
        return sum(self.counts)

    def percentages(self) -> list[float]:
        """Each option's share of the counted votes, 0 to 100 (all 0 before the first vote)."""
        total = self.voters
        return [100.0 * c / total if total else 0.0 for c in self.counts]

    def leaders(self) -> list[int]:
        """The options with the most votes (several on a tie; none before the first vote)."""
        top = max(self.counts, default=0)
        return [i for i, c in enumerate(self.counts) if c == top] if top else []

    def time_left(self, now: float) -> float | None:
        """Seconds until it closes by itself at session time `now`; None: no duration or closed."""
        if self.closed or self.ends_at is None:
            return None
        return max(0.0, self.ends_at - now)

    def vote_for(self, text: str) -> int | None:
        """The option (from 0) that `text` votes for, or None when it is not a vote."""
        if len(text) > self._longest:
            return None  # the flood's long comments: one test
        memo = self._memo
        found = memo.get(text)
        if found is None:
            found = self._read(text)
            if len(memo) >= MEMO_SIZE:
                memo.clear()
            memo[text] = found
        return found if found >= 0 else None

    def _read(self, text: str) -> int:
        """`vote_for` worked out: the option, or -1."""
        body = text.strip()
        if body[: len(VOTE_COMMAND)].lower() == VOTE_COMMAND:
            body = body[len(VOTE_COMMAND) :]
            if body[:1].isalpha():
                return -1  # "!voters", not a vote
        number = number_vote(body)
        if number is not None:
            return number - 1 if 1 <= number <= len(self.options) else -1
        key = vote_key(body)
        return self._keys.get(key, -1) if key else -1

    def _close(self, at: float, by: str) -> None:
        self.closed, self.closed_at, self.closed_by = True, at, by
        self.ballots, self._memo = {}, {}


@dataclass(frozen=True)
class PollResult:
    """A poll's outcome, for a summary or a report."""

    poll_id: str
    question: str
    options: tuple[str, ...]
    counts: tuple[int, ...]
    voters: int
    closed: bool
    platform: str
    """Empty for the console's own poll; else the platform that ran it."""
    started_at: float
    closed_at: float | None


@dataclass
class PollsState:
    polls: list[Poll] = field(default_factory=list)
    """Oldest first, at most `MAX_POLLS`."""
    open_poll: Poll | None = None
    """The console's poll that counts votes now (at most one)."""
    _next_end: float | None = None
    _by_message: dict[str, str] = field(default_factory=dict, repr=False)
    """The open poll's ballots' message ids, to their user id."""

    # -- reading --

    def newest(self) -> Poll | None:
        return self.polls[-1] if self.polls else None

    def by_id(self, poll_id: str) -> Poll | None:
        return next((p for p in reversed(self.polls) if p.poll_id == poll_id), None)

    def results(self) -> list[PollResult]:
        """Every poll of the session kept, oldest first: what the end-of-live summary lists."""
        return [
            PollResult(p.poll_id, p.question, p.options, tuple(p.counts), p.voters, p.closed,
                       p.platform, p.started_at, p.closed_at)
            for p in self.polls
        ]  # fmt: skip

    def snapshot(self) -> list[dict[str, Any]]:
        """The polls as plain comparable values (replay tests compare these)."""
        return [
            {
                "poll_id": p.poll_id, "question": p.question, "options": p.options,
                "counts": list(p.counts), "closed": p.closed, "closed_at": p.closed_at,
                "closed_by": p.closed_by, "platform": p.platform, "started_at": p.started_at,
                "ends_at": p.ends_at,
                "ballots": {u: (b.option, b.message, b.counted) for u, b in p.ballots.items()},
            }
            for p in self.polls
        ]  # fmt: skip

    # -- folding --

    def apply(self, event: Event, state: ConsoleState) -> str | None:
        """Fold one event (after the moderation and automod reducers did); for a poll action,
        what it did ("done", or why nothing changed)."""
        kind = event.type
        if self.open_poll is None and kind not in POLL_TYPES:
            return None  # nearly every event of a session: no poll is counting
        if kind not in ACTION_TYPES:
            if self._next_end is not None and event.ts >= self._next_end:
                self._close_open("time", self._next_end)
            if kind == "comment":
                if self.open_poll is not None:
                    self._vote(event, state)  # type: ignore[arg-type]
            elif kind == "platform_poll":
                self._platform(event, state)  # type: ignore[arg-type]
            return None
        if kind in USER_ACTIONS:
            if self._by_message:
                self._recheck(event, state)
            return None
        if isinstance(event, PollStart):
            return self._start(event, state)
        if isinstance(event, PollClose):
            poll = self.by_id(event.poll_id)
            if poll is None or poll.is_platform:
                return "no such poll"
            if poll.closed:
                return "already closed"
            if event.reason == TIME_REASON and poll.ends_at is not None:
                # Its time ran out in a quiet chat: closed at its end, as an event would have.
                self._close_open("time", poll.ends_at)
            else:
                self._close_open(event.by, _now(event, state))
            return "done"
        return None

    def _start(self, event: PollStart, state: ConsoleState) -> str:
        if self.by_id(event.poll_id) is not None:
            return "already started"
        now = _now(event, state)
        replaced = self.open_poll is not None
        if replaced:
            self._close_open("a new poll", now)
        poll = Poll(
            poll_id=event.poll_id, question=event.question, options=event.options,
            counts=[0] * len(event.options), started_at=now,
            ends_at=None if event.duration_s is None else now + event.duration_s,
            first_vote_only=event.first_vote_only,
        )  # fmt: skip
        self._add(poll)
        self.open_poll = poll
        self._next_end = poll.ends_at
        return "done: the previous poll is closed" if replaced else "done"

    def _add(self, poll: Poll) -> None:
        self.polls.append(poll)
        if len(self.polls) > MAX_POLLS:
            # The oldest closed one leaves (the open one always stays).
            oldest = next(p for p in self.polls if p is not self.open_poll)
            self.polls.remove(oldest)

    def _close_open(self, by: str, at: float) -> None:
        poll = self.open_poll
        if poll is None:
            return
        poll._close(at, by)
        self.open_poll = None
        self._next_end = None
        self._by_message = {}

    def _vote(self, comment: Comment, state: ConsoleState) -> None:
        poll = self.open_poll
        assert poll is not None
        option = poll.vote_for(comment.text)
        if option is None:
            return
        user_id = comment.user.id
        ballot = poll.ballots.get(user_id)
        counted = _counts(comment.id, user_id, state)
        if ballot is not None:
            if ballot.counted and (poll.first_vote_only or ballot.option == option):
                return  # the first vote stands, or the same vote again
            if ballot.counted:
                poll.counts[ballot.option] -= 1
            self._by_message.pop(ballot.message, None)
        poll.ballots[user_id] = Ballot(option, comment.id, counted)
        self._by_message[comment.id] = user_id
        if counted:
            poll.counts[option] += 1

    def _recheck(self, action: Any, state: ConsoleState) -> None:
        """Count again the ballots an action may have changed: the message it acted on, the
        user it acted on, and for an undo those of the action undone."""
        poll = self.open_poll
        if poll is None:
            return
        users: set[str] = set()
        targets = [getattr(action, "target", "")]
        acted_on = getattr(action, "user", None)
        if acted_on is not None:
            users.add(acted_on.id)
        if isinstance(action, Undo):
            undone = state.moderation.entry(action.action)
            if undone is not None:  # a hide, mute, block, approval or denial taken back
                targets.append(undone.target)
                if undone.user is not None:
                    users.add(undone.user.id)
        for target in targets:
            user_id = self._by_message.get(target) if target else None
            if user_id is not None:
                users.add(user_id)
        for user_id in users:
            ballot = poll.ballots.get(user_id)
            if ballot is None:
                continue
            counted = _counts(ballot.message, user_id, state)
            if counted != ballot.counted:
                ballot.counted = counted
                poll.counts[ballot.option] += 1 if counted else -1

    def _platform(self, event: PlatformPoll, state: ConsoleState) -> None:
        poll_id = f"{event.platform}:{event.poll_id}"
        poll = self.by_id(poll_id)
        now = _now(event, state)
        if poll is None:
            poll = Poll(
                poll_id=poll_id, question=event.title, options=tuple(o.text for o in event.options),
                counts=[o.votes for o in event.options], started_at=now, platform=event.platform,
            )  # fmt: skip
            self._add(poll)
        elif event.options:
            poll.options = tuple(o.text for o in event.options)
            poll.counts = [o.votes for o in event.options]
        if event.title:
            poll.question = event.title
        if event.status == "end" and not poll.closed:
            poll._close(now, event.platform)


def _now(event: Event, state: ConsoleState) -> float:
    """The session clock (the stats reducer's: the newest time of the source's events), or the
    event's own time before the first of them."""
    clock = state.stats.last_ts
    return clock if clock is not None else event.ts


def _counts(message: str, user_id: str, state: ConsoleState) -> bool:
    """Whether a ballot from `message` by `user_id` counts now (see the module's docstring)."""
    moderation = state.moderation
    if user_id in moderation.blocked or user_id in moderation.muted:
        return False
    return not (state.hidden_from_feed(message) or state.automod.is_held(message))
