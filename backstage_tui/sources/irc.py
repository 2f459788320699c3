"""Twitch chat's IRC lines (IRCv3 tags) and what they mean, as pure functions.

`parse_line` splits one line into tags, prefix, command and parameters; `twitch_events` maps a
parsed line to our events: ``PRIVMSG`` (a comment; its ``bits`` also a gift), ``USERNOTICE``
(subscriptions, as gifts), ``CLEARCHAT`` (a timeout, a ban or the whole chat cleared) and
``CLEARMSG`` (one message deleted) as `PlatformModeration`. The tags give the roles: the
``broadcaster`` badge makes the host, ``moderator`` (or ``mod=1``) a moderator, ``subscriber`` or
``founder`` (or ``subscriber=1``) a subscriber.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..events import (
    Comment,
    Event,
    Gift,
    Malformed,
    PlatformModeration,
    Role,
    User,
    new_event_id,
)
from .jsonl import MAX_RAW

_TAG_ESCAPES = {":": ";", "s": " ", "\\": "\\", "r": "\r", "n": "\n"}
SUBSCRIPTION_NOTICES = {
    "sub": "Subscription",
    "resub": "Subscription",
    "subgift": "Gift subscription",
    "submysterygift": "Gift subscriptions",
}
"""``USERNOTICE`` kinds (``msg-id``) that become a gift, with the gift's name."""


@dataclass(frozen=True)
class IrcLine:
    tags: dict[str, str] = field(default_factory=dict)
    prefix: str = ""
    command: str = ""
    params: tuple[str, ...] = ()

    @property
    def nick(self) -> str:
        """The sender's nick, from ``nick!user@host``."""
        return self.prefix.split("!", 1)[0]

    @property
    def trailing(self) -> str:
        return self.params[-1] if self.params else ""


def unescape_tag(value: str) -> str:
    """An IRCv3 tag value with its escapes (``\\s`` for a space, ``\\:`` for ``;``, ...) undone."""
    if "\\" not in value:
        return value
    out: list[str] = []
    chars = iter(value)
    for char in chars:
        if char != "\\":
            out.append(char)
            continue
        following = next(chars, "")
        out.append(_TAG_ESCAPES.get(following, following))
    return "".join(out)


def parse_line(line: str) -> IrcLine:
    """One IRC line (without its CR LF). Raises `ValueError` when it has no command."""
    rest = line
    tags: dict[str, str] = {}
    if rest.startswith("@"):
        raw_tags, _, rest = rest[1:].partition(" ")
        for item in raw_tags.split(";"):
            key, _, value = item.partition("=")
            if key:
                tags[key] = unescape_tag(value)
        rest = rest.lstrip(" ")
    prefix = ""
    if rest.startswith(":"):
        prefix, _, rest = rest[1:].partition(" ")
        rest = rest.lstrip(" ")
    middle, sep, trailing = rest.partition(" :")
    words = middle.split()
    if not words:
        raise ValueError("no command")
    params = tuple(words[1:]) + ((trailing,) if sep else ())
    return IrcLine(tags, prefix, words[0].upper(), params)


def _badges(tags: dict[str, str]) -> list[str]:
    return [badge for badge in tags.get("badges", "").split(",") if badge]


def twitch_user(tags: dict[str, str], login: str) -> User:
    """The sender of a Twitch line, with roles from its badges and flags."""
    badges = _badges(tags)
    names = {badge.split("/", 1)[0] for badge in badges}
    roles: list[Role] = []
    if "broadcaster" in names:
        roles.append("host")
    if "moderator" in names or tags.get("mod") == "1":
        roles.append("moderator")
    if names & {"subscriber", "founder"} or tags.get("subscriber") == "1":
        roles.append("subscriber")
    login = tags.get("login") or login
    return User(
        id=tags.get("user-id") or login or "unknown",
        handle=login,
        name=tags.get("display-name") or login,
        roles=tuple(roles),
        badges=tuple(badges[:8]),
    )


def _id(tags: dict[str, str], suffix: str = "") -> str:
    """The line's message id (with `suffix`), else one of the console's own."""
    message_id = tags.get("id", "")
    return message_id + suffix if message_id else new_event_id()


def _text(message: str) -> str:
    """A chat line's text; a ``/me`` action (CTCP ACTION) reads as ``/me waves``."""
    if message.startswith("\x01ACTION ") and message.endswith("\x01"):
        return "/me " + message[8:-1]
    return message


def _bits(value: str) -> int:
    return int(value) if value.isdigit() and len(value) < 12 else 0


def twitch_events(line: IrcLine) -> list[Event]:
    """What one parsed Twitch line says; nothing for the protocol's own traffic."""
    command = line.command
    tags = line.tags
    if command == "PRIVMSG":
        user = twitch_user(tags, line.nick)
        events: list[Event] = [
            Comment(id=_id(tags), platform="twitch", user=user, text=_text(line.trailing))
        ]
        bits = _bits(tags.get("bits", ""))
        if bits:
            # A cheer: the bits as a gift (one per bit), beside the message that carried them.
            events.append(
                Gift(id=_id(tags, ":bits"), platform="twitch", user=user, gift_name="Bits",
                     repeat_count=bits)
            )  # fmt: skip
        return events
    if command == "USERNOTICE":
        gift = SUBSCRIPTION_NOTICES.get(tags.get("msg-id", ""))
        if gift is None:
            return []
        count = _bits(tags.get("msg-param-mass-gift-count", "")) or 1
        return [
            Gift(id=_id(tags), platform="twitch", user=twitch_user(tags, line.nick),
                 gift_name=gift, repeat_count=count)
        ]  # fmt: skip
    if command == "CLEARCHAT":
        if len(line.params) < 2:
            return [PlatformModeration(platform="twitch", action="clear")]
        login = line.params[1]
        who = User(id=tags.get("target-user-id") or login, handle=login, name=login)
        duration = _bits(tags.get("ban-duration", ""))
        if duration:
            return [PlatformModeration(platform="twitch", action="timeout", user=who,
                                       duration_s=duration)]  # fmt: skip
        return [PlatformModeration(platform="twitch", action="ban", user=who)]
    if command == "CLEARMSG":
        login = tags.get("login", "")
        author = User(id=login, handle=login, name=login) if login else None
        return [
            PlatformModeration(platform="twitch", action="delete",
                               target=tags.get("target-msg-id", ""), user=author,
                               text=line.trailing)
        ]  # fmt: skip
    return []


def malformed_line(line: str, error: str) -> Malformed:
    return Malformed(raw=line[:MAX_RAW], error=f"Twitch: {error}")
