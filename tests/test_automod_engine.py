"""The automod engine: each rule, the strongest outcome wins, exemptions, new viewers, the ladder."""

from __future__ import annotations

from typing import Any

import pytest

from backstage_tui.automod.engine import TEXT_MEMORY, AutomodEngine
from backstage_tui.automod.ladder import Ladder, Rung, parse_rung
from backstage_tui.automod.settings import AutomodSettings
from backstage_tui.events import (
    AutomodDecision,
    Block,
    Comment,
    Deny,
    Event,
    Hide,
    Mute,
    Question,
    User,
)
from tests.helpers import T0, comment, user

QUIET: dict[str, Any] = {
    name: {"enabled": False} for name in ("links", "caps", "repeats", "rate", "waves")
}
"""Every built-in rule off: a test turns on the one it is about."""


def engine(**config: Any) -> AutomodEngine:
    return AutomodEngine(AutomodSettings.model_validate({**QUIET, **config}))


def decisions(events: list[Event]) -> list[AutomodDecision]:
    return [event for event in events if isinstance(event, AutomodDecision)]


def decided(rules: AutomodEngine, event: Comment) -> tuple[str, str] | None:
    """(rule, outcome) of the decision on `event`, or None."""
    found = [d for d in decisions(rules.judge(event)) if d.target == event.id]
    assert len(found) <= 1
    return (found[0].rule, found[0].outcome) if found else None


def test_blocked_terms_hide_through_disguises_and_record_what_matched() -> None:
    rules = engine(terms={"slurs": {"terms": ["ban", "*coin*"]}})
    out = rules.judge(comment(1, "you B4N me"))
    decision, hide = out
    assert isinstance(decision, AutomodDecision) and isinstance(hide, Hide)
    assert (decision.rule, decision.outcome, decision.detail) == ("terms.slurs", "hide", "ban")
    assert decision.target == hide.target == "c1" and hide.by == "automod"
    assert decision.user.handle == "ann" and decision.text == "you B4N me"
    assert decision.ts == T0 + 1  # the message's own time: a replay's clock is unmoved
    assert decided(rules, comment(2, "FREE BITC0INS")) == ("terms.slurs", "hide")
    assert decided(rules, comment(3, "banana, and c o i n")) is None


def test_patterns_run_on_re2_on_the_text_or_its_folded_form() -> None:
    rules = engine(
        patterns={
            "phone": {"pattern": r"\d{3}[ .-]?\d{4}", "outcome": "hold"},
            "spaced": {"pattern": r"f\W*r\W*e\W*e", "folded": True, "outcome": "flag"},
        }
    )
    assert decided(rules, comment(1, "call 555-1234")) == ("patterns.phone", "hold")
    assert decided(rules, comment(2, "F.R.3.3 stuff")) == ("patterns.spaced", "flag")
    assert decided(rules, comment(3, "nothing here")) is None


@pytest.mark.parametrize(
    ("text", "host"),
    [
        ("free coins at bit.ly/fr33-c0ins", "bit.ly"),
        ("see https://evil.example.org/x", "evil.example.org"),
        ("www.scam.net", "scam.net"),
        ("ＢＩＴ．ＬＹ/x", "bit.ly"),
        ("bit\u200b.ly/x", "bit.ly"),
    ],
)
def test_links_are_held_unless_allowed(text: str, host: str) -> None:
    rules = engine(links={"allow": ["tiktok.com"]})
    out = decisions(rules.judge(comment(1, text)))
    assert [(d.rule, d.outcome, d.detail) for d in out] == [("links", "hold", host)]


@pytest.mark.parametrize(
    "text",
    ["follow me on tiktok.com/@ann", "https://www.tiktok.com/live", "e.g. this", "lol...ok",
     "mail me a@b.com? no", "3.14 is pi", "end of sentence.Next"],
)  # fmt: skip
def test_allowed_links_and_dotted_text_pass(text: str) -> None:
    assert decided(engine(links={"allow": ["tiktok.com"]}), comment(1, text)) is None


def test_caps_flags_shouting_but_not_short_or_mixed_messages() -> None:
    rules = engine(caps={})
    assert decided(rules, comment(1, "WHY IS NOBODY ANSWERING ME")) == ("caps", "flag")
    assert decided(rules, comment(2, "LOL OK")) is None  # short
    assert decided(rules, comment(3, "I love This Stream So Much")) is None
    assert decided(rules, comment(4, "ПОЧЕМУ НИКТО НЕ ОТВЕЧАЕТ")) == ("caps", "flag")


def test_repeats_flag_runs_and_emoji_floods() -> None:
    rules = engine(repeats={"max_run": 5, "max_emoji": 6})
    assert decided(rules, comment(1, "noooooooo")) == ("repeats", "flag")
    assert decided(rules, comment(2, "nooooo")) is None  # a run of 5 is allowed
    assert decided(rules, comment(3, "😂🔥😂🔥😂🔥😂")) == ("repeats", "flag")
    assert decided(rules, comment(4, "😂🔥 nice")) is None


def test_rate_flags_a_viewer_past_the_limit_on_the_session_clock() -> None:
    rules = engine(rate={"enabled": True, "messages": 3, "window_s": 10})
    ann, bo = user("ann"), user("bo")
    assert decided(rules, comment(1, "a", ann, ts=T0)) is None
    assert decided(rules, comment(2, "b", bo, ts=T0 + 1)) is None
    assert decided(rules, comment(3, "c", ann, ts=T0 + 2)) is None
    assert decided(rules, comment(4, "d", ann, ts=T0 + 3)) == ("rate", "flag")
    # Slow again: the oldest of the last three is out of the window.
    assert decided(rules, comment(5, "e", ann, ts=T0 + 20)) is None


def test_a_spam_wave_hides_every_copy_the_earlier_ones_too() -> None:
    rules = engine(waves={"enabled": True, "users": 3, "window_s": 30, "min_length": 8})
    texts = ["free coins in my bio", "FREE COINS in my bio", "fr\u200bee coins in my bi0"]
    first, second = (comment(n, texts[n], user(f"bot{n}"), ts=T0 + n) for n in range(2))
    assert rules.judge(first) == [] and rules.judge(second) == []
    third = comment(2, texts[2], user("bot2"), ts=T0 + 2)
    out = decisions(rules.judge(third))
    assert [(d.target, d.rule, d.outcome) for d in out] == [
        ("c0", "waves", "hide"), ("c1", "waves", "hide"), ("c2", "waves", "hide")
    ]  # fmt: skip
    assert decided(rules, comment(3, "FREE coins in my bio", user("bot9"), ts=T0 + 20)) == (
        "waves",
        "hide",
    )
    # Short chat is never a wave; nor is a text whose count ran out.
    for n in range(4, 10):
        assert decided(rules, comment(n, "hi", user(f"v{n}"), ts=T0 + n)) is None
    late = engine(waves={"enabled": True, "users": 2, "window_s": 5, "min_length": 8})
    late.judge(comment(1, "same text here", user("a"), ts=T0))
    assert decided(late, comment(2, "same text here", user("b"), ts=T0 + 60)) is None


def test_the_strongest_outcome_decides_and_the_others_are_listed() -> None:
    rules = engine(terms={"t": {"terms": ["scam"], "outcome": "flag"}}, links={}, caps={})
    (decision,) = decisions(rules.judge(comment(1, "SCAM AT BIT.LY/XYZ RIGHT NOW")))
    assert (decision.rule, decision.outcome) == ("links", "hold")
    assert set(decision.also) == {"terms.t", "caps"}


def test_questions_are_judged_and_other_events_are_not() -> None:
    rules = engine(terms={"t": {"terms": ["ban"]}})
    asked = Question(id="q1", ts=T0, user=user("ann"), text="ban?")
    assert decisions(rules.judge(asked))[0].target == "q1"
    assert rules.judge(Hide(target="c1")) == []


@pytest.mark.parametrize(
    "who",
    [user("mod", "Mod", "moderator"), user("host", "Host", "host"), user("trusted"),
     User(id="6921", handle="whoever")],
)  # fmt: skip
def test_moderators_the_host_and_the_allow_list_are_never_judged(who: User) -> None:
    rules = engine(terms={"t": {"terms": ["ban"]}}, allow=["@Trusted", "id:6921"])
    assert rules.judge(comment(1, "ban ban ban", who)) == []
    assert decided(rules, comment(2, "ban", user("ann"))) == ("terms.t", "hide")


def test_the_console_roster_is_exempt_through_the_hook() -> None:
    settings = AutomodSettings.model_validate({**QUIET, "terms": {"t": {"terms": ["ban"]}}})
    rules = AutomodEngine(settings, exempt=lambda who: who.handle == "deputy")
    assert rules.judge(comment(1, "ban", user("deputy"))) == []


def test_new_viewers_only_rules_judge_first_messages_and_new_viewers() -> None:
    rules = engine(terms={"t": {"terms": ["ban"], "new_viewers_only": True}})
    assert decided(rules, comment(1, "ban", user("ann"))) == ("terms.t", "hide")
    assert decided(rules, comment(2, "ban", user("ann"))) is None  # no longer new
    assert decided(rules, comment(3, "ban", user("fresh", "Fresh", "new"))) == ("terms.t", "hide")
    assert decided(rules, comment(4, "ban", user("fresh", "Fresh", "new"))) == ("terms.t", "hide")


def test_a_repeated_text_is_judged_the_same_for_each_message_and_memory_is_bounded() -> None:
    rules = engine(terms={"t": {"terms": ["ban"]}}, caps={"enabled": True, "min_letters": 3})
    first = decisions(rules.judge(comment(1, "BAN HAMMER", user("ann"))))
    again = decisions(rules.judge(comment(2, "BAN HAMMER", user("bob"))))
    assert [(d.rule, d.also, d.target, d.user.handle) for d in first + again] == [
        ("terms.t", ("caps",), "c1", "ann"),
        ("terms.t", ("caps",), "c2", "bob"),
    ]
    for n in range(TEXT_MEMORY + 10):
        rules.judge(comment(10 + n, f"hello {n}"))
    assert len(rules._by_text) <= TEXT_MEMORY  # a chat that never repeats cannot grow it
    assert decided(rules, comment(99_999, "BAN HAMMER")) == ("terms.t", "hide")


def test_no_rules_on_means_no_work() -> None:
    assert not engine().active
    assert not AutomodEngine(AutomodSettings(enabled=False)).active
    assert AutomodEngine(AutomodSettings()).active  # the default rule set


def test_offences_count_hides_and_denials_not_flags_or_holds() -> None:
    rules = engine(terms={"h": {"terms": ["ban"]}, "f": {"terms": ["meh"], "outcome": "flag"}},
                   links={})  # fmt: skip
    ann = user("ann")
    rules.judge(comment(1, "ban", ann))
    rules.judge(comment(2, "meh", ann))
    rules.judge(comment(3, "bit.ly/x", ann))
    assert rules.offences(ann.id) == 1
    rules.reviewed(Deny(target="c3", user=ann))
    assert rules.offences(ann.id) == 2


def test_the_ladder_parses_its_rungs_and_repeats_the_last() -> None:
    ladder = Ladder.parse(["hide", "mute:60", "mute:600", "block"])
    assert [ladder.rung(n) for n in (1, 2, 3, 4, 9)] == [
        Rung("hide"), Rung("mute", 60), Rung("mute", 600), Rung("block"), Rung("block")
    ]  # fmt: skip
    assert parse_rung("mute") == Rung("mute", None)
    assert Ladder.parse([]).rung(1) is None
    for bad in ("kick", "mute:soon", "mute:0", "hide:5", "block:1"):
        with pytest.raises(ValueError):
            parse_rung(bad)


def test_the_ladder_mutes_then_blocks_a_repeat_offender() -> None:
    rules = engine(terms={"t": {"terms": ["ban"]}})
    ann, bo = user("ann"), user("bo")
    steps = []
    for n in range(5):
        out = rules.judge(comment(n, "ban", ann))
        steps.append([type(e).__name__ for e in out])
        for action in out[2:]:
            assert isinstance(action, Mute | Block)
            assert action.by == "automod" and action.user == ann and action.target == f"c{n}"
            assert "terms.t" in action.reason and f"offence {n + 1}" in action.reason
    assert steps == [
        ["AutomodDecision", "Hide"],
        ["AutomodDecision", "Hide", "Mute"],
        ["AutomodDecision", "Hide", "Mute"],
        ["AutomodDecision", "Hide", "Block"],
        ["AutomodDecision", "Hide", "Block"],
    ]
    # Each viewer climbs their own ladder; a denial is a step on it too.
    assert [type(e).__name__ for e in rules.judge(comment(9, "ban", bo))] == [
        "AutomodDecision", "Hide"
    ]  # fmt: skip
    (mute,) = rules.reviewed(Deny(target="c10", user=bo))
    assert isinstance(mute, Mute) and mute.duration_s == 60


def test_the_ladder_is_configurable_and_can_be_off() -> None:
    rules = engine(terms={"t": {"terms": ["ban"]}}, escalation={"ladder": ["mute:5", "block"]})
    (_, _, mute) = rules.judge(comment(1, "ban"))
    assert isinstance(mute, Mute) and mute.duration_s == 5
    (_, _, block) = rules.judge(comment(2, "ban"))
    assert isinstance(block, Block)
    off = engine(terms={"t": {"terms": ["ban"]}}, escalation={"enabled": False})
    for n in range(4):
        assert [type(e).__name__ for e in off.judge(comment(n, "ban"))] == [
            "AutomodDecision", "Hide"
        ]  # fmt: skip
