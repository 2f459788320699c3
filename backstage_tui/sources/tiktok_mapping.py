"""TikTokLive's events, mapped to ours: one pure function and the little memory it needs.

`map_event` turns one event object of the `TikTokLive` library (7.x) into zero or more of our
events. It reads the objects by their attributes and dispatches on the class name, so this module
never imports the library (an optional extra, under a licence of its own) and the tests can feed it
the library's own classes.

The quirks of the library and of TikTok it handles, each tested:

- The moderator flag comes from the message's ``user_identity``: the library's badge helper
  (``user.is_moderator``) reads a field that TikTok's current schema no longer fills.
- The library emits some events twice, a "custom" one beside its protocol one (``FollowEvent``
  and ``ShareEvent`` beside ``SocialEvent``, ``LiveEndEvent`` beside ``ControlEvent``): only the
  protocol event is mapped, matched by its exact class name, so each counts once.
- A gift streak sends one event per repeat: ours carry ``streak_end`` False until the last one,
  and a gift that cannot streak ends at once; totals count a streak only at its end.
- TikTok re-sends recent comments on every connect: `TikTokMapper` drops events whose message id it
  has seen, in the bounded window the network sources share (`connection.RecentIds`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ..events import (
    Comment,
    Connection,
    Event,
    Follow,
    Gift,
    Guest,
    Join,
    Like,
    PlatformModeration,
    PlatformPin,
    PlatformPoll,
    PollOption,
    Question,
    Role,
    Share,
    User,
    Viewers,
    new_event_id,
)
from .connection import DEDUPE_WINDOW, RecentIds

STREAKABLE_GIFT_TYPE = 1
"""TikTok's gift ``type`` for gifts that can be sent in a streak (the library's ``streakable``)."""

# TikTok's enum values, as numbers: the mapping reads them without importing the library.
CONTROL_PAUSED, CONTROL_UNPAUSED, CONTROL_ENDED, CONTROL_SUSPENDED = 1, 2, 3, 4
MEMBER_JOINED_ACTIONS = frozenset({0, 1})
"""``MemberMessageAction`` UNKNOWN and JOINED; SUBSCRIBED (3) is not a join."""
PIN_CANCEL = 2
"""``PinMessageActionType.PIN_CANCEL``: the pin was taken off."""
LINK_KICK_OUT, LINK_LEAVE, LINK_JOIN_DIRECT = 6, 9, 12
"""``LinkLayerMessageType`` values for a guest removed, leaving, and joining."""

IDENTITY_ROLES: tuple[tuple[str, Role], ...] = (
    ("is_anchor", "host"),
    ("is_moderator_of_anchor", "moderator"),
    ("is_subscriber_of_anchor", "subscriber"),
    ("is_follower_of_anchor", "follower"),
    ("is_mutual_following_with_anchor", "friend"),
)
"""``UserIdentity`` flags and the roles they give, in the order roles are listed."""

IGNORED_CUSTOM_EVENTS = frozenset(
    {"FollowEvent", "ShareEvent", "LiveEndEvent", "LivePauseEvent", "LiveUnpauseEvent"}
)
"""Custom events the library emits in addition to the protocol event they were made from (and
which we map): never mapped, so that each counts once."""


# -- small readers -------------------------------------------------------------------------------


def _get(obj: Any, *path: str) -> Any:
    """``obj.a.b.c``, or None when any step is missing (TikTok leaves most fields out)."""
    for name in path:
        if obj is None:
            return None
        obj = getattr(obj, name, None)
    return obj


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def event_id(event: Any) -> str:
    """The platform's message id (``common.msg_id``), or a fresh one when it sent none."""
    msg_id = _int(_get(event, "common", "msg_id"))
    return str(msg_id) if msg_id else new_event_id()


def event_time(event: Any) -> dict[str, Any]:
    """``{"ts": ...}`` from ``common.create_time`` (milliseconds since the epoch), or nothing, so
    the model stamps the time it arrived."""
    created = _int(_get(event, "common", "create_time"))
    if created <= 0:
        return {}
    return {"ts": created / 1000 if created > 10**11 else float(created)}


def map_user(user: Any, identity: Any = None) -> User:
    """A TikTok user as ours. Roles come from `identity` (the message's ``user_identity``) only:
    the library's badge helper says nobody is a moderator."""
    roles = tuple(role for flag, role in IDENTITY_ROLES if getattr(identity, flag, False) is True)
    return User(
        id=str(_int(_get(user, "id"))),
        handle=_text(_get(user, "display_id")),
        name=_text(_get(user, "nickname")),
        roles=roles,
    )


def _user_id_only(user_id: Any) -> User:
    return User(id=str(_int(user_id)))


def _common(event: Any) -> dict[str, Any]:
    return {"id": event_id(event), **event_time(event)}


# -- one mapper per kind -------------------------------------------------------------------------


def _comment(event: Any) -> list[Event]:
    user = map_user(event.user, _get(event, "user_identity"))
    return [Comment(**_common(event), user=user, text=_text(event.content))]


def _gift(event: Any) -> list[Event]:
    gift = _get(event, "gift")
    gift_id = _int(_get(event, "gift_id")) or _int(_get(gift, "id"))
    streakable = _int(_get(gift, "type")) == STREAKABLE_GIFT_TYPE
    ended = not streakable or bool(_get(event, "repeat_end"))
    repeat = max(_int(_get(event, "repeat_count")), 1)
    user = map_user(event.user, _get(event, "user_identity"))
    base = event_id(event)
    # A streak in progress gets an id of its own per count: should TikTok reuse the message id
    # across a streak, the repeat filter must still let the closing event through.
    ident = base if ended else f"{base}~{repeat}"
    streak = f"{user.id}-{gift_id}-{_int(_get(event, 'group_id'))}" if streakable else ""
    return [
        Gift(
            id=ident,
            **event_time(event),
            user=user,
            gift_id=gift_id,
            gift_name=_text(_get(gift, "name")),
            diamonds=_int(_get(gift, "diamond_count")),
            repeat_count=repeat,
            streak_id=streak,
            streak_end=ended,
        )
    ]


def _like(event: Any) -> list[Event]:
    return [
        Like(
            **_common(event),
            user=map_user(event.user),
            count=max(_int(event.count), 1),
            total=_int(_get(event, "total")),
        )
    ]


def _join(event: Any) -> list[Event]:
    if _int(_get(event, "action")) not in MEMBER_JOINED_ACTIONS:
        return []
    return [Join(**_common(event), user=map_user(event.user))]


def _social(event: Any) -> list[Event]:
    # The library tells follows from shares by this key, and so do we.
    key = _text(_get(event, "common", "display_text", "key")).lower()
    if "follow" in key:
        return [Follow(**_common(event), user=map_user(event.user))]
    if "share" in key:
        return [Share(**_common(event), user=map_user(event.user))]
    return []


def _viewers(event: Any) -> list[Event]:
    return [Viewers(**_common(event), count=_int(_get(event, "total")))]


def _question(event: Any) -> list[Event]:
    data = _get(event, "data")
    if data is None:
        return []
    return [Question(**_common(event), user=map_user(data.user), text=_text(data.content))]


PollStatus = Literal["start", "update", "end"]
POLL_PARTS: tuple[tuple[str, PollStatus], ...] = (
    ("start_content", "start"),
    ("end_content", "end"),
    ("update_votes_content", "update"),
)
"""Which part of a poll message is filled says what happened."""


def _poll(event: Any) -> list[Event]:
    found = next(
        ((status, part) for attr, status in POLL_PARTS if (part := _get(event, attr)) is not None),
        None,
    )
    if found is None:
        return []
    status, content = found
    options = tuple(
        PollOption(text=_text(option.display_content), votes=_int(option.votes))
        for option in (_get(content, "option_list") or ())
    )
    title = _text(_get(content, "title")) or _text(_get(event, "poll_basic_info", "title"))
    return [
        PlatformPoll(
            **_common(event),
            poll_id=str(_int(_get(event, "poll_id"))),
            status=status,
            title=title,
            options=options,
        )
    ]


def _pin(event: Any) -> list[Event]:
    chat = _get(event, "chat_message")
    target = _int(_get(event, "pin_msg_id")) or _int(_get(chat, "common", "msg_id"))
    user = None
    if _get(chat, "user") is not None:
        user = map_user(chat.user, _get(chat, "user_identity"))
    return [
        PlatformPin(
            **_common(event),
            target=str(target),
            pinned=_int(_get(event, "action")) != PIN_CANCEL,
            text=_text(_get(chat, "content")),
            user=user,
            by=_text(_get(event, "operator", "display_id")),
        )
    ]


def _deleted(event: Any) -> list[Event]:
    """One `delete` per removed message; per viewer all of whose messages were removed, a
    `delete` naming the viewer and no message."""
    base = _common(event)
    removed: list[Event] = [
        PlatformModeration(**base, action="delete", target=str(_int(i)))
        for i in (_get(event, "delete_msg_ids") or ())
    ]
    removed += [
        PlatformModeration(**base, action="delete", user=_user_id_only(i))
        for i in (_get(event, "delete_user_ids") or ())
    ]
    if len(removed) > 1:  # one message, several events: each its own id
        removed = [e.model_copy(update={"id": f"{e.id}.{n}"}) for n, e in enumerate(removed, 1)]
    return removed


def _guest(event: Any) -> list[Event]:
    kind = _int(_get(event, "message_type"))
    action: Literal["join", "leave"]
    if kind == LINK_JOIN_DIRECT:
        user_id, action = _get(event, "join_direct_content", "joiner", "user", "user_id"), "join"
    elif kind == LINK_LEAVE:
        user_id, action = _get(event, "leave_content", "leaver", "user_id"), "leave"
    elif kind == LINK_KICK_OUT:
        user_id, action = _get(event, "kick_out_content", "offliner", "user_id"), "leave"
    else:
        return []
    if not _int(user_id):
        return []
    return [Guest(**_common(event), user=_user_id_only(user_id), action=action)]


def _control(event: Any) -> list[Event]:
    action = _int(_get(event, "action"))
    if action in (CONTROL_ENDED, CONTROL_SUSPENDED):
        detail = "the LIVE ended" if action == CONTROL_ENDED else "TikTok suspended the LIVE"
        return [Connection(**_common(event), status="ended", detail=detail)]
    if action == CONTROL_PAUSED:
        return [Connection(**_common(event), status="connected", detail="the host paused the LIVE")]
    if action == CONTROL_UNPAUSED:
        return [Connection(**_common(event), status="connected", detail="the LIVE resumed")]
    return []


def _connected(event: Any) -> list[Event]:
    who = _text(_get(event, "unique_id"))
    room = _int(_get(event, "room_id"))
    detail = f"@{who}" + (f" · room {room}" if room else "")
    return [Connection(status="connected", detail=detail)]


def _disconnected(event: Any) -> list[Event]:
    return [Connection(status="disconnected", detail="TikTok closed the connection")]


MAPPERS: dict[str, Callable[[Any], list[Event]]] = {
    "CommentEvent": _comment,
    "GiftEvent": _gift,
    "LikeEvent": _like,
    "JoinEvent": _join,
    "SocialEvent": _social,
    "RoomUserSeqEvent": _viewers,
    "QuestionNewEvent": _question,
    "PollEvent": _poll,
    "RoomPinEvent": _pin,
    "ImDeleteEvent": _deleted,
    "LinkLayerEvent": _guest,
    "ControlEvent": _control,
    "ConnectEvent": _connected,
    "DisconnectEvent": _disconnected,
}
"""The library's event classes we map, by class name; any other event maps to nothing."""

HANDLED_EVENTS: tuple[str, ...] = tuple(MAPPERS)
"""The class names a source listens for on the library's client."""
LIVENESS_EVENTS: tuple[str, ...] = ("WebsocketResponseEvent",)
"""Emitted by the library for every message TikTok sends, mapped to nothing: listened for only as
a sign that the connection is alive."""


def map_event(event: object) -> list[Event]:
    """Our events for one TikTokLive event: none for kinds we do not use (and for the library's
    duplicate custom events), usually one.

    Pure: the same event gives the same events (bar the arrival time and a made-up id when TikTok
    sent no message id). Dispatches on the exact class name, so a subclass the library adds
    (``FollowEvent`` is a ``SocialEvent``) is not taken for its parent.
    """
    mapper = MAPPERS.get(type(event).__name__)
    return [] if mapper is None else mapper(event)


# -- what needs memory ---------------------------------------------------------------------------


UNIQUE_TYPES = frozenset(
    {"comment", "question", "gift", "like", "follow", "share", "join", "guest", "platform_pin"}
)
"""Our event kinds that carry the platform's message id and are dropped when seen again.
Connection events, viewer counts and polls are states: a repeat says the same thing again."""


class TikTokMapper:
    """`map_event` plus the memory that drops what TikTok sends again: one per source, kept
    across reconnects."""

    def __init__(self, capacity: int = DEDUPE_WINDOW) -> None:
        self.recent = RecentIds(capacity)
        self.repeats = 0
        """Events dropped as repeats so far."""

    def map(self, event: object) -> list[Event]:
        fresh: list[Event] = []
        for ours in map_event(event):
            if ours.type in UNIQUE_TYPES and self.recent.seen(f"{ours.type}:{ours.id}"):
                self.repeats += 1
                continue
            fresh.append(ours)
        return fresh


# -- why a connection failed ---------------------------------------------------------------------

FailureKind = Literal[
    "not_found",
    "age_restricted",
    "offline",
    "rate_limited",
    "blocked",
    "signing",
    "silent",
    "other",
]
RATE_LIMIT_FALLBACK_S = 60.0
"""The wait after a rate limit that did not say how long."""


@dataclass(frozen=True, slots=True)
class Failure:
    """What a failed connection means for the user: one line, and whether trying again helps."""

    message: str
    kind: FailureKind = "other"
    retry_at: float | None = None
    """When the platform said the next try may be (a rate limit), epoch seconds."""

    @property
    def final(self) -> bool:
        """Trying again cannot help (no such account, an age-restricted LIVE)."""
        return self.kind in ("not_found", "age_restricted")


class SilentConnection(Exception):
    """TikTok sent nothing for longer than the source's ``silent`` option allows."""


def classify_failure(exc: BaseException, user: str, now: float) -> Failure:
    """Read one of the library's errors by its class name (the library stays unimported here)."""
    if isinstance(exc, SilentConnection):
        return Failure(str(exc), kind="silent")
    names = {cls.__name__ for cls in type(exc).__mro__}
    if "UserNotFoundError" in names:
        return Failure(
            f"TikTok has no LIVE account @{user}: check the name (an account needs about 1,000 "
            "followers to go LIVE)",
            kind="not_found",
        )
    if "AgeRestrictedError" in names:
        return Failure(
            f"@{user}'s LIVE is age-restricted: TikTok shows it only to signed-in adult accounts, "
            "and this source reads anonymously",
            kind="age_restricted",
        )
    if "UserOfflineError" in names:
        return Failure(f"@{user} is not LIVE right now", kind="offline")
    if "SignatureRateLimitError" in names:
        return Failure(
            "the signing service's rate limit was reached",
            kind="rate_limited",
            retry_at=_retry_at(exc, now),
        )
    if names & {
        "WebcastBlockedError",
        "InitialCursorMissingError",
        "WebsocketURLMissingError",
        "FailedParseRoomIdError",
    }:
        return Failure(f"TikTok blocked the connection ({_library_reason(exc)})", kind="blocked")
    if "SignAPIError" in names:
        return Failure(f"the signing service failed ({_library_reason(exc)})", kind="signing")
    return Failure(f"the connection failed ({_library_reason(exc)})")


def _retry_at(exc: BaseException, now: float) -> float:
    """When a rate limit ends: the error's ``retry_after`` (seconds), else its ``reset_time`` (an
    epoch time, or seconds when small), else a minute. Reading either may fail on a response
    that lacks the header."""
    try:
        after = float(getattr(exc, "retry_after", 0) or 0)
    except (TypeError, ValueError, KeyError, AssertionError):
        after = 0.0
    if after > 0:
        return now + after
    try:
        reset = float(getattr(exc, "reset_time", 0) or 0)
    except (TypeError, ValueError, KeyError, AssertionError):
        reset = 0.0
    if reset > 10**9:
        return max(reset, now)
    if reset > 0:
        return now + reset
    return now + RATE_LIMIT_FALLBACK_S


def _library_reason(exc: BaseException) -> str:
    """The first line of the library's message, without its ``TikTokLive vX ->`` prefix."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[0] if lines else ""
    if text.startswith("TikTokLive v") and "->" in text:
        text = text.split("->", 1)[1].strip()
    text = text or type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"
