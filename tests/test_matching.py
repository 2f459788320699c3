"""The auto-moderation matcher: disguised words still read as the word, blocked terms are found as
whole words (or inside words with ``*``), and the fold is stable and never raises."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backstage_tui.matching import TermMatcher, fold, mark, plain, premark, term

EVASIONS = [
    "ban",
    "BAN",
    "b\u200ban",  # zero-width space
    "b\u200d\u2060an",  # zero-width joiner, word joiner
    "\u202eban",  # a bidi override
    "B4N",  # leetspeak
    "b@n",
    "ｂａｎ",  # fullwidth
    "𝐛𝐚𝐧",  # mathematical bold
    "bаn",  # Cyrillic а
    "ΒΑΝ",  # Greek capitals
    "bɑn",  # Latin alpha
    "baaan",  # repeated letters
    "bbbaaannn",
    "BAAAAN",
    "bän",  # a diaeresis
    "ba\u0301n",  # a combining accent
    "b̸̢a̵n̷",  # zalgo
    "b\u00adan",  # a soft hyphen
]


@pytest.mark.parametrize("text", EVASIONS)
def test_every_disguise_folds_to_the_word(text: str) -> None:
    assert fold(text) == "ban"


@pytest.mark.parametrize("text", EVASIONS)
def test_a_blocked_term_is_found_through_every_disguise(text: str) -> None:
    matcher = TermMatcher([term("ban", "terms.t")])
    hits = matcher.find(premark(f"please {text} me"))
    assert [hit.term.text for hit in hits] == ["ban"]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("ban", True),
        ("ban!", True),  # "!" reads as i, but also ends the word
        ("ban4", True),  # "4" reads as a, but also ends the word
        ("banned", False),
        ("bank", False),
        ("banana", False),
        ("urban", False),
        ("the ban.", True),
        ("b-a-n", False),
        ("BAN BAN", True),
    ],
)
def test_terms_match_whole_words(text: str, found: bool) -> None:
    matcher = TermMatcher([term("ban", "x")])
    assert bool(matcher.find(premark(text))) is found


def test_leetspeak_inside_a_word_is_a_letter() -> None:
    matcher = TermMatcher([term("shit", "x"), term("ass", "x")])
    assert [h.term.text for h in matcher.find(premark("oh sh!t"))] == ["shit"]
    assert [h.term.text for h in matcher.find(premark("you @$$"))] == ["ass"]
    assert matcher.find(premark("a cl@ss act")) == []  # "ass" inside a word
    assert matcher.find(premark("what was that")) == []


def test_double_letters_are_told_from_single_ones() -> None:
    """Collapsing runs must not make ``ass`` match the word ``as``, nor ``god`` match ``good``; a
    letter written three times or more stands for one or two."""
    matcher = TermMatcher([term("ass", "x"), term("god", "y")])
    assert matcher.find(premark("such as this, so good")) == []
    assert [h.term.text for h in matcher.find(premark("asssss"))] == ["ass"]
    assert [h.term.text for h in matcher.find(premark("oh gooood"))] == ["god"]
    assert [h.term.text for h in matcher.find(premark("g0d"))] == ["god"]


def test_a_wildcard_matches_inside_words() -> None:
    matcher = TermMatcher([term("*coin*", "a"), term("scam*", "b"), term("*bot", "c")])
    found = {hit.term.text for hit in matcher.find(premark("FREE BITCOINS scammers robot"))}
    assert found == {"*coin*", "scam*", "*bot"}
    assert matcher.find(premark("coi n botany ascam")) == []


def test_overlapping_and_nested_terms_are_all_found_where_they_are() -> None:
    """Every occurrence the automaton reports counts, overlapping ones too: a term inside another
    (`*am` in `scam`, both ending at the same letter), one starting inside another (`scam*` and
    `*amer`), each at its own place; `cam` inside `scam` is not the word `cam`."""
    matcher = TermMatcher(
        [term("scam", "a"), term("*am", "b"), term("scam*", "c"), term("*amer", "d"),
         term("cam", "e")]
    )  # fmt: skip
    text = "a scamer and a scam"  # no double letters: the marked text is the text
    hits = {hit.term.text: (hit.start, hit.end) for hit in matcher.find(premark(text))}
    # One hit per term, its first place: `scam*` in "scamer" before the word "scam".
    assert hits == {"scam*": (2, 6), "*amer": (4, 8), "scam": (15, 19), "*am": (17, 19)}
    assert [text[start:end] for start, end in hits.values()] == ["scam", "amer", "scam", "am"]
    # Places count characters, not bytes or UTF-16 units: emoji outside the BMP before a term.
    after_emoji = "🔥🫶 scamer 😀scam"
    marked = mark(after_emoji)
    found = {
        hit.term.text: marked[hit.start : hit.end] for hit in matcher.find(premark(after_emoji))
    }
    assert found == {"scam*": "scam", "*amer": "amer", "scam": "scam", "*am": "am"}


def test_many_terms_and_phrases_at_once() -> None:
    words = [f"w{a}{b}x" for a in "bcdfghjklmnp" for b in "qrstvwxyz"] * 2 + ["free coins"]
    assert len(words) > 200
    matcher = TermMatcher(term(word, "t") for word in words)
    hits = matcher.find(premark("get FREE   COINS and wbqx but not wbqxyz"))
    assert {hit.term.text for hit in hits} == {"free coins", "wbqx"}


def test_terms_of_several_rules_and_unusable_terms() -> None:
    matcher = TermMatcher(
        [term("ban", "a"), term("BAN", "b"), term("\u200b", "c"), term("**", "d")]
    )
    assert {hit.term.label for hit in matcher.find(premark("ban"))} == {"a", "b"}
    assert [t.label for t in matcher.unusable] == ["c", "d"]
    assert TermMatcher([]).find(mark("anything")) == []


def test_scripts_without_spaces_match_inside_sentences() -> None:
    matcher = TermMatcher([term("馬鹿", "x")])
    assert matcher.find(premark("お前は馬鹿だ"))


def test_plain_keeps_letters_and_digits_but_drops_disguise() -> None:
    assert plain("Visit BIT.LY/fr33") == "visit bit.ly/fr33"
    assert plain("ｂｉｔ．ｌｙ/x") == "bit.ly/x"
    assert plain("bit\u200b.ly") == "bit.ly"


@given(st.text())
def test_fold_never_raises_and_is_stable(text: str) -> None:
    marked = mark(text)
    assert len(marked.lower()) == len(marked)  # the matcher's indexes hold in both forms
    folded = fold(text)
    assert fold(folded) == folded
    assert "\u200b" not in folded and "\u202e" not in folded


DISGUISES = {
    "b": ["b", "B", "ｂ", "𝐛", "Ｂ", "Β", "В", "8"],
    "a": ["a", "A", "4", "@", "а", "ɑ", "ａ", "á", "ä", "aaa", "Α"],
    "n": ["n", "N", "ｎ", "𝐧", "ñ", "Ν", "nnn"],
}
INVISIBLE = ["", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u00ad"]


@given(
    st.tuples(*(st.sampled_from(DISGUISES[letter]) for letter in "ban")),
    st.lists(st.sampled_from(INVISIBLE), min_size=3, max_size=3),
    st.sampled_from(["", "hey ", "you! ", "@ann "]),
    st.sampled_from(["", " now", "!", "..."]),
)
def test_any_mix_of_disguises_is_still_found(
    letters: tuple[str, str, str], gaps: list[str], before: str, after: str
) -> None:
    word = "".join(letter + gap for letter, gap in zip(letters, gaps, strict=True))
    matcher = TermMatcher([term("ban", "x")])
    assert matcher.find(premark(before + word + after)), repr(word)
