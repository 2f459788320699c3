"""The rules' tests on one message, each cheap on the common message that breaks no rule.

Stateless tests (links, capitals, floods) are functions of the text; the two that remember
(a viewer's rate, spam waves) are small classes over the session's own clock (the events' `ts`),
bounded in memory whatever the chat's size.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field

from ..events import Comment, Question

Message = Comment | Question

TLDS = (
    "com|net|org|io|co|ly|me|gg|tv|xyz|info|app|link|shop|site|online|live|store|club|top|vip|"
    "fun|icu|biz|us|uk|ru|de|fr|br|cn|jp|kr|es|nl|pl|id|ph|vn|tk|ml|ga|cf|gq|ws|cc|sh|be|ai|"
    "dev|page|click|pro|art|ee|gl|am|fm|cash|win|bet|porn|sex|xxx|onlyfans"
)
_SCHEME_LINK = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)([^\s/?#\"'<>]+)")
_DOMAIN_LINK = re.compile(
    rf"(?<![\w.@-])((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{TLDS}))(?![\w-])"
)
_ASCII_UPPER = bytes(range(ord("A"), ord("Z") + 1))
_ASCII_LOWER = bytes(range(ord("a"), ord("z") + 1))
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\u3030\u303d\u3297\u3299]"
)


_MAY_LINK = re.compile("[.\uff0e\u2024\ufe52:]")
"""What every link has, as typed (a dot, or the colon of a scheme), before NFKC: a cheap first
test on the raw text."""


def may_link(text: str) -> bool:
    return _MAY_LINK.search(text) is not None


def links(plain: str, allow: tuple[str, ...]) -> str | None:
    """The first link's host in `plain` (the text's `matching.plain` form) whose domain is not
    allowed, or None."""
    if "." not in plain and "://" not in plain:
        return None
    for pattern in (_SCHEME_LINK, _DOMAIN_LINK):
        for found in pattern.finditer(plain):
            host = found.group(1).rstrip(".").split(":")[0].removeprefix("www.")
            if host and not any(host == d or host.endswith("." + d) for d in allow):
                return host
    return None


def caps_share(text: str, min_letters: int) -> float:
    """The share of `text`'s letters in capitals; 0 below `min_letters` letters."""
    if len(text) < min_letters or text.lower() == text:
        return 0.0  # short, or not one capital: nearly every message
    if text.isascii():
        raw = text.encode()
        upper = len(raw) - len(raw.translate(None, _ASCII_UPPER))
        letters = upper + len(raw) - len(raw.translate(None, _ASCII_LOWER))
    else:
        upper = sum(map(str.isupper, text))
        letters = upper + sum(map(str.islower, text))
    return upper / letters if letters >= min_letters else 0.0


def run_pattern(max_run: int) -> re.Pattern[str]:
    """A run of one character longer than `max_run`."""
    return re.compile(r"(.)\1{" + str(max_run) + ",}", re.DOTALL)


def emoji_count(text: str, more_than: int = 0) -> int:
    """The emoji in `text`; 0 when it cannot hold more than `more_than` of them."""
    if len(text) <= more_than or text.isascii():
        return 0
    return len(_EMOJI.findall(text))


@dataclass
class RateWindow:
    """Each viewer's newest `messages` times: over the limit when the oldest of them is within
    `window_s` of the newest."""

    messages: int
    window_s: float
    _times: dict[str, deque[float]] = field(default_factory=dict)
    _since_sweep: int = 0

    SWEEP_EVERY = 4096

    def over(self, user_id: str, ts: float) -> bool:
        times = self._times.get(user_id)
        if times is None:
            times = self._times[user_id] = deque(maxlen=self.messages)
        times.append(ts)
        self._since_sweep += 1
        if self._since_sweep >= self.SWEEP_EVERY:
            self._sweep(ts)
        return len(times) == self.messages and ts - times[0] <= self.window_s

    def _sweep(self, now: float) -> None:
        """Forget viewers quiet for longer than the window (memory stays bounded by the chat's
        recent size)."""
        self._since_sweep = 0
        horizon = now - self.window_s
        quiet = [user for user, times in self._times.items() if times[-1] < horizon]
        for user in quiet:
            del self._times[user]

    def __len__(self) -> int:
        return len(self._times)


@dataclass
class _Wave:
    first_ts: float
    last_ts: float
    copies: list[Message]
    """The first copies, one per viewer, kept until the wave breaks (then judged too)."""
    users: set[str]
    broke: bool = False


@dataclass
class WaveWindow:
    """The same folded text from `users` different viewers: a spam wave.

    A text's count starts with its first copy and lasts `window_s`; once it is a wave, it lasts
    while copies keep coming within `window_s` of each other. At most `capacity` texts are tracked.
    """

    users: int
    window_s: float
    capacity: int = 50_000
    _waves: dict[str, _Wave] = field(default_factory=dict)

    def add(self, key: str, message: Message) -> list[Message]:
        """Note `message` (whose folded text is `key`); the messages to judge as a wave: none yet,
        the earlier copies and this one when it breaks, then each new copy."""
        ts = message.ts
        self._expire(ts)
        wave = self._waves.get(key)
        if wave is None:
            self._waves[key] = _Wave(ts, ts, [message], {message.user.id})
            return []
        wave.last_ts = ts
        if wave.broke:
            return [message]
        if message.user.id not in wave.users:
            wave.users.add(message.user.id)
            wave.copies.append(message)
        if len(wave.users) < self.users:
            return []
        wave.broke = True
        copies, wave.copies = wave.copies, []
        if copies[-1] is not message:
            copies.append(message)  # a viewer repeating themselves: judged as part of the wave
        return copies

    def _expire(self, now: float) -> None:
        horizon = now - self.window_s
        waves = self._waves
        while waves:
            key = next(iter(waves))
            wave = waves[key]
            alive = wave.last_ts >= horizon if wave.broke else wave.first_ts >= horizon
            if alive and len(waves) <= self.capacity:
                return
            del waves[key]

    def __len__(self) -> int:
        return len(self._waves)
