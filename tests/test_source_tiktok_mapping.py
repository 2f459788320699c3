"""The TikTokLive mapping, on events built offline with the library's own classes.

Each event is made from a dict (``XEvent.from_dict``), serialised to protobuf bytes and parsed
again (``XEvent().parse``), so what the mapping reads is what the library hands over from the
wire: field names, defaults, the library's own extended user and gift classes.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytest.importorskip(
    "TikTokLive", reason="the tiktok extra is not installed (pip install -e '.[tiktok]')"
)

from TikTokLive.client import errors as tt_errors  # noqa: E402
from TikTokLive.client.web.routes.fetch_room_id_live_html import (  # noqa: E402
    FailedParseRoomIdError,
)
from TikTokLive.events import (  # noqa: E402
    CommentEvent,
    ConnectEvent,
    ControlEvent,
    DisconnectEvent,
    EmoteChatEvent,
    FollowEvent,
    GiftEvent,
    ImDeleteEvent,
    JoinEvent,
    LikeEvent,
    LinkLayerEvent,
    LiveEndEvent,
    LivePauseEvent,
    PollEvent,
    QuestionNewEvent,
    RoomPinEvent,
    RoomUserSeqEvent,
    ShareEvent,
    SocialEvent,
    WebsocketResponseEvent,
)

from backstage_tui.events import (  # noqa: E402
    Comment,
    Connection,
    Follow,
    Gift,
    Guest,
    Join,
    Like,
    PlatformModeration,
    PlatformPin,
    PlatformPoll,
    Question,
    Share,
    Viewers,
    event_from_json,
    event_to_json,
)
from backstage_tui.sources.tiktok_mapping import (  # noqa: E402
    HANDLED_EVENTS,
    IGNORED_CUSTOM_EVENTS,
    TikTokMapper,
    classify_failure,
    map_event,
)
from backstage_tui.state import ConsoleState  # noqa: E402

CREATED_MS = 1_700_000_000_123
ANN = {"id": "6921", "nickname": "Ann 🌸", "displayId": "ann"}


def wire(cls: type, data: dict[str, Any]) -> Any:
    """`cls` built from `data`, through protobuf bytes and back: what the library emits."""
    built = cls.from_dict(data)
    return cls().parse(bytes(built))


def common(msg_id: int, **more: Any) -> dict[str, Any]:
    return {"msgId": str(msg_id), "createTime": str(CREATED_MS), **more}


def one(event: object) -> Any:
    mapped = map_event(event)
    assert len(mapped) == 1, mapped
    # Every mapped event is a valid line of the session log.
    assert event_from_json(event_to_json(mapped[0])) == mapped[0]
    return mapped[0]


def comment(msg_id: int, text: str = "hi", **more: Any) -> Any:
    return wire(CommentEvent, {"common": common(msg_id), "user": ANN, "content": text, **more})


def gift(msg_id: int, repeat: int, end: bool, *, streakable: bool = True, group: int = 77) -> Any:
    return wire(
        GiftEvent,
        {
            "common": common(msg_id),
            "user": ANN,
            "giftId": 5655,
            "repeatCount": repeat,
            "repeatEnd": int(end),
            "groupId": str(group),
            "gift": {
                "id": 5655,
                "name": "Rose" if streakable else "Lion",
                "diamondCount": 1 if streakable else 29999,
                "type": 1 if streakable else 2,
            },
        },
    )


def social(msg_id: int, key: str) -> dict[str, Any]:
    return {"common": common(msg_id, displayText={"key": key}), "user": ANN}


# -- every kind ---------------------------------------------------------------------------------


def test_a_comment_keeps_its_id_time_author_and_text() -> None:
    event = one(comment(101, "hello 👋 [b]x[/b]"))
    assert isinstance(event, Comment)
    assert event.id == "101" and event.ts == CREATED_MS / 1000
    assert (event.user.id, event.user.handle, event.user.name) == ("6921", "ann", "Ann 🌸")
    assert event.text == "hello 👋 [b]x[/b]" and event.platform == "tiktok"


def test_the_moderator_flag_comes_from_user_identity_not_the_badge_helper() -> None:
    moderated = comment(102, userIdentity={"isModeratorOfAnchor": True, "isFollowerOfAnchor": True})
    # The library's own helper reads badges that TikTok's schema no longer fills.
    assert moderated.user.is_moderator is False
    assert one(moderated).user.roles == ("moderator", "follower")
    plain = comment(103)
    assert one(plain).user.roles == ()
    host = comment(104, userIdentity={"isAnchor": True, "isMutualFollowingWithAnchor": True})
    assert one(host).user.roles == ("host", "friend")


def test_a_gift_streak_counts_only_at_its_end() -> None:
    streak = [gift(201, 1, False), gift(202, 2, False), gift(203, 3, True)]
    mapped = [one(g) for g in streak]
    assert all(isinstance(g, Gift) for g in mapped)
    assert [g.streak_end for g in mapped] == [False, False, True]
    assert [g.repeat_count for g in mapped] == [1, 2, 3]
    assert len({g.streak_id for g in mapped}) == 1 and mapped[0].streak_id
    state = ConsoleState.fold(mapped)
    assert state.stats.gifts == 3 and state.stats.diamonds == 3
    assert len(state.feed.items) == 1  # the streak shows once, when it ends


def test_a_gift_that_cannot_streak_counts_at_once() -> None:
    lion = one(gift(210, 1, False, streakable=False))
    assert lion.streak_end is True and lion.streak_id == "" and lion.gift_name == "Lion"
    assert ConsoleState.fold([lion]).stats.diamonds == 29999


def test_a_streak_that_reuses_its_message_id_still_ends() -> None:
    mapper = TikTokMapper()
    mapped = [
        e
        for g in (gift(220, 1, False), gift(220, 2, False), gift(220, 2, True))
        for e in mapper.map(g)
    ]
    assert [g.streak_end for g in mapped] == [False, False, True]


def test_likes_joins_and_viewer_counts() -> None:
    like = one(wire(LikeEvent, {"common": common(301), "user": ANN, "count": 15, "total": 1200}))
    assert isinstance(like, Like) and (like.count, like.total) == (15, 1200)
    join = one(wire(JoinEvent, {"common": common(302), "user": ANN, "action": 1}))
    assert isinstance(join, Join) and join.user.handle == "ann"
    subscribed = wire(JoinEvent, {"common": common(303), "user": ANN, "action": 3})
    assert map_event(subscribed) == []
    seq = one(wire(RoomUserSeqEvent, {"common": common(304), "total": 4321, "totalUser": 99999}))
    assert isinstance(seq, Viewers) and seq.count == 4321


def test_follows_and_shares_come_from_the_social_message() -> None:
    follow = one(wire(SocialEvent, social(401, "pm_main_follow_message_viewer_2")))
    share = one(wire(SocialEvent, social(402, "pm_mt_guidance_share")))
    assert isinstance(follow, Follow) and isinstance(share, Share)
    assert map_event(wire(SocialEvent, social(403, "something_else"))) == []


def test_custom_events_sent_beside_their_protocol_event_count_once() -> None:
    # The library emits FollowEvent / ShareEvent / LiveEndEvent first, then the protocol event,
    # all parsed from the same payload.
    follow_payload = social(410, "pm_main_follow_message_viewer_2")
    share_payload = social(411, "pm_mt_guidance_viewer_3_share")
    end_payload = {"common": common(412), "action": 3}
    emitted = [
        wire(FollowEvent, follow_payload),
        wire(SocialEvent, follow_payload),
        wire(ShareEvent, share_payload),
        wire(SocialEvent, share_payload),
        wire(LiveEndEvent, end_payload),
        wire(ControlEvent, end_payload),
    ]
    mapper = TikTokMapper()
    mapped = [e for ev in emitted for e in mapper.map(ev)]
    assert [e.type for e in mapped] == ["follow", "share", "connection"]
    assert ConsoleState.fold(mapped).stats.follows == 1
    assert IGNORED_CUSTOM_EVENTS.isdisjoint(HANDLED_EVENTS)
    pause = {"common": common(413), "action": 1}
    assert (
        len(
            [
                e
                for ev in (wire(LivePauseEvent, pause), wire(ControlEvent, pause))
                for e in mapper.map(ev)
            ]
        )
        == 1
    )


def test_questions() -> None:
    question = one(
        wire(
            QuestionNewEvent,
            {
                "common": common(501),
                "data": {"questionId": "9", "content": "next game?", "user": ANN},
            },
        )
    )
    assert isinstance(question, Question) and question.text == "next game?"
    assert question.user.handle == "ann" and question.id == "501"


def test_polls_start_update_and_end() -> None:
    options = [{"displayContent": "chess", "votes": 3, "optionIdx": 0}, {"displayContent": "go"}]
    start = one(
        wire(
            PollEvent,
            {
                "common": common(601),
                "pollId": "88",
                "startContent": {"title": "Next?", "optionList": options},
            },
        )
    )
    assert isinstance(start, PlatformPoll)
    assert (start.status, start.poll_id, start.title) == ("start", "88", "Next?")
    assert [(o.text, o.votes) for o in start.options] == [("chess", 3), ("go", 0)]
    update = one(
        wire(
            PollEvent,
            {"common": common(602), "pollId": "88", "updateVotesContent": {"optionList": options}},
        )
    )
    end = one(
        wire(
            PollEvent,
            {"common": common(603), "pollId": "88", "endContent": {"optionList": options}},
        )
    )
    assert (update.status, end.status) == ("update", "end")


def test_pins_carry_the_pinned_message() -> None:
    chat = {
        "common": common(700),
        "user": ANN,
        "content": "read the rules",
        "userIdentity": {"isModeratorOfAnchor": True},
    }
    pin = one(
        wire(
            RoomPinEvent,
            {
                "common": common(701),
                "chatMessage": chat,
                "action": 1,
                "operator": {"id": "1", "displayId": "host"},
            },
        )
    )
    assert isinstance(pin, PlatformPin)
    assert (pin.target, pin.pinned, pin.text, pin.by) == ("700", True, "read the rules", "host")
    assert pin.user is not None and pin.user.roles == ("moderator",)
    unpin = one(wire(RoomPinEvent, {"common": common(702), "chatMessage": chat, "action": 2}))
    assert unpin.pinned is False and unpin.target == "700"


def test_deleted_messages() -> None:
    removed = map_event(
        wire(
            ImDeleteEvent,
            {"common": common(801), "deleteMsgIds": ["101", "102"], "deleteUserIds": ["6921"]},
        )
    )
    assert all(isinstance(e, PlatformModeration) and e.action == "delete" for e in removed)
    assert [(e.target, e.user.id if e.user else None) for e in removed] == [
        ("101", None),
        ("102", None),
        ("", "6921"),
    ]
    assert len({e.id for e in removed}) == 3
    assert one(wire(ImDeleteEvent, {"common": common(803), "deleteMsgIds": ["7"]})).id == "803"
    assert map_event(wire(ImDeleteEvent, {"common": common(802)})) == []


def test_guests_joining_and_leaving() -> None:
    joined = one(
        wire(
            LinkLayerEvent,
            {
                "common": common(901),
                "messageType": 12,
                "joinDirectContent": {"joiner": {"user": {"userId": "55"}}},
            },
        )
    )
    left = one(
        wire(
            LinkLayerEvent,
            {"common": common(902), "messageType": 9, "leaveContent": {"leaver": {"userId": "55"}}},
        )
    )
    kicked = one(
        wire(
            LinkLayerEvent,
            {
                "common": common(903),
                "messageType": 6,
                "kickOutContent": {"offliner": {"userId": "56"}},
            },
        )
    )
    assert isinstance(joined, Guest) and (joined.action, joined.user.id) == ("join", "55")
    assert (left.action, left.user.id) == ("leave", "55")
    assert (kicked.action, kicked.user.id) == ("leave", "56")
    assert map_event(wire(LinkLayerEvent, {"common": common(904), "messageType": 3})) == []


def test_live_ended_paused_connected_and_disconnected() -> None:
    ended = one(wire(ControlEvent, {"common": common(1001), "action": 3}))
    suspended = one(wire(ControlEvent, {"common": common(1002), "action": 4}))
    paused = one(wire(ControlEvent, {"common": common(1003), "action": 1}))
    assert isinstance(ended, Connection) and ended.status == "ended"
    assert suspended.status == "ended" and "suspended" in suspended.detail
    assert paused.status == "connected" and "paused" in paused.detail
    connected = one(ConnectEvent(unique_id="ann", room_id=7300000000000000001))
    assert connected.status == "connected" and connected.detail == "@ann · room 7300000000000000001"
    assert one(DisconnectEvent()).status == "disconnected"


def test_what_we_do_not_use_maps_to_nothing() -> None:
    assert map_event(WebsocketResponseEvent()) == []
    assert map_event(wire(EmoteChatEvent, {"common": common(1101), "user": ANN})) == []
    assert map_event(object()) == []


# -- repeats -------------------------------------------------------------------------------------


def test_comments_resent_on_a_reconnect_are_dropped_by_message_id() -> None:
    mapper = TikTokMapper()
    first = [comment(n, f"c{n}") for n in range(1, 6)]
    assert [e.text for ev in first for e in mapper.map(ev)] == ["c1", "c2", "c3", "c4", "c5"]
    # On the next connect TikTok sends the last few again, then new ones.
    again = [comment(n, f"c{n}") for n in range(3, 8)]
    assert [e.text for ev in again for e in mapper.map(ev)] == ["c6", "c7"]
    assert mapper.repeats == 3
    # States are not dropped: the same viewer count twice is the same fact twice.
    seq = wire(RoomUserSeqEvent, {"common": common(50), "total": 10})
    assert len(mapper.map(seq)) == len(mapper.map(seq)) == 1


def test_the_window_of_ids_is_bounded() -> None:
    mapper = TikTokMapper(capacity=3)
    for n in range(10):
        assert len(mapper.map(comment(n))) == 1
    assert len(mapper.recent) == 3
    assert mapper.map(comment(9)) == [] and len(mapper.map(comment(0))) == 1  # 0 was forgotten


# -- failures ------------------------------------------------------------------------------------


def rate_limited(remaining: str = "90", reset: str = "1700000900") -> Exception:
    response = httpx.Response(
        429, headers={"RateLimit-Remaining": remaining, "RateLimit-Reset": reset}
    )
    return tt_errors.SignatureRateLimitError(
        "slow down", "Too many connections started, try again in %s seconds.", response=response
    )


NOW = 1_700_000_000.0


def test_each_failure_has_its_own_clear_message() -> None:
    offline = classify_failure(tt_errors.UserOfflineError(), "ann", NOW)
    missing = classify_failure(tt_errors.UserNotFoundError("ann", "no such user"), "ann", NOW)
    age = classify_failure(tt_errors.AgeRestrictedError("Age restricted stream."), "ann", NOW)
    blocked = classify_failure(
        tt_errors.WebcastBlockedError('rejected "400 Bad Request"'), "ann", NOW
    )
    scraped = classify_failure(FailedParseRoomIdError("captcha?"), "ann", NOW)
    messages = [f.message for f in (offline, missing, age, blocked, scraped)]
    assert len(set(messages)) == len(messages)
    assert all("\n" not in m and "TikTokLive v" not in m for m in messages)
    assert (offline.kind, offline.final) == ("offline", False)
    assert "not LIVE" in offline.message
    assert (missing.kind, missing.final) == ("not_found", True) and "@ann" in missing.message
    assert (age.kind, age.final) == ("age_restricted", True) and "age-restricted" in age.message
    assert blocked.kind == scraped.kind == "blocked" and not blocked.final
    assert "400 Bad Request" in blocked.message
    other = classify_failure(OSError("network is unreachable"), "ann", NOW)
    assert other.kind == "other" and "network is unreachable" in other.message


def test_a_rate_limit_says_when_the_next_try_is() -> None:
    failure = classify_failure(rate_limited(remaining="90"), "ann", NOW)
    assert failure.kind == "rate_limited" and failure.retry_at == NOW + 90
    # Without a retry-after, the reset time (an epoch time) says it.
    reset_only = classify_failure(rate_limited(remaining="0"), "ann", NOW)
    assert reset_only.retry_at == 1_700_000_900
