"""The emoji width policy of `safetext.display`: what `strict` rewrites, that `native` keeps the
text, and that a strict display form measures the same in Rich and in every terminal table wcwidth
has (the tables the policy is generated to agree with)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from backstage_tui import safetext
from backstage_tui.safetext import REPLACEMENT, display, display_name, set_width_policy
from backstage_tui.width_table import NOT_COVERED
from tests.helpers import kept_width_policy

FAMILY = "👨\u200d👩\u200d👧"
CODER = "👩🏽\u200d💻"
RAINBOW_FLAG = "🏳️\u200d🌈"
SCOTLAND = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
SHAKING_FACE = "\U0001fae8"  # Unicode 15
PINK_HEART = "\U0001fa77"  # Unicode 15
SKIN_TONES = "".join(map(chr, range(0x1F3FB, 0x1F400)))

FORBIDDEN = frozenset(
    "\u200d\ufe0e\ufe0f"
    + SKIN_TONES
    + "".join(map(chr, range(0xE0000, 0xE0080)))
    + "".join(map(chr, range(0x1F1E6, 0x1F200)))
)
"""What a strict display form never holds: joiners, variation selectors, skin tones, tag
characters and regional indicators."""


@pytest.fixture(autouse=True)
def _restore_policy() -> Iterator[None]:
    with kept_width_policy():
        yield


@pytest.fixture
def strict() -> None:
    set_width_policy("strict", "test")


@pytest.mark.usefixtures("strict")
@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Thiago 🇲🇽", "Thiago [MX]"),
        ("🇧🇷🇲🇽", "[BR][MX]"),
        ("🇲", "[M]"),  # a lone regional indicator
        ("🇲🇽🇺 x", "[MX][U] x"),
        (f"Destiny {CODER}: W", "Destiny 👩💻: W"),
        (FAMILY, "👨👩👧"),
        (f"Jordan {RAINBOW_FLAG} joined", "Jordan 🏳🌈 joined"),
        ("👍🏽", "👍"),
        (SKIN_TONES, ""),  # lone modifiers
        ("tap ❤️❤️", "tap ❤❤"),
        ("☺︎", "☺"),  # VS15
        ("1️⃣ 2⃣ #️⃣ *️⃣", "[1] [2] [#] [*]"),
        (SCOTLAND, "🏴"),  # tag characters go, the black flag stays
        (f"{SHAKING_FACE}{PINK_HEART}", REPLACEMENT * 2),
        ("first time here 🥺", f"first time here {REPLACEMENT}"),  # Unicode 11: narrow before
        ("\u200d", ""),  # a lone ZWJ
        ("a\u200d", "a"),
        ("\u0915\u093e", "\u0915" + REPLACEMENT),  # का: a spacing vowel sign
        ("\u0915\u094d\u0937", "\u0915\u0937"),  # क्ष: the virama that makes a conjunct
        ("e\u0301", "e\u0301"),  # combining accents stay
        ("😂 🔥 ✨ 💜", "😂 🔥 ✨ 💜"),  # stable emoji stay as they are
        ("hola México", "hola México"),
    ],
)
def test_strict_rewrites_what_terminals_draw_differently(raw: str, shown: str) -> None:
    assert display(raw) == shown


def test_keycaps_keep_their_mark_when_brackets_are_off() -> None:
    set_width_policy("strict", "test", keycap_brackets=False)
    assert display("1️⃣") == "1\u20e3"
    assert cell_len(display("1️⃣")) == 1


def test_native_shows_the_text_as_typed() -> None:
    set_width_policy("native", "terminal probe agreed")
    for raw in (f"Destiny {CODER}", "Thiago 🇲🇽", FAMILY, "1️⃣", SHAKING_FACE, "\u0915\u093e"):
        assert display(raw) == raw
    # The rest of the sanitiser still applies: controls made visible, invisible format characters
    # (the tags of a subdivision flag among them) dropped.
    assert display("\x1b[31m🇲🇽") == "␛[31m🇲🇽"
    assert display(SCOTLAND) == "🏴"


def test_the_policy_in_force_says_why() -> None:
    chosen = set_width_policy("strict", "inside tmux")
    assert safetext.width_policy() is chosen
    assert str(chosen) == "strict: inside tmux"
    assert chosen.keycap_brackets
    with pytest.raises(ValueError):
        set_width_policy("wide", "no such policy")  # type: ignore[arg-type]


@pytest.mark.usefixtures("strict")
def test_names_made_only_of_removed_characters_get_the_placeholder() -> None:
    assert display_name("\u200d\ufe0f🏽") == "?"
    assert display_name("🇲🇽") == "[MX]"


@pytest.mark.usefixtures("strict")
def test_the_cut_still_bounds_a_strict_form() -> None:
    shown = display(CODER * 1000, limit=100)
    assert shown.endswith("(+3,900 chars)")  # the cut counts the raw text
    assert len(shown) < 120


# -- one width everywhere ---------------------------------------------------------------------

wcwidth = pytest.importorskip("wcwidth", minversion="0.8")

EMOJI_PARTS = [
    "🇲", "🇽", "🇧", "🇷", CODER, FAMILY, RAINBOW_FLAG, SCOTLAND, "\u200d", "\ufe0f", "\ufe0e",
    *SKIN_TONES, "❤️", "1️⃣", "#", "\u20e3", SHAKING_FACE, PINK_HEART, "🥺", "😂", "a", " ",
    "\u0915", "\u093e", "\u094d", "\u0937", "\u0902", "한", "\u1161", "\u0e01", "\u0e33",
    "\u0301", "e", "\U000e0067",
]  # fmt: skip
"""Pieces that make the sequences terminals disagree on, to mix with any text."""


def _terminal_tables() -> list[str]:
    from wcwidth.table_term_programs import ALIASES

    canonical = {ALIASES.get(name, name) for name in wcwidth.list_term_programs()}
    return sorted(canonical - set(NOT_COVERED))


def widths(text: str) -> dict[str, int]:
    """The width of `text` by Rich (newest tables and Unicode 9's), by wcwidth, and by wcwidth
    for each terminal it has tables for."""
    measured = {
        "rich": cell_len(text),
        "rich unicode 9": cell_len(text, "9.0.0"),
        "wcwidth": wcwidth.wcswidth(text),
    }
    for terminal in _terminal_tables():
        measured[terminal] = wcwidth.wcstwidth(text, term_program=terminal)
    return measured


def test_the_terminal_tables_are_there_to_compare() -> None:
    # The property below is only as strong as the tables it compares.
    assert {"xterm", "kitty", "iterm2", "wezterm", "vte"} <= set(_terminal_tables())


@pytest.mark.usefixtures("strict")
@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.one_of(
        st.text(),
        st.lists(st.one_of(st.sampled_from(EMOJI_PARTS), st.characters())).map("".join),
    )
)
def test_a_strict_display_form_has_one_width_everywhere(text: str) -> None:
    shown = display(text)
    measured = widths(shown)
    assert len(set(measured.values())) == 1, (text, shown, measured)
    assert FORBIDDEN.isdisjoint(shown), (text, shown)
    for ch in shown:
        assert unicodedata.category(ch) not in ("Cc", "Cf", "Cs"), (text, shown)


def test_the_consoles_own_glyphs_are_stable() -> None:
    """The marks and icons the feed draws next to viewers' text must not tear the panes either."""
    feed_lines = pytest.importorskip("backstage_tui.tui.feed_lines")
    glyphs = [glyph for glyph, _ in feed_lines.LEGEND]
    glyphs += [feed_lines.PIN_MARK, feed_lines.HIDDEN_MARK, "💎", "⚠", "⏎", "␛", REPLACEMENT]
    for glyph in glyphs:
        set_width_policy("strict", "test")
        assert display(glyph) == glyph
        assert len(set(widths(glyph).values())) == 1, (glyph, widths(glyph))
