"""Text as the auto-moderation rules compare it, and blocked terms found in it.

Viewers disguise words to get them past a filter. `fold` undoes the usual disguises, so that
``b\\u200ban``, ``B4N``, ``ｂａｎ``, ``bаn`` (a Cyrillic ``а``) and ``baaan`` all read ``ban``:

1. NFKC: fullwidth and mathematical letters (``ｂ``, ``𝐛``) become plain ones;
2. invisible characters go: zero-width spaces and joiners, bidi controls, other format and
   control characters, and combining marks (so ``bän`` and zalgo text read as their letters);
3. case is folded;
4. confusable letters from other scripts (Cyrillic ``а``, Greek ``ο``, ...) become the ASCII letter
   they look like, from Unicode's confusables table as the ``confusable-homoglyphs`` package ships
   it; only characters outside ASCII are looked up, so ``m`` never becomes ``rn``;
5. leetspeak becomes letters: ``4`` -> ``a``, ``3`` -> ``e``, ``$`` -> ``s``, ``@`` -> ``a``, ...;
6. a run of one letter becomes one letter (``baaan`` -> ``ban``).

A blocked term is folded the same way, and found with an Aho-Corasick automaton (`TermMatcher`),
all terms at once in one pass over the text. A term matches whole words: ``ban`` is not found in
``banana`` or ``urban``; ``*`` at its start or end lets it match inside a word (``*coin*``).
A letter that came from leetspeak counts both as a letter and as a word's edge, so ``ban!`` and
``ban4`` still match ``ban``, while ``sh!t`` matches ``shit``. A term still tells a double letter
from a single one: ``ass`` is not found in ``as``, nor ``god`` in ``good``; a letter written three
times or more (``baaan``, ``asssss``) stands for either.

Cost: each character's fold is worked out once and cached (`str.translate` through a table that
fills itself), ASCII text takes a fixed table without any lookup, and the confusables table is
loaded only when the first character outside ASCII arrives. No Rich, no Textual, no other part of
the console here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

LEET: dict[str, str] = {
    "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
    "@": "a", "$": "s", "!": "i", "|": "l", "+": "t", "€": "e", "£": "l",
}  # fmt: skip
"""Characters written for letters. A letter that came from one is kept upper case in the marked
form (`mark`), which is how the matcher knows it may also end a word."""
WILDCARD = "*"

_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me", "Zl", "Zp"})
"""Controls, format characters (zero-width, bidi), surrogates, private use, unassigned, combining
marks, and line or paragraph separators: nothing a reader sees as a letter."""
_BEFORE_SAME = re.compile(r"(.)(?=\1)", re.IGNORECASE | re.DOTALL)
"""A character followed by the same one: deleting these leaves one of each run (its last). Case-blind,
so a letter from leetspeak joins the run of its letter. (An empty replacement keeps `re.sub` in C;
a ``\\1`` template would cost a Python call per run.)"""
_RUNS = re.compile(r"(.)\1*", re.IGNORECASE | re.DOTALL)
"""Every run, of one character or more: the i-th is the i-th character of the collapsed text."""
_UNSPACED = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3400, 0x4DBF),  # CJK Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xAC00, 0xD7AF),  # Hangul syllables (spaced, but terms are often written inside words)
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0x20000, 0x3FFFF),  # CJK Extensions B and later
)
"""Scripts written without spaces between words: there a term matches anywhere."""


def _ascii_table() -> dict[int, Any]:
    table: dict[int, Any] = {}
    for code in range(128):
        char = chr(code)
        if code < 32 or code == 127:
            table[code] = None
        elif char in LEET:
            table[code] = LEET[char].upper()
        elif "A" <= char <= "Z":
            table[code] = char.lower()
    return table


_ASCII = _ascii_table()
_ASCII_BYTES = bytes(
    ord(_ASCII.get(code, chr(code)) or "\0") if code < 128 else code for code in range(256)
)
_ASCII_DELETE = bytes(code for code in range(128) if _ASCII.get(code, "") is None)
"""The same table for `bytes.translate`, the fast way through ASCII text."""


class _Confusables:
    """Non-ASCII characters that look like one ASCII letter or digit, from Unicode's confusables
    data as the ``confusable-homoglyphs`` package ships it (loaded on first use)."""

    def __init__(self) -> None:
        self._data: dict[str, list[dict[str, str]]] | None = None

    def _load(self) -> dict[str, list[dict[str, str]]]:
        if self._data is None:
            from confusable_homoglyphs import confusables

            self._data = confusables.confusables_data
        return self._data

    def ascii_for(self, char: str) -> str | None:
        """The ASCII letter or digit `char` is confusable with (lower case; a letter before a
        digit), or None."""
        found = self._load().get(char) or ()
        candidates = {
            entry["c"].lower()
            for entry in found
            if len(entry["c"]) == 1 and entry["c"].isascii() and entry["c"].isalnum()
        }
        return min(candidates, key=lambda c: (c.isdigit(), c)) if candidates else None


_CONFUSABLES = _Confusables()


def load_tables() -> None:
    """Load the confusables table now (about 50 ms, once per process) rather than on the first
    message outside ASCII, which may arrive in the middle of a flood."""
    _CONFUSABLES.ascii_for("a")


def _prototype(char: str, folded: str) -> str | None:
    """The ASCII letter a character looks like. A capital is looked up as itself first (Greek
    ``Ν`` looks like ``N``, its small ``ν`` like ``v``); Unicode writes the look of a capital
    ``I`` as ``l``, which for a capital means ``i``."""
    if char != folded:
        found = _CONFUSABLES.ascii_for(char)
        if found is not None:
            return "i" if found == "l" else found
    return _CONFUSABLES.ascii_for(folded)


def _fold_char(char: str) -> str:
    """One character (already NFKC) as `mark` writes it: see the module docstring."""
    if unicodedata.category(char) in _DROPPED_CATEGORIES:
        return ""
    folded = char.casefold()
    if folded.isascii():
        return folded.translate(_ASCII)
    if len(folded) == 1:
        prototype = _prototype(char, folded)
        if prototype is not None:
            return prototype.translate(_ASCII)
    if char in LEET:
        return LEET[char].upper()
    # Accented letters read as their base letter: é -> e, ø stays (it has no decomposition).
    base = "".join(
        part
        for part in unicodedata.normalize("NFD", folded)
        if unicodedata.category(part) not in _DROPPED_CATEGORIES
    )
    if base and base != folded and base.isascii():
        return base.translate(_ASCII)
    return folded


class _FoldTable(dict[int, str]):
    """`str.translate`'s table for text outside ASCII: each character's fold is worked out the
    first time it is met, then read from the table."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        self[code] = folded
        return folded


_FOLD = _FoldTable({code: value or "" for code, value in _ASCII.items()})


def premark(text: str) -> str:
    """`text` folded for matching, runs not yet collapsed, with the letters that came from
    leetspeak in upper case (every other letter is lower case or uncased)."""
    if text.isascii():
        return text.encode().translate(_ASCII_BYTES, _ASCII_DELETE).decode()
    return unicodedata.normalize("NFKC", text).translate(_FOLD)


def collapse(premarked: str) -> str:
    """Each run of one character as one: ``baaan`` -> ``ban``."""
    return _BEFORE_SAME.sub("", premarked)


def mark(text: str) -> str:
    """`collapse(premark(text))`. ``len(mark(t).lower()) == len(mark(t))``, so an index into
    the folded text is one into the marked text."""
    return collapse(premark(text))


def fold(text: str) -> str:
    """`text` as the rules compare it: ``fold("B4N") == fold("bаn") == fold("baaan") == "ban"``."""
    return mark(text).lower()


def runs(premarked: str) -> list[int]:
    """The length of each run in `premarked`: ``runs("baaan") == [1, 3, 1]``."""
    return [found.end() - found.start() for found in _RUNS.finditer(premarked)]


def _runs_fit(term: Term, wanted: tuple[int, ...], written: list[int]) -> bool:
    """A single letter of a term matches a single letter or one written three times or more; a
    double letter matches two or more. At a ``*`` end the word goes on, and may double the letter
    there (``scam*`` in ``scammer``)."""
    last = len(wanted) - 1
    for index, (want, have) in enumerate(zip(wanted, written, strict=True)):
        at_open_end = (index == 0 and term.inside_start) or (index == last and term.inside_end)
        if at_open_end and have >= want:
            continue
        if (want == 1 and have == 2) or (want >= 2 and have < 2):
            return False
    return True


class _VisibleTable(dict[int, str | None]):
    """`str.translate`'s table that drops invisible characters (filled as characters are met)."""

    def __missing__(self, code: int) -> str | None:
        char = chr(code)
        kept = None if unicodedata.category(char) in _DROPPED_CATEGORIES else char
        self[code] = kept
        return kept


_VISIBLE = _VisibleTable()


def plain(text: str) -> str:
    """`text` without disguise but with its letters and digits as typed: NFKC, invisible
    characters removed, case folded (for links, where ``bit.ly`` must stay ``bit.ly``)."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKC", text).translate(_VISIBLE).casefold()


def _is_word_char(char: str) -> bool:
    """A letter or digit that joins a word (a letter from leetspeak may also end one)."""
    if not char.isalnum() or "A" <= char <= "Z":
        return False
    code = ord(char)
    return not any(low <= code <= high for low, high in _UNSPACED)


@dataclass(frozen=True, slots=True)
class Term:
    """One blocked term as it was written, and the label of the rule it belongs to."""

    text: str
    label: str
    inside_start: bool = False
    """Written with a leading ``*``: may start inside a word."""
    inside_end: bool = False
    """Written with a trailing ``*``: may end inside a word."""


@dataclass(frozen=True, slots=True)
class TermHit:
    term: Term
    start: int
    end: int
    """Where it was found in the marked text (`mark`, or `fold`), end exclusive."""


class TermMatcher:
    """Many blocked terms, found in one pass (an Aho-Corasick automaton over the folded terms,
    `pyahocorasick`).

    Args:
        terms: The terms; a term that folds to nothing (only invisible characters, ``*``) is left
            out and listed in `unusable`.
    """

    def __init__(self, terms: Iterable[Term]) -> None:
        # pyahocorasick, not ahocorasick-rs: the latter lets go of the interpreter lock on every
        # search, and on the event loop, with the recorder's thread waiting for the lock, each
        # message's search then waited for that thread (docs/performance.md).
        import ahocorasick

        self.unusable: list[Term] = []
        by_key: dict[str, list[tuple[Term, tuple[int, ...]]]] = {}
        for term in terms:
            premarked = premark(term.text.strip(WILDCARD).strip())
            key = collapse(premarked).lower()
            if not key:
                self.unusable.append(term)
                continue
            by_key.setdefault(key, []).append((term, tuple(runs(premarked))))
        self._terms = list(by_key.values())
        self._automaton: Any = None
        if by_key:
            self._automaton = ahocorasick.Automaton()
            for index, key in enumerate(by_key):
                self._automaton.add_word(key, (index, len(key)))
            self._automaton.make_automaton()
        self._count = sum(len(terms) for terms in self._terms)

    def __len__(self) -> int:
        return self._count

    def find(
        self, premarked: str, marked: str | None = None, folded: str | None = None
    ) -> list[TermHit]:
        """The terms found in a text, one hit per term, in order. `premarked` is the text's
        `premark`, `marked` its `collapse` and `folded` that in lower case (each worked out here
        when not given)."""
        automaton = self._automaton
        if automaton is None:
            return []
        if marked is None:
            marked = collapse(premarked)
        if folded is None:
            folded = marked.lower()
        # Every occurrence of every key, overlapping ones too, by where it ends: (last index,
        # (key number, key length)).
        found = list(automaton.iter(folded))
        if not found:
            return []
        hits: list[TermHit] = []
        seen: set[Term] = set()
        written = runs(premarked)
        for last, (index, length) in found:
            end = last + 1
            start = end - length
            for term, term_runs in self._terms[index]:
                if term in seen or not _runs_fit(term, term_runs, written[start:end]):
                    continue
                if not term.inside_start and start > 0 and _is_word_char(marked[start - 1]):
                    continue
                if not term.inside_end and end < len(marked) and _is_word_char(marked[end]):
                    continue
                seen.add(term)
                hits.append(TermHit(term, start, end))
        return hits


def term(text: str, label: str) -> Term:
    """A `Term` from how a user writes it (``*`` at either end lets it match inside words)."""
    stripped = text.strip()
    return Term(
        text=stripped,
        label=label,
        inside_start=stripped.startswith(WILDCARD),
        inside_end=stripped.endswith(WILDCARD) and len(stripped) > 1,
    )
