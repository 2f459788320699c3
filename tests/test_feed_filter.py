"""The feed's `/` filter: parsing, matching, RE2's refusals, and `FeedWindow.set_filter`."""

from __future__ import annotations

import pytest

from backstage_tui.events import Gift, Hide, Highlight, Question
from backstage_tui.state import ConsoleState, FeedWindow
from backstage_tui.state.feed_filter import FeedFilter, FilterError
from backstage_tui.state.moderation import ModerationState
from tests.helpers import comment, user

TROLL, MOD = user("troll", "Troll King"), user("kim", "Kim", "moderator")


def matching(query: str, events: list, moderation: ModerationState | None = None) -> list[str]:
    feed_filter = FeedFilter.parse(query)
    moderation = moderation or ModerationState()
    return [e.id for e in events if feed_filter.matches(e, moderation)]


EVENTS = [
    comment(1, "Hello there", TROLL),
    comment(2, "buy followers at spam.example", user("bot", "Bot")),
    Question(id="q3", user=MOD, text="when is the next stream?"),
    Gift(id="g4", user=TROLL, gift_name="Rose"),
]


def test_words_names_and_kinds() -> None:
    assert matching("hello", EVENTS) == ["c1"]
    assert matching("troll", EVENTS) == ["c1", "g4"], "the name counts too"
    assert matching("from:@troll", EVENTS) == ["c1", "g4"]
    assert matching("from:king is:gift", EVENTS) == ["g4"]
    assert matching("is:question", EVENTS) == ["q3"]
    assert matching("is:mod", EVENTS) == ["q3"]
    asked = comment(5, "how long is the stream", TROLL)
    assert matching("is:question", [*EVENTS, asked]) == ["q3", "c5"], "as the Questions list"


def test_state_kinds_read_the_moderation_state() -> None:
    state = ConsoleState.fold([*EVENTS, Hide(target="c2"), Highlight(user=TROLL, target="c1")])
    assert matching("is:hidden", EVENTS, state.moderation) == ["c2"]
    assert matching("is:highlighted", EVENTS, state.moderation) == ["c1"]


def test_patterns_run_through_re2_and_take_the_rest_of_the_line() -> None:
    assert matching(r"re:\bspam\.\w+", EVENTS) == ["c2"]
    assert matching("from:bot re:buy followers", EVENTS) == ["c2"]
    assert matching("re:(a+)+$", [comment(9, "a" * 5000 + "!")]) == [], "no blow-up: linear time"


@pytest.mark.parametrize(
    ("query", "says"),
    [
        (r"re:(a)\1", "invalid escape"),
        ("re:(?=x)", "invalid perl operator"),
        ("is:spam", "is:gift"),
    ],
)
def test_what_re2_or_the_parser_refuses_is_one_line(query: str, says: str) -> None:
    with pytest.raises(FilterError) as caught:
        FeedFilter.parse(query)
    assert says in str(caught.value) and "\n" not in str(caught.value)


def test_the_window_shows_only_matches_and_keeps_the_cursor() -> None:
    window = FeedWindow(100)
    window.add_batch([comment(n, "ping" if n % 2 else "pong") for n in range(10)])
    window.select(5)  # c5: ping
    moderation = ModerationState()
    window.set_filter(FeedFilter.parse("ping").predicate(moderation))
    assert [e.id for e in window.lines] == ["c1", "c3", "c5", "c7", "c9"]
    assert window.selected_event is not None and window.selected_event.id == "c5"
    window.tail()
    window.add_batch([comment(10, "pong"), comment(11, "ping")])
    assert [e.id for e in window.lines][-1] == "c11" and len(window.lines) == 6
    window.set_filter(None)
    assert len(window.lines) == 12
