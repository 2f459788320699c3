"""`DemoSource`: a simulated TikTok LIVE, the console's default source.

The simulation (`DemoStream`) is a plain seeded iterator with its own clock: event *n* happens at
``start + (n - 1) / rate`` whatever the wall clock says, and every choice comes from one
`random.Random(seed)`. So the same seed, limit and start give the same events, ids included, on any
machine and under any hash seed; only the pacing in `DemoSource.events` looks at real time.

What it produces, roughly: 45% comments, 20% likes, 10% joins, 5% gifts (streaks of cheap gifts that
interleave with everything else, rare big single gifts), 4% follows, 3% questions, 2% shares, and
the rest viewer counts (every ~2 s of simulated time), spam bursts, insults, link spam and text made
to break terminals; now and then a regular joins the host on screen as a guest for a few minutes.
The words live in `demo_script`.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import random
import time
from bisect import bisect
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pydantic import Field

from ..events import (
    ActionEvent,
    Comment,
    Connection,
    Event,
    Follow,
    Gift,
    Guest,
    Join,
    Like,
    PollClose,
    PollStart,
    Question,
    Role,
    Share,
    User,
    Viewers,
)
from . import demo_script as script
from .base import Source
from .demo_polls import DemoPoll
from .options import SourceOptions

CAST_SIZE = 200
VIEWERS_EVERY_S = 2.0
VIEWERS_GROWTH = 0.004
"""Mean log-growth of the viewer count per update: about x10 in twenty minutes."""
MAX_STREAKS = 3
"""Streaks running at once; more would make every gift a continuation."""
GUEST_FIRST_S = (20.0, 60.0)
"""When the first guest joins the host on screen (multi-guest), in seconds of the stream."""
GUEST_EVERY_S = (60.0, 180.0)
"""Between one guest joining and the next."""
GUEST_STAY_S = (45.0, 300.0)
"""How long a guest stays on."""
MAX_GUESTS_ON = 2
SPAM_CONTINUE = 0.6
"""While a burst runs, the chance that the next event is part of it (so it comes "fast")."""

# Pacing: at high rates, wake up at most every MIN_SLEEP_S and emit everything due, instead of one
# sleep per event (the loop's timer resolution is ~1 ms, so 20000/s cannot be one sleep each).
MIN_SLEEP_S = 0.005
MAX_BATCH = 2000
"""Events emitted per wake-up at most, so a slow consumer still lets the loop breathe."""
MAX_BEHIND_S = 1.0
"""When the consumer falls further behind than this, forget the debt instead of bursting later."""

# Relative weights of what happens on an ordinary step (viewer counts and running bursts are decided
# before this draw). A spam burst starts rarely but then runs ~20 comments, and abuse and bursts are
# comments too, hence the lower weight for ordinary comments: all comments together come to ~47%.
MIX: tuple[tuple[str, float], ...] = (
    ("comment", 40.0),
    ("like", 20.0),
    ("join", 10.0),
    ("gift", 5.0),
    ("follow", 4.0),
    ("share", 2.0),
    ("question", 3.0),
    ("abuse", 2.0),
    ("spam", 0.12),
)


@dataclass
class _Streak:
    id: str
    user: User
    gift: script.GiftKind
    length: int
    sent: int = 0


@dataclass
class _Burst:
    users: list[User]
    text: str
    left: int


class _Picker:
    """Weighted choice by bisect over precomputed cumulative weights: `random.choices` recomputes
    them per call, which is measurable at 20000 events a second."""

    def __init__(self, rng: random.Random, weights: Sequence[float]) -> None:
        self._rng = rng
        self._cum = list(itertools.accumulate(weights))
        self._total = self._cum[-1]

    def index(self) -> int:
        return bisect(self._cum, self._rng.random() * self._total)


class DemoStream:
    """The simulated stream as an endless, deterministic iterator of events."""

    def __init__(self, seed: int, start: float, rate: float) -> None:
        self.seed = seed
        self.start = start
        self.interval = 1.0 / rate
        self.rng = random.Random(seed)
        self.n = 0
        self.like_total = 0
        self.viewers = self.rng.randint(250, 350)
        self.trend = VIEWERS_GROWTH
        """Log-growth of the viewer count per update; itself a mean-reverting random walk."""
        self.next_viewers_ts = start
        # Guests come and go on a generator of their own, so the rest of the stream stays the one
        # a seed always gave.
        self.guest_rng = random.Random(f"{seed}-guests")
        self.guests_on: dict[int, float] = {}
        """Cast index of each guest on screen, to when they leave."""
        self.next_guest_join = start + self.guest_rng.uniform(*GUEST_FIRST_S)
        self.next_guest_ts = self.next_guest_join
        self.streaks: list[_Streak] = []
        self.streak_ids = itertools.count(1)
        self.bot_ids = itertools.count(1)
        self.burst: _Burst | None = None
        self.poll: DemoPoll | None = None
        """The console's poll the viewers vote in, while it is open."""
        self.polls = itertools.count(1)
        self.cast: list[User] = []
        self.langs: list[str] = []
        chatty: list[float] = []
        generous: list[float] = []
        self._build_cast(chatty, generous)
        self._chatter = _Picker(self.rng, chatty)
        self._gifter = _Picker(self.rng, generous)
        self._gift = _Picker(self.rng, [g.weight for g in script.GIFTS])
        self._mix = _Picker(self.rng, [w for _, w in MIX])
        self._steps: dict[str, Callable[[str, float], Event]] = {
            "comment": self._comment,
            "like": self._like,
            "join": self._join,
            "gift": self._gift_event,
            "follow": self._follow,
            "share": self._share,
            "question": self._question,
            "abuse": self._abuse,
            "spam": self._spam_start,
        }

    def __iter__(self) -> Iterator[Event]:
        return self

    def __next__(self) -> Event:
        self.n += 1
        eid = f"demo-{self.seed}-{self.n}"
        ts = self.start + (self.n - 1) * self.interval
        if self.n == 1:
            return Connection(id=eid, ts=ts, status="connected", detail="demo stream")
        if ts >= self.next_viewers_ts:
            self.next_viewers_ts = ts + VIEWERS_EVERY_S * self.rng.uniform(0.8, 1.2)
            return self._viewer_count(eid, ts)
        if ts >= self.next_guest_ts:
            return self._guest(eid, ts)
        if self.burst is not None and self.rng.random() < SPAM_CONTINUE:
            return self._spam_step(eid, ts)
        kind = MIX[self._mix.index()][0]
        return self._steps[kind](eid, ts)

    # --- the cast ------------------------------------------------------------------------

    def _build_cast(self, chatty: list[float], generous: list[float]) -> None:
        rng = self.rng
        lang_pick = _Picker(rng, [w for _, w in script.LANGUAGES])
        handles: set[str] = set()  # membership only: never iterated, so hash order cannot leak in
        for i in range(CAST_SIZE):
            lang = script.LANGUAGES[lang_pick.index()][0]
            name, stem = rng.choice(script.NAMES[lang])
            if rng.random() < 0.3:
                name = f"{name} {rng.choice(script.NAME_EMOJI)}"
            handle = stem + rng.choice(script.HANDLE_SUFFIXES)
            while handle in handles:
                handle = f"{stem}{rng.randrange(10, 10000)}"
            handles.add(handle)
            roles = self._roles(i)
            level = rng.randint(1, 50)
            self.cast.append(
                User(
                    id=str(rng.randrange(6_000_000_000_000_000_000, 7_500_000_000_000_000_000)),
                    handle=handle,
                    name=name,
                    roles=roles,
                    badges=(f"lv{level}",),
                )
            )
            self.langs.append(lang)
            # A few viewers do most of the talking and most of the giving, as on a real stream.
            chatty.append(rng.paretovariate(1.5) * (3.0 if "moderator" in roles else 1.0))
            gift_weight = 0.2 + rng.paretovariate(2.0) * (0.5 if "new" in roles else 1.0)
            if "top_gifter" in roles:
                gift_weight *= 25.0
            elif "subscriber" in roles:
                gift_weight *= 3.0
            generous.append(gift_weight)
        for handle, name in script.TROLLS:
            self.cast.append(User(id=f"troll-{handle}", handle=handle, name=name, roles=("new",)))
            self.langs.append("en")
            chatty.append(0.3)
            generous.append(0.01)

    def _roles(self, i: int) -> tuple[Role, ...]:
        # Fixed counts for the rare roles (every stream has a few mods), drawn chances for the rest.
        roles: list[Role] = []
        if i < 4:
            roles.append("moderator")
        if 4 <= i < 9:
            roles.append("top_gifter")
        if i < 9 or self.rng.random() < 0.55:
            roles.append("follower")
        if i < 6 or self.rng.random() < 0.12:
            roles.append("subscriber")
        if i >= 9 and self.rng.random() < 0.02:
            roles.append("friend")
        if "follower" not in roles and self.rng.random() < 0.25:
            roles.append("new")
        return tuple(roles)

    def _someone(self) -> int:
        return self.rng.randrange(len(self.cast))

    def _text(self, pool: tuple[str, ...]) -> str:
        text = self.rng.choice(pool)
        if "{at}" in text:
            other = self.cast[self._someone()]
            # str.replace, not str.format: viewers' handles and hostile texts may hold braces.
            text = text.replace("{at}", f"@{other.handle}")
        return text

    # --- one step of each kind -------------------------------------------------------------

    def _comment(self, eid: str, ts: float) -> Event:
        who = self._chatter.index()
        # Most speak their own language; some switch to English or emoji, as real chats do.
        lang = self.langs[who] if self.rng.random() < 0.75 else "en"
        text = self._text(script.COMMENTS[lang])
        poll = self.poll
        if poll is not None:
            # After the stream's own draws, on the poll's generator: the rest of the stream stays
            # the one the seed gives.
            if not poll.is_open(ts):
                self.poll = None
            elif poll.votes_now():
                text = poll.vote_text()
        return Comment(id=eid, ts=ts, user=self.cast[who], text=text)

    # --- the console's poll ------------------------------------------------------------------

    def open_poll(self, options: tuple[str, ...], duration_s: float | None) -> None:
        """The console started a poll: from the next event on, some comments are votes."""
        now = self.start + self.n * self.interval
        rng = random.Random(f"{self.seed}-poll-{next(self.polls)}")
        self.poll = DemoPoll(options, None if duration_s is None else now + duration_s, rng)

    def close_poll(self) -> None:
        self.poll = None

    def _question(self, eid: str, ts: float) -> Event:
        who = self._chatter.index()
        lang = self.langs[who] if self.rng.random() < 0.7 else "en"
        text = self.rng.choice(script.QUESTIONS[lang])
        return Question(id=eid, ts=ts, user=self.cast[who], text=text)

    def _like(self, eid: str, ts: float) -> Event:
        count = self.rng.randint(1, 15)
        self.like_total += count
        user = self.cast[self._chatter.index()]
        return Like(id=eid, ts=ts, user=user, count=count, total=self.like_total)

    def _join(self, eid: str, ts: float) -> Event:
        return Join(id=eid, ts=ts, user=self.cast[self._someone()])

    def _follow(self, eid: str, ts: float) -> Event:
        who = self._someone()
        user = self.cast[who]
        if "follower" not in user.roles:
            # They follow now, so later events show them as a follower: state the UI can see change.
            roles = tuple(r for r in user.roles if r != "new") + ("follower",)
            self.cast[who] = user = user.model_copy(update={"roles": roles})
        return Follow(id=eid, ts=ts, user=user)

    def _share(self, eid: str, ts: float) -> Event:
        return Share(id=eid, ts=ts, user=self.cast[self._chatter.index()])

    def _viewer_count(self, eid: str, ts: float) -> Event:
        rng = self.rng
        # The growth rate wanders around a slightly positive mean, so a long demo drifts from a few
        # hundred viewers into the thousands with stretches of decline on the way.
        self.trend += 0.05 * (VIEWERS_GROWTH - self.trend) + rng.gauss(0.0, 0.004)
        if self.viewers < 80:
            self.trend += 0.005
        elif self.viewers > 20000:
            self.trend -= 0.01
        self.viewers = max(3, round(self.viewers * math.exp(self.trend + rng.gauss(0.0, 0.03))))
        return Viewers(id=eid, ts=ts, count=self.viewers)

    def _guest(self, eid: str, ts: float) -> Event:
        """A guest leaves (when their time is up) or joins (a regular, now and then)."""
        rng = self.guest_rng
        leaving = next((who for who, until in self.guests_on.items() if until <= ts), None)
        if leaving is not None:
            del self.guests_on[leaving]
            who, action = leaving, "leave"
        else:
            who = rng.randrange(min(40, len(self.cast)))  # the regulars: mods, top gifters, ...
            while who in self.guests_on:
                who = (who + 1) % len(self.cast)
            self.guests_on[who] = ts + rng.uniform(*GUEST_STAY_S)
            self.next_guest_join = ts + rng.uniform(*GUEST_EVERY_S)
            action = "join"
        joins = [self.next_guest_join] if len(self.guests_on) < MAX_GUESTS_ON else []
        self.next_guest_ts = min([*joins, *self.guests_on.values()], default=math.inf)
        return Guest(id=eid, ts=ts, user=self.cast[who], action=action)  # type: ignore[arg-type]

    def _gift_event(self, eid: str, ts: float) -> Event:
        if self.streaks and (len(self.streaks) >= MAX_STREAKS or self.rng.random() < 0.75):
            streak = self.rng.choice(self.streaks)
        else:
            streak = self._new_streak()
        streak.sent += 1
        end = streak.sent >= streak.length
        if end:
            self.streaks.remove(streak)
        gift = streak.gift
        return Gift(
            id=eid,
            ts=ts,
            user=streak.user,
            gift_id=gift.gift_id,
            gift_name=gift.name,
            diamonds=gift.diamonds,
            repeat_count=streak.sent,
            streak_id=streak.id,
            streak_end=end,
        )

    def _new_streak(self) -> _Streak:
        gift = script.GIFTS[self._gift.index()]
        length = 1
        if gift.streakable:
            # Mostly short streaks, now and then someone holds the button down for a long while.
            long_press = self.rng.random() < 0.05
            length = self.rng.randint(20, 99) if long_press else 1 + int(self.rng.expovariate(0.3))
        streak = _Streak(
            id=f"demo-{self.seed}-streak-{next(self.streak_ids)}",
            user=self.cast[self._gifter.index()],
            gift=gift,
            length=length,
        )
        self.streaks.append(streak)
        return streak

    def _abuse(self, eid: str, ts: float) -> Event:
        roll = self.rng.random()
        if roll < 0.4:
            who = self._someone()
            text = self._text(script.INSULTS)
            user = self.cast[who]
        elif roll < 0.6:
            user = self._bot()
            text = self.rng.choice(script.BOT_TEXTS)
        else:
            who = self._someone()
            text = self._text(script.HOSTILE)
            user = self.cast[who]
        return Comment(id=eid, ts=ts, user=user, text=text)

    def _spam_start(self, eid: str, ts: float) -> Event:
        rng = self.rng
        if rng.random() < 0.5:
            users = [self.cast[self._chatter.index()]]
            text = rng.choice(script.SPAM_REPEATS)
            left = rng.randint(8, 30)
        else:
            users = [self._bot() for _ in range(rng.randint(3, 6))]
            text = rng.choice(script.BOT_TEXTS)
            left = rng.randint(10, 40)
        self.burst = _Burst(users, text, left)
        return self._spam_step(eid, ts)

    def _spam_step(self, eid: str, ts: float) -> Event:
        burst = self.burst
        assert burst is not None
        burst.left -= 1
        if burst.left <= 0:
            self.burst = None
        return Comment(id=eid, ts=ts, user=self.rng.choice(burst.users), text=burst.text)

    def _bot(self) -> User:
        number = next(self.bot_ids)
        digits = self.rng.randrange(10_000_000, 100_000_000)
        return User(
            id=f"demo-{self.seed}-bot-{number}",
            handle=f"user{digits}",
            name=self.rng.choice(script.BOT_NAMES),
            roles=("new",),
        )


class DemoOptions(SourceOptions):
    rate: float = Field(
        12.0, gt=0, allow_inf_nan=False, description="events per second (thousands work)"
    )
    seed: int | None = Field(
        None, description="random seed; the same seed replays the same stream (default: random)"
    )
    limit: int = Field(0, ge=0, description="stop after this many events (0 = never stop)")
    start: Annotated[float, Field(allow_inf_nan=False)] | None = Field(
        None,
        description="simulated time of the first event, seconds since the epoch (default: now)",
    )


class DemoSource(Source):
    name: ClassVar[str] = "demo"
    description: ClassVar[str] = "a simulated TikTok LIVE (seeded, rate-controlled)"
    Options = DemoOptions
    options: DemoOptions

    def __init__(self, **values: Any) -> None:
        super().__init__(**values)
        self.rate = self.options.rate
        self.limit = self.options.limit
        self.start = self.options.start
        # Pick the random seed now and keep it in the options: the session header records them,
        # so any demo session can be generated again.
        seed = self.options.seed
        self.seed = seed if seed is not None else random.SystemRandom().randrange(1 << 32)
        self.options = self.options.model_copy(update={"seed": self.seed})

    def describe(self) -> str:
        return f"demo (seed {self.seed}, {self.rate:g}/s)"

    def stream(self, start: float) -> DemoStream:
        self._stream = DemoStream(self.seed, start, self.rate)
        return self._stream

    def observe(self, action: ActionEvent) -> None:
        """The viewers vote while the console's poll is open."""
        stream = getattr(self, "_stream", None)
        if stream is None:
            return
        if isinstance(action, PollStart):
            stream.open_poll(action.options, action.duration_s)
        elif isinstance(action, PollClose):
            stream.close_poll()

    async def events(self) -> AsyncIterator[Event]:
        loop = asyncio.get_running_loop()
        start = self.start if self.start is not None else time.time()
        stream = self.stream(start)
        interval = 1.0 / self.rate
        limit = self.limit
        origin = loop.time()
        emitted = 0
        while not limit or emitted < limit:
            now = loop.time()
            behind = now - (origin + emitted * interval)
            if behind > MAX_BEHIND_S:
                origin += behind
            due = min(int((now - origin) / interval) + 1, emitted + MAX_BATCH)
            if limit:
                due = min(due, limit)
            while emitted < due:
                yield next(stream)
                emitted += 1
            if limit and emitted >= limit:
                return
            # Sleep until the next event is due, but never less than MIN_SLEEP_S: at high rates that
            # turns into "emit a batch per wake-up" rather than a timer per event.
            await asyncio.sleep(max(origin + emitted * interval - loop.time(), MIN_SLEEP_S))
