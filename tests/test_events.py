import pytest
from pydantic import ValidationError

from backstage_tui.events import (
    EVENT_TYPES,
    POLL_MAX_OPTIONS,
    Comment,
    Gift,
    Hide,
    Pin,
    PollStart,
    User,
    event_from_dict,
    event_from_json,
    event_to_json,
)


def test_minimal_comment_line_fills_id_and_ts() -> None:
    event = event_from_json(
        b'{"type":"comment","user":{"id":"1","handle":"ann","name":"Ann"},"text":"hi"}'
    )
    assert isinstance(event, Comment)
    assert event.text == "hi" and event.user.handle == "ann"
    assert event.id and event.ts > 0 and event.seq == 0


def test_every_type_round_trips_through_json() -> None:
    user = User(id="7", handle="bo", name="Bo", roles=("moderator",), badges=("lvl 12",))
    samples = {
        "comment": {"user": user, "text": "hi \u2028 there"},
        "question": {"user": user, "text": "when?"},
        "gift": {"user": user, "gift_id": 5655, "gift_name": "Rose", "diamonds": 1,
                 "repeat_count": 3, "streak_id": "s1", "streak_end": False},
        "like": {"user": user, "count": 5, "total": 100},
        "follow": {"user": user},
        "share": {"user": user},
        "join": {"user": user},
        "viewers": {"count": 42},
        "connection": {"status": "reconnecting", "detail": "timeout"},
        "gap": {"since": 1.0, "until": 2.0, "reason": "reconnect"},
        "malformed": {"raw": "{", "error": "bad json"},
        "platform_moderation": {"platform": "twitch", "action": "timeout", "user": user,
                                "duration_s": 600},
        "pin": {"target": "x", "user": user, "text": "hi", "expire_s": 300},
        "unpin": {"target": "x"},
        "hide": {"target": "x"},
        "unhide": {"target": "x"},
        "mute": {"user": user, "target": "x", "duration_s": 300, "effect": "queued"},
        "block": {"user": user, "reason": "spam", "by": "sam"},
        "moderator": {"user": user, "appoint": False},
        "highlight": {"user": user, "target": "x", "text": "great"},
        "shoutout": {"user": user},
        "watch": {"user": user, "duration_s": 60},
        "note": {"user": user, "text": "regular"},
        "undo": {"action": "a1"},
        "todo_done": {"action": "a1"},
        "mark_done": {"kind": "question", "target": "q1", "by": "sam"},
        "say": {"text": "thanks!", "target": "x", "user": user, "effect": "queued"},
        "forward_result": {"action": "a1", "ok": False, "error": "refused"},
        "guest": {"user": user, "action": "join"},
        "platform_poll": {"poll_id": "9", "status": "update", "title": "Next game?",
                          "options": [{"text": "chess", "votes": 3}, {"text": "go", "votes": 1}]},
        "platform_pin": {"target": "m1", "text": "hi", "user": user, "by": "host"},
        "automod": {"rule": "terms.slurs", "outcome": "hold", "target": "x", "user": user,
                    "text": "b4n", "detail": "ban", "also": ["caps"]},
        "approve": {"target": "x"},
        "deny": {"target": "x", "user": user},
        "poll_start": {"poll_id": "p1", "question": "Next game?", "options": ["chess", "go"],
                       "duration_s": 60, "first_vote_only": True},
        "poll_close": {"poll_id": "p1"},
    }  # fmt: skip
    assert set(samples) == set(EVENT_TYPES)
    for kind, fields in samples.items():
        event = event_from_dict({"type": kind, **fields})
        assert event.type == kind
        assert event_from_json(event_to_json(event)) == event


def test_unknown_type_and_missing_fields_are_rejected() -> None:
    with pytest.raises(ValidationError):
        event_from_json(b'{"type":"nope"}')
    with pytest.raises(ValidationError):
        event_from_json(b'{"type":"comment","text":"no user"}')


def test_events_are_frozen_facts() -> None:
    event = Gift(user=User(id="1"), gift_name="Rose")
    with pytest.raises(ValidationError):
        event.gift_name = "Lion"  # type: ignore[misc]


def test_actions_have_their_own_types() -> None:
    assert Pin(target="a").type == "pin"
    assert Hide(target="a").type == "hide"
    assert Pin(target="a").id != Pin(target="a").id


def test_a_poll_has_two_to_six_options_and_a_positive_duration() -> None:
    assert PollStart(question="?", options=("a", "b")).poll_id
    for options in [("a",), tuple("abcdefg"[: POLL_MAX_OPTIONS + 1])]:
        with pytest.raises(ValidationError):
            PollStart(question="?", options=options)
    with pytest.raises(ValidationError):
        PollStart(question="?", options=("a", "b"), duration_s=0)
