"""The websocket feeds' envelopes, each mapped by its pure function, on sample payloads in the shapes
the feeds document (TikFinity / TikTok-Live-Connector, Euler Stream, Social Stream Ninja,
Streamer.bot)."""

from __future__ import annotations

from typing import Any

import pytest

from backstage_tui.events import (
    Comment,
    Follow,
    Gift,
    Join,
    Like,
    Malformed,
    PlatformModeration,
    Question,
    Share,
    Viewers,
)
from backstage_tui.sources.envelopes import (
    STREAMERBOT_EVENTS,
    from_envelope,
    sniff,
    streamerbot_subscription,
)


def read(data: dict[str, Any]) -> list[Any]:
    kind = sniff(data)
    assert kind is not None, f"not recognised: {data}"
    return from_envelope(kind, data)


# --- TikFinity: {"event", "data"} with TikTok-Live-Connector's fields ---------------------------

TIKFINITY_USER = {"uniqueId": "ana_22", "nickname": "Ana 🌸", "userId": "6921",
                  "isModerator": True, "isSubscriber": False, "followRole": 2}  # fmt: skip


def test_tikfinity_chat_keeps_the_message_id_user_and_roles() -> None:
    (event,) = read(
        {"event": "chat", "data": {**TIKFINITY_USER, "comment": "hi!", "msgId": "7301"}}
    )
    assert isinstance(event, Comment)
    assert (event.id, event.text, event.platform) == ("7301", "hi!", "tiktok")
    assert (event.user.id, event.user.handle, event.user.name) == ("6921", "ana_22", "Ana 🌸")
    assert set(event.user.roles) == {"moderator", "follower", "friend"}


def test_tikfinity_user_nested_under_user_is_read_too() -> None:
    data = {"comment": "yo", "user": {"uniqueId": "bo", "nickname": "Bo", "userId": "9"},
            "userIdentity": {"isModeratorOfAnchor": True, "isSubscriberOfAnchor": True}}  # fmt: skip
    (event,) = read({"event": "chat", "data": data})
    assert event.user.handle == "bo" and set(event.user.roles) == {"moderator", "subscriber"}


def test_a_gift_streak_counts_once_at_its_end() -> None:
    streak = {**TIKFINITY_USER, "giftId": 5655, "giftName": "Rose", "diamondCount": 1,
              "giftType": 1, "msgId": "g1"}  # fmt: skip
    running = [read({"event": "gift", "data": {**streak, "repeatCount": n, "repeatEnd": False}})
               for n in (1, 2, 3)]  # fmt: skip
    assert running == [[], [], []]
    (end,) = read({"event": "gift", "data": {**streak, "repeatCount": 4, "repeatEnd": True}})
    assert isinstance(end, Gift)
    assert (end.gift_name, end.diamonds, end.repeat_count, end.streak_end) == ("Rose", 1, 4, True)


def test_a_gift_that_cannot_streak_counts_at_once() -> None:
    data = {**TIKFINITY_USER, "giftId": 6, "giftName": "Lion", "diamondCount": 29999,
            "giftType": 2, "repeatCount": 1, "repeatEnd": False}  # fmt: skip
    (gift,) = read({"event": "gift", "data": data})
    assert gift.gift_name == "Lion" and gift.diamonds == 29999


def test_tikfinity_likes_follows_shares_joins_viewers_questions_and_subscriptions() -> None:
    def one(event: str, **data: Any) -> Any:
        (only,) = read({"event": event, "data": {**TIKFINITY_USER, **data}})
        return only

    like = one("like", likeCount=15, totalLikeCount="5678")
    assert isinstance(like, Like) and (like.count, like.total) == (15, 5678)
    assert isinstance(one("follow"), Follow)
    assert isinstance(one("share"), Share)
    assert isinstance(one("member"), Join)
    assert isinstance(one("social", displayType="pm_main_follow_message_viewer_2"), Follow)
    assert isinstance(one("roomUser", viewerCount=321), Viewers)
    question = one("questionNew", questionText="when is the next live?")
    assert isinstance(question, Question) and question.text == "when is the next live?"
    sub = one("subscribe")
    assert isinstance(sub, Gift) and sub.gift_name == "Subscription"


def test_tikfinity_events_the_console_does_not_show_pass_unseen() -> None:
    assert read({"event": "linkMicBattle", "data": {"battleUsers": []}}) == []


def test_a_known_envelope_with_bad_contents_is_malformed_not_lost() -> None:
    (bad,) = read({"event": "chat", "data": "oops"})
    assert isinstance(bad, Malformed) and "without its data" in bad.error
    (no_text,) = read({"event": "chat", "data": {**TIKFINITY_USER}})
    assert isinstance(no_text, Malformed) and "'uniqueId'" in no_text.raw


def test_hostile_numbers_do_not_break_the_mapping() -> None:
    data = {**TIKFINITY_USER, "likeCount": "9" * 5000, "totalLikeCount": -5}
    (like,) = read({"event": "like", "data": data})
    assert (like.count, like.total) == (1, 0)
    (gift,) = read({"event": "gift", "data": {**TIKFINITY_USER, "diamondCount": 1e300}})
    assert gift.diamonds == 0


# --- Euler Stream: {"messages": [{"type", "data"}]} ------------------------------------------------


def test_euler_stream_messages_in_one_frame() -> None:
    user = {"userId": "42", "uniqueId": "cy", "nickname": "Cy"}
    frame = {"messages": [
        {"type": "WebcastChatMessage", "data": {"common": {"msgId": "e1"}, "user": user,
                                                "comment": "first"}},
        {"type": "WebcastGiftMessage", "data": {"common": {"msgId": "e2"}, "user": user,
            "giftId": 5655, "repeatCount": 3, "repeatEnd": 1,
            "giftDetails": {"giftName": "Rose", "diamondCount": 1, "giftType": 1}}},
        {"type": "WebcastLikeMessage", "data": {"user": user, "likeCount": 5, "totalLikeCount": 99}},
        {"type": "WebcastRoomUserSeqMessage", "data": {"viewerCount": 1234}},
        {"type": "WebcastRankUpdateMessage", "data": {}},
    ]}  # fmt: skip
    events = read(frame)
    assert [type(e) for e in events] == [Comment, Gift, Like, Viewers]
    comment, gift, like, viewers = events
    assert (comment.id, comment.text, comment.user.handle) == ("e1", "first", "cy")
    assert (gift.id, gift.gift_name, gift.repeat_count) == ("e2", "Rose", 3)
    assert like.total == 99 and viewers.count == 1234


def test_euler_stream_message_without_a_type_is_malformed() -> None:
    (bad,) = read({"messages": [{"data": {}}]})
    assert isinstance(bad, Malformed) and "Euler Stream" in bad.error


# --- Social Stream Ninja: {chatname, chatmessage, type, ...} -----------------------------------


def test_social_stream_ninja_chat_with_its_platform_and_html_removed() -> None:
    (event,) = read({"chatname": "Steve", "chatmessage": "Hello <img src='x.png'> &amp; bye",
                     "type": "twitch", "userid": "user123", "moderator": True, "id": 12})  # fmt: skip
    assert isinstance(event, Comment)
    assert (event.text, event.platform, event.user.name) == ("Hello  & bye", "twitch", "Steve")
    assert event.user.roles == ("moderator",)
    # Its ids are counters that restart with the app: never used, so no new message is dropped.
    assert event.id != "12"


def test_social_stream_ninja_text_only_is_kept_as_typed() -> None:
    (event,) = read({"chatname": "a", "chatmessage": "1 < 2 <b>", "textonly": True, "type": "kick"})
    assert event.text == "1 < 2 <b>" and event.platform == "other"


def test_social_stream_ninja_events_and_donations() -> None:
    (follow,) = read(
        {"chatname": "Zed", "chatmessage": "", "type": "tiktok", "event": "new_follower"}
    )
    assert isinstance(follow, Follow) and follow.platform == "tiktok"
    (viewers,) = read({"chatname": "", "chatmessage": "", "type": "youtube",
                       "event": "viewer_update", "meta": 88})  # fmt: skip
    assert isinstance(viewers, Viewers) and viewers.count == 88
    gift, comment = read({"chatname": "Kim", "chatmessage": "take my bits", "type": "twitch",
                          "hasDonation": "100 bits"})  # fmt: skip
    assert isinstance(gift, Gift) and gift.gift_name == "100 bits"
    assert isinstance(comment, Comment) and comment.text == "take my bits"
    assert read({"chatname": "x", "chatmessage": "", "type": "x", "event": "stream_status"}) == []


# --- Streamer.bot: {"event": {"source", "type"}, "data"} ----------------------------------------


def test_streamerbot_twitch_chat_with_role_and_badges() -> None:
    message = {"msgId": "abc-1", "userId": "77", "username": "dee", "displayName": "Dee",
               "role": 3, "subscriber": True, "message": "gg", "badges": [{"name": "moderator"}]}  # fmt: skip
    (event,) = read({"timeStamp": "2026-01-01T00:00:00Z",
                     "event": {"source": "Twitch", "type": "ChatMessage"},
                     "data": {"message": message}})  # fmt: skip
    assert isinstance(event, Comment)
    assert (event.id, event.text, event.platform) == ("abc-1", "gg", "twitch")
    assert set(event.user.roles) == {"moderator", "subscriber"} and event.user.badges == (
        "moderator",
    )


def test_streamerbot_youtube_cheer_follow_and_moderation() -> None:
    (yt,) = read({"event": {"source": "YouTube", "type": "Message"},
                  "data": {"eventId": "y1", "message": "hi",
                           "user": {"id": "UC1", "name": "Yara", "isOwner": True}}})  # fmt: skip
    assert yt.platform == "youtube" and yt.user.roles == ("host",)
    (cheer,) = read({"event": {"source": "Twitch", "type": "Cheer"},
                     "data": {"msgId": "c9", "userId": "1", "username": "b", "bits": 250}})  # fmt: skip
    assert isinstance(cheer, Gift) and (cheer.gift_name, cheer.repeat_count) == ("Bits", 250)
    (follow,) = read({"event": {"source": "Twitch", "type": "Follow"},
                      "data": {"user_id": "5", "user_login": "fi", "user_name": "Fi"}})  # fmt: skip
    assert isinstance(follow, Follow) and follow.user.handle == "fi"
    (timeout,) = read({"event": {"source": "Twitch", "type": "UserTimedOut"},
                       "data": {"userId": "5", "username": "fi", "duration": 600}})  # fmt: skip
    assert isinstance(timeout, PlatformModeration)
    assert (timeout.action, timeout.duration_s) == ("timeout", 600)


def test_streamerbot_greeting_is_not_an_event_and_the_subscription_asks_for_what_is_mapped() -> (
    None
):
    assert sniff({"request": "Hello", "info": {"name": "Streamer.bot"}}) == "streamerbot_control"
    assert from_envelope("streamerbot_control", {"status": "ok", "id": "x"}) == []
    request = streamerbot_subscription()
    assert request["request"] == "Subscribe"
    assert {s: set(k) for s, k in request["events"].items()} == {
        s: set(k) for s, k in STREAMERBOT_EVENTS.items()
    }


@pytest.mark.parametrize(
    "data", [[1, 2], "text", 5, None, {"foo": 1}, {"event": 5}, {"messages": "no"}]
)
def test_unknown_shapes_are_not_recognised(data: Any) -> None:
    assert sniff(data) is None
