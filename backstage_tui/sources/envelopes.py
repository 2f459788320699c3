"""The websocket feeds streamers already run, each mapped to our events by one pure function.

A frame's envelope is recognised by its shape (`sniff`), never by configuration:

| feed | shape | function |
| --- | --- | --- |
| TikFinity (and tools that forward TikTok-Live-Connector's events) | ``{"event": "chat", "data": {...}}`` | `from_tikfinity` |
| Euler Stream | ``{"messages": [{"type": "WebcastChatMessage", "data": {...}}]}`` | `from_euler` |
| Social Stream Ninja | ``{"chatname": ..., "chatmessage": ..., "type": "twitch", ...}`` | `from_social_stream` |
| Streamer.bot | ``{"event": {"source": "Twitch", "type": "ChatMessage"}, "data": {...}}`` | `from_streamerbot` |

Each takes the decoded JSON object and returns the events it says: none for what the console does
not show (a battle score, a room update), and a `Malformed` event when the envelope is right but its
contents are not (a chat without a user). Fields are read leniently (a number may come as a string,
a flag as 0/1): these feeds are written by many hands and change between versions. Gift streaks
count once: a streakable gift is passed on only at its streak's end. Every chat event carries its
platform; the platform's own message id becomes the event's id, which is how repeats are dropped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any, Literal, get_args

from pydantic import ValidationError

from ..events import (
    Comment,
    Event,
    Follow,
    Gift,
    Join,
    Like,
    Malformed,
    Platform,
    PlatformModeration,
    Question,
    Role,
    Share,
    User,
    Viewers,
    new_event_id,
)

Envelope = Literal["tikfinity", "euler", "social_stream", "streamerbot", "streamerbot_control"]
LABELS: dict[Envelope, str] = {
    "tikfinity": "TikFinity",
    "euler": "Euler Stream",
    "social_stream": "Social Stream Ninja",
    "streamerbot": "Streamer.bot",
    "streamerbot_control": "Streamer.bot",
}
PLATFORMS: frozenset[str] = frozenset(get_args(Platform))
INT_MAX = 2**63 - 1
MAX_ERROR_RAW = 500
"""How much of a bad object a `Malformed` event keeps (its `raw`)."""

Data = dict[str, Any]


# --- reading leniently -------------------------------------------------------------------------


def _dict(value: Any) -> Data:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _int(value: Any) -> int:
    """A count: an int, a float or a numeric string; anything else (or negative) is 0."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        number = value
    elif (
        isinstance(value, float)
        and value == value
        and abs(value) < 1e19
        or isinstance(value, str)
        and value.strip().isdigit()
        and len(value) < 20
    ):
        number = int(value)
    else:
        return 0
    return min(max(number, 0), INT_MAX)


def _flag(value: Any) -> bool:
    """A yes/no that may come as a bool, 0/1 or "true"."""
    if value is None or value is False:
        return False
    if value is True:
        return True
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value) if isinstance(value, bool | int | float) else False


def _first(data: Data, *keys: str) -> Any:
    """The first of `keys` that `data` has a non-empty value for."""
    for key in keys:
        value = data.get(key)
        if value not in (None, "", 0):
            return value
    return None


def _id(value: Any) -> str:
    """The platform's message id, else one of the console's own (`new_event_id`)."""
    return _str(value) or new_event_id()


def _roles(*pairs: tuple[Role, bool]) -> tuple[Role, ...]:
    return tuple(dict.fromkeys(role for role, on in pairs if on))


def _bad(data: Any, error: str) -> Malformed:
    return Malformed(raw=_preview(data), error=error)


def _preview(data: Any) -> str:
    text = repr(data)
    return text if len(text) <= MAX_ERROR_RAW else text[: MAX_ERROR_RAW - 1] + "…"


# --- recognising a frame -----------------------------------------------------------------------


def sniff(data: Any) -> Envelope | None:
    """Which feed sent `data`, by its shape; None when no known feed sends such a thing."""
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("messages"), list):
        return "euler"
    event = data.get("event")
    if isinstance(event, dict) and "source" in event and "type" in event:
        return "streamerbot"
    if "chatname" in data or "chatmessage" in data:
        return "social_stream"
    if isinstance(_dict(data.get("overlayNinja")).get("chatname"), str):
        return "social_stream"
    if isinstance(event, str) and "data" in data:
        return "tikfinity"
    if data.get("request") == "Hello" or "info" in data or ("status" in data and "id" in data):
        # Streamer.bot's greeting, and its answers to our requests.
        return "streamerbot_control"
    return None


def from_envelope(kind: Envelope, data: Data) -> list[Event]:
    """`data` (recognised as `kind` by `sniff`) as events."""
    try:
        return _READERS[kind](data)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        return [_bad(data, f"{LABELS[kind]}: {where}: {first['msg']}")]


# --- TikTok, as TikFinity and Euler Stream forward it ---------------------------------------------


_IDENTITY_ROLES: tuple[tuple[str, Role], ...] = (
    ("isAnchor", "host"),
    ("isModeratorOfAnchor", "moderator"),
    ("isSubscriberOfAnchor", "subscriber"),
    ("isFollowerOfAnchor", "follower"),
    ("isMutualFollowingWithAnchor", "friend"),
)
_ROLE_ORDER: tuple[Role, ...] = (
    "host",
    "moderator",
    "subscriber",
    "top_gifter",
    "follower",
    "friend",
)


def tiktok_user(data: Data) -> User:
    """The viewer of a TikTok event: TikTok-Live-Connector's fields, flat (1.x, TikFinity) or under
    ``user`` (2.x, Euler Stream). The moderator flag comes from the user's identity towards this
    stream where there is one (the badge list is not reliable for it).

    Every event of a TikTok feed carries one, so this is the mapping's hot path: plain lookups,
    each flag read once."""
    who = data.get("user")
    if not isinstance(who, dict):
        who = data
    found: set[Role] = set()
    identity = data.get("userIdentity") or who.get("userIdentity")
    if isinstance(identity, dict):
        found.update(role for key, role in _IDENTITY_ROLES if _flag(identity.get(key)))
    if _flag(who.get("isModerator")):
        found.add("moderator")
    if _flag(who.get("isSubscriber")):
        found.add("subscriber")
    follow_role = _int(who.get("followRole"))
    if follow_role:
        found.add("follower")
        if follow_role == 2:
            found.add("friend")
    if _int(who.get("topGifterRank")):
        found.add("top_gifter")
    handle = _str(_first(who, "uniqueId", "displayId", "username"))
    badges: tuple[str, ...] = ()
    listed = who.get("userBadges")
    if isinstance(listed, list) and listed:
        badges = tuple(label for label in map(_badge_label, listed[:16]) if label)[:8]
    return User(
        id=_str(_first(who, "userId", "id")) or handle or "unknown",
        handle=handle,
        name=_str(who.get("nickname")),
        roles=tuple(role for role in _ROLE_ORDER if role in found) if found else (),
        badges=badges,
    )


def _badge_label(badge: Any) -> str:
    if isinstance(badge, dict):
        return _str(_first(badge, "label", "name", "type"))
    return _str(badge)


def _msg_id(data: Data) -> Any:
    return data.get("msgId") or _dict(data.get("common")).get("msgId")


def tiktok_gift(data: Data) -> list[Event]:
    """A gift, once: a streakable gift (type 1) only at its streak's end."""
    details = _dict(data.get("giftDetails")) or _dict(data.get("gift"))
    gift_type = _first(data, "giftType") or _first(details, "giftType", "type")
    if _int(gift_type) == 1 and not _flag(data.get("repeatEnd")):
        return []  # a streak still running: its last event carries the total
    message_id = _str(_msg_id(data))
    return [
        Gift(
            id=_id(message_id),
            user=tiktok_user(data),
            gift_id=_int(_first(data, "giftId") or _first(details, "id", "giftId")),
            gift_name=_str(_first(data, "giftName") or _first(details, "giftName", "name")),
            diamonds=_int(_first(data, "diamondCount") or _first(details, "diamondCount")),
            repeat_count=max(1, _int(data.get("repeatCount"))),
            streak_id=message_id,
        )
    ]


def _tiktok_social(data: Data) -> list[Event]:
    """TikTok-Live-Connector's ``social`` event: a follow or a share, by its display type."""
    display_text = _dict(_dict(data.get("common")).get("displayText"))
    display = _str(data.get("displayType")) + " " + _str(display_text.get("key"))
    if "follow" in display:
        return [Follow(id=_id(_msg_id(data)), user=tiktok_user(data))]
    if "share" in display:
        return [Share(id=_id(_msg_id(data)), user=tiktok_user(data))]
    return []


def _tiktok_comment(data: Data) -> list[Event]:
    text = data.get("comment", data.get("content"))
    if not isinstance(text, str):
        return [_bad(data, "a chat message without its text")]
    return [Comment(id=_id(_msg_id(data)), user=tiktok_user(data), text=text)]


def _tiktok_question(data: Data) -> list[Event]:
    text = data.get("questionText") or _dict(data.get("details")).get("text")
    if not isinstance(text, str):
        return [_bad(data, "a question without its text")]
    return [Question(id=_id(_msg_id(data)), user=tiktok_user(data), text=text)]


def _tiktok_like(data: Data) -> list[Event]:
    return [
        Like(
            id=_id(_msg_id(data)),
            user=tiktok_user(data),
            count=max(1, _int(_first(data, "likeCount", "count"))),
            total=_int(_first(data, "totalLikeCount", "total")),
        )
    ]


def _tiktok_viewers(data: Data) -> list[Event]:
    count = _first(data, "viewerCount", "total", "totalUser")
    return [Viewers(count=_int(count))] if count is not None else []


def _tiktok_subscribe(data: Data) -> list[Event]:
    # A paid subscription: shown and counted with the gifts (one unit), like Twitch's.
    return [Gift(id=_id(_msg_id(data)), user=tiktok_user(data), gift_name="Subscription")]


def _simple(kind: type[Follow] | type[Share] | type[Join]) -> Callable[[Data], list[Event]]:
    return lambda data: [kind(id=_id(_msg_id(data)), user=tiktok_user(data))]


TIKFINITY_EVENTS: dict[str, Callable[[Data], list[Event]]] = {
    "chat": _tiktok_comment,
    "gift": tiktok_gift,
    "like": _tiktok_like,
    "follow": _simple(Follow),
    "share": _simple(Share),
    "member": _simple(Join),
    "subscribe": _tiktok_subscribe,
    "social": _tiktok_social,
    "roomUser": _tiktok_viewers,
    "questionNew": _tiktok_question,
}
"""TikFinity's event names (TikTok-Live-Connector's) that become events; others pass unseen.
TikTok-Live-Connector sends a follow or a share twice, as ``social`` and as ``follow``/``share``,
with the same ``msgId``: the connection's repeat filter keeps the first, so each counts once."""


def from_tikfinity(data: Data) -> list[Event]:
    """``{"event": "chat", "data": {...}}``."""
    read = TIKFINITY_EVENTS.get(data["event"])
    if read is None:
        return []  # a battle, an emote, a room update: nothing the console shows
    payload = data.get("data")
    if not isinstance(payload, dict):
        return [_bad(data, f"TikFinity {data['event']!r} without its data object")]
    return read(payload)


EULER_MESSAGES: dict[str, Callable[[Data], list[Event]]] = {
    "WebcastChatMessage": _tiktok_comment,
    "WebcastGiftMessage": tiktok_gift,
    "WebcastLikeMessage": _tiktok_like,
    "WebcastMemberMessage": _simple(Join),
    "WebcastSocialMessage": _tiktok_social,
    "WebcastRoomUserSeqMessage": _tiktok_viewers,
    "WebcastQuestionNewMessage": _tiktok_question,
    "WebcastSubNotifyMessage": _tiktok_subscribe,
}
"""Euler Stream's message types (TikTok's own) that become events; others pass unseen."""


def from_euler(data: Data) -> list[Event]:
    """``{"messages": [{"type": "WebcastChatMessage", "data": {...}}, ...]}``: several at once."""
    events: list[Event] = []
    for message in data["messages"]:
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            events.append(_bad(message, "Euler Stream: a message without its type"))
            continue
        read = EULER_MESSAGES.get(message["type"])
        if read is None:
            continue
        payload = message.get("data")
        if not isinstance(payload, dict):
            events.append(_bad(message, f"Euler Stream {message['type']} without its data"))
            continue
        try:
            events.extend(read(payload))
        except ValidationError as exc:
            events.append(
                _bad(message, f"Euler Stream {message['type']}: {exc.error_count()} bad fields")
            )
    return events


# --- Social Stream Ninja -----------------------------------------------------------------------

_TAG = re.compile(r"<[^>]*>")
SOCIAL_STREAM_EVENTS: dict[str, str] = {
    **dict.fromkeys(("follow", "followed", "new_follower"), "follow"),
    **dict.fromkeys(("joined", "join", "joined_room"), "join"),
    **dict.fromkeys(("share", "shared"), "share"),
    **dict.fromkeys(("like", "liked", "likes"), "like"),
    **dict.fromkeys(("viewer_update", "viewer_updates", "viewers"), "viewers"),
}
"""Social Stream Ninja's ``event`` values that become events; a message without one is chat."""


def _plain(text: str, textonly: bool) -> str:
    """Social Stream Ninja's message as plain text: unless it says ``textonly``, it is HTML (emotes
    as ``<img>``), so tags go and entities are decoded."""
    return text if textonly else html.unescape(_TAG.sub("", text))


def from_social_stream(data: Data) -> list[Event]:
    """``{"chatname": ..., "chatmessage": ..., "type": "twitch", "event": ..., ...}``.

    Its ids are counters that start again when the app restarts, so they are not kept as event
    ids (a repeat would drop a new message); every event gets an id of its own.
    """
    data = _dict(data.get("overlayNinja")) or data
    platform = _str(data.get("type")).lower()
    where: Any = platform if platform in PLATFORMS else "other"
    name = _str(data.get("chatname"))
    user = User(
        id=_str(data.get("userid")) or name or "unknown",
        handle=name,
        name=name,
        roles=_roles(
            ("moderator", _flag(data.get("moderator")) or _flag(data.get("mod"))),
            ("subscriber", bool(data.get("membership"))),
        ),
    )
    text = _plain(_str(data.get("chatmessage")), _flag(data.get("textonly")))
    event = data.get("event")
    if event:
        kind = SOCIAL_STREAM_EVENTS.get(_str(event).lower(), "")
        if kind == "follow":
            return [Follow(platform=where, user=user)]
        if kind == "join":
            return [Join(platform=where, user=user)]
        if kind == "share":
            return [Share(platform=where, user=user)]
        if kind == "like":
            return [Like(platform=where, user=user, count=max(1, _int(data.get("meta"))))]
        if kind == "viewers":
            count = _int(data.get("meta")) or _int(text)
            return [Viewers(count=count)] if count else []
        return []
    events: list[Event] = []
    donation = _str(data.get("hasDonation"))
    if donation:
        events.append(Gift(platform=where, user=user, gift_name=donation[:80]))
    if text:
        events.append(Comment(platform=where, user=user, text=text))
    return events


# --- Streamer.bot ------------------------------------------------------------------------------

_STREAMERBOT_PLATFORMS: dict[str, Platform] = {"twitch": "twitch", "youtube": "youtube"}


def _sb_user(data: Data, platform: Platform) -> User:
    """A Streamer.bot user: its chat events carry ``userId``/``username``/``displayName``/``role``
    flat (older versions) or under ``user`` (``id``/``login``/``name``), or YouTube's ``user``."""
    who = _dict(data.get("user")) or data
    handle = _str(_first(who, "username", "userName", "login", "user_login", "name", "user_name"))
    user_id = _str(_first(who, "userId", "id", "user_id")) or handle or "unknown"
    name = _str(_first(who, "displayName", "name", "user_name")) or handle
    role = _int(who.get("role"))
    roles = _roles(
        ("host", role == 4 or _flag(who.get("isOwner"))),
        ("moderator", role == 3 or _flag(who.get("isModerator"))),
        ("subscriber", _flag(_first(who, "subscriber", "subscribed", "isSponsor"))),
    )
    badges = tuple(_str(_dict(badge).get("name")) for badge in _list(who.get("badges")))
    if role == 2:
        badges = ("vip", *badges)
    return User(
        id=user_id, handle=handle, name=name, roles=roles, badges=tuple(b for b in badges if b)[:8]
    )


def _sb_chat(data: Data, platform: Platform) -> list[Event]:
    message = data.get("message")
    inner = message if isinstance(message, dict) else data
    text = inner.get("message") if isinstance(message, dict) else _first(data, "message", "text")
    if not isinstance(text, str):
        return [_bad(data, "Streamer.bot chat message without its text")]
    message_id = _first(inner, "msgId", "messageId", "eventId", "id")
    return [
        Comment(id=_id(message_id), platform=platform, user=_sb_user(inner, platform), text=text)
    ]


def _sb_cheer(data: Data, platform: Platform) -> list[Event]:
    inner = _dict(data.get("message")) or data
    bits = _int(_first(inner, "bits") or data.get("bits"))
    message_id = _str(_first(inner, "msgId", "messageId"))
    return [
        Gift(
            id=_id(f"{message_id}:bits" if message_id else ""),
            platform=platform,
            user=_sb_user(inner, platform),
            gift_name="Bits",
            repeat_count=max(1, bits),
        )
    ]


def _sb_follow(data: Data, platform: Platform) -> list[Event]:
    return [Follow(platform=platform, user=_sb_user(data, platform))]


def _sb_sub(name: str) -> Callable[[Data, Platform], list[Event]]:
    def read(data: Data, platform: Platform) -> list[Event]:
        return [Gift(platform=platform, user=_sb_user(data, platform), gift_name=name)]

    return read


def _sb_deleted(data: Data, platform: Platform) -> list[Event]:
    target = _str(_first(data, "targetMessageId", "messageId", "msgId"))
    return [
        PlatformModeration(platform=platform, action="delete", target=target,
                           user=_sb_user(data, platform), text=_str(data.get("message")))
    ]  # fmt: skip


def _sb_banned(data: Data, platform: Platform) -> list[Event]:
    duration = _int(_first(data, "duration", "banDuration"))
    action: Literal["timeout", "ban"] = "timeout" if duration else "ban"
    return [PlatformModeration(platform=platform, action=action, duration_s=duration,
                               user=_sb_user(data, platform))]  # fmt: skip


def _sb_cleared(data: Data, platform: Platform) -> list[Event]:
    return [PlatformModeration(platform=platform, action="clear")]


STREAMERBOT_EVENTS: dict[str, dict[str, Callable[[Data, Platform], list[Event]]]] = {
    "Twitch": {
        "ChatMessage": _sb_chat,
        "Cheer": _sb_cheer,
        "Follow": _sb_follow,
        "Sub": _sb_sub("Subscription"),
        "ReSub": _sb_sub("Subscription"),
        "GiftSub": _sb_sub("Gift subscription"),
        "ChatMessageDeleted": _sb_deleted,
        "UserBanned": _sb_banned,
        "UserTimedOut": _sb_banned,
        "ChatCleared": _sb_cleared,
    },
    "YouTube": {
        "Message": _sb_chat,
        "SuperChat": _sb_sub("Super Chat"),
        "NewSponsor": _sb_sub("Membership"),
        "UserBanned": _sb_banned,
    },
}
"""The Streamer.bot events that become ours, by source and type; the subscription request asks
for exactly these (`streamerbot_subscription`)."""


def streamerbot_subscription(request_id: str = "backstage") -> dict[str, Any]:
    """The request that makes Streamer.bot send its events (it sends none until asked)."""
    events = {source: sorted(kinds) for source, kinds in STREAMERBOT_EVENTS.items()}
    return {"request": "Subscribe", "id": request_id, "events": events}


def from_streamerbot(data: Data) -> list[Event]:
    """``{"event": {"source": "Twitch", "type": "ChatMessage"}, "data": {...}}``."""
    source, kind = _str(data["event"].get("source")), _str(data["event"].get("type"))
    read = STREAMERBOT_EVENTS.get(source, {}).get(kind)
    if read is None:
        return []
    payload = data.get("data")
    if not isinstance(payload, dict):
        return [_bad(data, f"Streamer.bot {source}.{kind} without its data object")]
    return read(payload, _STREAMERBOT_PLATFORMS.get(source.lower(), "other"))


_READERS: dict[Envelope, Callable[[Data], list[Event]]] = {
    "tikfinity": from_tikfinity,
    "euler": from_euler,
    "social_stream": from_social_stream,
    "streamerbot": from_streamerbot,
    "streamerbot_control": lambda data: [],
}
