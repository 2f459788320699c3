import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from backstage_tui.safetext import (
    BIDI_CONTROLS,
    ZWJ,
    display,
    display_name,
    normalize,
    set_width_policy,
)
from tests.helpers import kept_width_policy

HOSTILE = [
    "[@click=app.quit]x[/]",
    "a [/] b",
    "\x1b]0;t\x07",
    "\x1b]52;c;aGVsbG8=\x07",
    "\x1b[6n",
    "\x9b31m",
    "\u202egnp.exe",
    "b\u200ban",
]


def test_escape_sequences_become_visible_pictures() -> None:
    assert display("\x1b]0;t\x07") == "␛]0;t␇"
    assert display("a\x00b\x7fc") == "a␀b␡c"
    assert "\x9b" not in display("\x9b31m")


def test_line_breaks_of_every_kind_stay_on_one_line() -> None:
    assert display("a\nb\r\nc\u2028d\x85e\u2029f") == "a⏎b⏎⏎c⏎d⏎e⏎f"


@kept_width_policy()
def test_bidi_and_zero_width_are_dropped_but_emoji_joiners_stay_under_native() -> None:
    set_width_policy("native", "test")
    assert display("\u202egnp.exe") == "gnp.exe"
    assert display("b\u200ban") == "ban"
    family = "👩\u200d👩\u200d👧"
    assert display(family) == family
    set_width_policy("strict", "test")  # joiners go too (tests/test_width_policy.py)
    assert display(family) == "👩👩👧"


def test_long_text_is_cut_with_a_note() -> None:
    shown = display("x" * 1_000_000, limit=100)
    assert shown.startswith("x" * 100) and shown.endswith("(+999,900 chars)")


def test_zalgo_is_capped_per_base_character() -> None:
    shown = display("a" + "\u0301" * 20_000)
    assert len(shown) < 600
    assert display("e" + "\u0301" * 10) == "e\u0301\u0301"


def test_empty_or_invisible_names_get_a_placeholder() -> None:
    assert display_name("\u200b\u202e") == "?"
    assert display_name("   ") == "?"


def test_normalize_matches_disguised_words() -> None:
    assert normalize("b\u200ban") == "ban"
    assert normalize("ＢＡＮ") == "ban"


@settings(max_examples=300)
@given(st.text(), st.integers(min_value=1, max_value=600))
def test_display_never_leaves_controls_or_bidi_and_is_bounded(text: str, limit: int) -> None:
    shown = display(text, limit=limit)
    for ch in shown:
        assert unicodedata.category(ch) not in ("Cc", "Cs", "Zl", "Zp"), repr(ch)
        assert unicodedata.category(ch) != "Cf" or ch == ZWJ, repr(ch)
        assert ch not in BIDI_CONTROLS
    assert len(shown) <= limit * (1 + 2) + 32  # each base may carry two marks, plus the cut note


@given(st.sampled_from(HOSTILE))
def test_hostile_samples_are_printable(text: str) -> None:
    assert all(ch == ZWJ or ch.isprintable() for ch in display(text))
