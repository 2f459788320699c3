"""Make a stranger's text safe to show in a terminal, and comparable for matching.

Every name and comment shown by the console passes through `display` first. It is the single place
that decides what reaches the screen:

- C0 controls, DEL, ESC and C1 controls become their visible Unicode control pictures (``␛`` for ESC),
  so an escape sequence in a comment is shown as text and never reaches the terminal as one;
- line and paragraph separators (including U+0085, U+2028, U+2029) become ``⏎``: one message, one line;
- bidi overrides, isolates and marks, zero-width and other invisible format characters are dropped
  (ZWJ stays under the ``native`` width policy, emoji sequences need it), so text cannot reorder
  or hide what surrounds it;
- lone surrogates (unencodable) become U+FFFD;
- runs of combining marks are cut to a few per base character, so "zalgo" cannot grow a line's height
  or stall layout;
- the result is cut to a number of characters, with a note of how much was cut. The cut happens
  *before* the character-by-character pass, so a megabyte comment costs no more than a short one.

Then the emoji **width policy** (`set_width_policy`, `width_policy`): terminals and multiplexers
disagree about how wide flags, ZWJ sequences, skin tones, VS16 emoji and newer characters are, and a
row drawn wider than Rich measured it tears the panes beside it. Under ``strict`` (the default):

- a flag (a pair of regional indicators) becomes its letters in brackets: ``🇲🇽`` -> ``[MX]``;
  a lone regional indicator becomes ``[M]``;
- ZWJ, VS15/VS16, skin-tone modifiers and tag characters are removed, so each emoji stands alone
  (``👩🏽‍💻`` -> ``👩💻``, the Scotland flag -> ``🏴``), and so are the Indic viramas, so letters
  never merge into conjuncts whose width terminals disagree on;
- a keycap (``1️⃣``) becomes ``[1]`` (or, with ``keycap_brackets=False``, the digit and its mark);
- a character whose width differs between Unicode 9 and the newest tables, between Rich and
  wcwidth, or on a terminal wcwidth has tables for (`width_table.UNSTABLE`, generated: emoji newer
  than Unicode 9 such as ``🥺``, spacing vowel signs such as the ``ा`` of ``का``) becomes U+FFFD,
  one cell everywhere. Nothing grows longer than it was, so the display limit still bounds it.

Under ``native`` the text is shown as typed. The policy is set once, at start-up, for the whole
process (the CLI probes the terminal, `terminal_probe`); `display` and `display_name` apply it.

The session log keeps the raw text; this module is about display only (search and copy use the raw
text too). No Rich, no Textual here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from .width_table import JOINERS, UNSTABLE

DEFAULT_LIMIT = 500
NAME_LIMIT = 40
MAX_COMBINING = 2
ZWJ = "\u200d"
ELLIPSIS = "…"
REPLACEMENT = "\ufffd"
KEYCAP = "\u20e3"
KEYCAP_BASES = frozenset("0123456789#*")
VARIATION_SELECTORS = frozenset("\ufe0e\ufe0f")  # VS15 (text), VS16 (emoji presentation)
SKIN_TONES = frozenset(map(chr, range(0x1F3FB, 0x1F400)))
_RI_FIRST = 0x1F1E6  # REGIONAL INDICATOR SYMBOL LETTER A
REGIONAL_INDICATORS = frozenset(map(chr, range(_RI_FIRST, _RI_FIRST + 26)))

WidthPolicyName = Literal["strict", "native"]

# Bidi embeddings/overrides/isolates and marks: never shown, never kept.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
_NEWLINES = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")

# Runs of the combining marks "zalgo" text is made of; other marks are rare enough to leave alone
# on the fast path.
_MARKS = r"[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
_MARK_RUN = re.compile(f"{_MARKS}{{{MAX_COMBINING + 1},}}")


def _control_picture(ch: str) -> str:
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀..␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


@lru_cache(maxsize=4096)
def _classify(ch: str) -> str:
    """'keep', 'drop', 'newline', 'control', 'mark', or 'bad' for one character."""
    if ch in _NEWLINES:
        return "newline"
    if ch == ZWJ:
        return "keep"
    if ch in BIDI_CONTROLS:
        return "drop"
    cat = unicodedata.category(ch)
    if cat == "Cc":
        return "control"
    if cat in ("Cf", "Zl", "Zp"):
        return "drop"
    if cat == "Cs":
        return "bad"
    if cat in ("Mn", "Me"):
        return "mark"
    return "keep"


def _spans(pairs: tuple[tuple[int, int], ...]) -> frozenset[str]:
    return frozenset(chr(code) for start, end in pairs for code in range(start, end + 1))


_UNSTABLE = _spans(UNSTABLE)
_STRICT_DROP = frozenset({ZWJ}) | VARIATION_SELECTORS | SKIN_TONES | _spans(JOINERS)


@lru_cache(maxsize=8192)
def _classify_strict(ch: str) -> str:
    """`_classify`, with what the strict width policy rewrites: 'drop' for joiners, variation
    selectors and skin tones, 'regional', 'keycap', 'unstable' or 'unstable mark'."""
    kind = _classify(ch)
    if kind not in ("keep", "mark"):
        return kind
    if ch in _STRICT_DROP:
        return "drop"
    if ch in REGIONAL_INDICATORS:
        return "regional"
    if ch == KEYCAP:
        return "keycap"
    if ch in _UNSTABLE:
        return "unstable" if kind == "keep" else "unstable mark"
    return kind


# Every character the strict policy rewrites. Ordinary text has none, so `_clean` returns it at
# once: `frozenset.isdisjoint` walks the text in C, far faster than a regex over these ranges.
_STRICT_WORK = _STRICT_DROP | REGIONAL_INDICATORS | _UNSTABLE | frozenset(KEYCAP)


@dataclass(frozen=True)
class WidthPolicy:
    """The emoji width policy in force, and why it was chosen."""

    name: WidthPolicyName
    """``strict`` (rewrite what terminals draw at different widths) or ``native`` (as typed)."""
    reason: str
    """Why: ``"the default"``, ``"set in config"``, ``"inside tmux"``, ``"terminal probe agreed"``…"""
    keycap_brackets: bool = True
    """Under ``strict``, whether a keycap emoji (``1️⃣``) is shown as ``[1]``."""

    def __str__(self) -> str:
        return f"{self.name}: {self.reason}"


_policy = WidthPolicy("strict", "the default")


def set_width_policy(
    name: WidthPolicyName, reason: str, *, keycap_brackets: bool = True
) -> WidthPolicy:
    """Choose the width policy for the whole process (once, at start-up, before the screen opens:
    text already on screen is not redrawn). Returns it."""
    global _policy
    if name not in ("strict", "native"):
        raise ValueError(f"unknown width policy {name!r}")
    _policy = WidthPolicy(name, reason, keycap_brackets)
    return _policy


def width_policy() -> WidthPolicy:
    """The width policy in force; ``str()`` of it reads like ``"strict: inside tmux"``."""
    return _policy


def _clean(text: str) -> str:
    # str.isprintable is False for every Cc, Cf, Cs, Zl and Zp character (and space separators
    # other than " "), which is exactly what needs work; it runs in C, so ordinary chat costs little.
    # ASCII needs no emoji work and has no marks.
    if text.isascii():
        if text.isprintable():
            return text
    elif text.isprintable() and not _MARK_RUN.search(text):
        if _policy.name == "native":
            return text
        if _STRICT_WORK.isdisjoint(text):
            return text
        return _strict(text)
    if _policy.name == "strict":
        return _strict(text)
    out: list[str] = []
    marks = 0
    for ch in text:
        kind = _classify(ch)
        if kind == "keep":
            out.append(ch)
            marks = 0
        elif kind == "mark":
            marks += 1
            if marks <= MAX_COMBINING and out:
                out.append(ch)
        else:
            out.append(_other(ch, kind))
            marks = 0
    return "".join(out)


def _other(ch: str, kind: str) -> str:
    """What a 'newline', 'control', 'bad' or 'drop' character becomes."""
    if kind == "newline":
        return "⏎"
    if kind == "control":
        return _control_picture(ch)
    if kind == "bad":
        return REPLACEMENT
    return ""


def _strict(text: str) -> str:
    """`_clean`'s loop with the strict width policy's rewrites (see the module docstring)."""
    out: list[str] = []
    marks = 0
    regional = ""  # a regional indicator's letter, waiting for its pair
    for ch in text:
        kind = _classify_strict(ch)
        if kind == "drop":
            continue  # removed: a pending flag letter may still pair across it
        if kind == "regional":
            letter = chr(ord(ch) - _RI_FIRST + ord("A"))
            if regional:
                out.append(f"[{regional}{letter}]")
                regional = ""
            else:
                regional = letter
            marks = 0
            continue
        if regional:
            out.append(f"[{regional}]")
            regional = ""
        if kind == "keep":
            out.append(ch)
            marks = 0
        elif kind == "mark":
            marks += 1
            if marks <= MAX_COMBINING and out:
                out.append(ch)
        elif kind == "keycap":
            if _policy.keycap_brackets and out and out[-1] in KEYCAP_BASES:
                out[-1] = f"[{out[-1]}]"
            elif out:
                out.append(ch)
        elif kind == "unstable":
            out.append(REPLACEMENT)
            marks = 0
        elif kind == "unstable mark":
            marks += 1
            if marks <= MAX_COMBINING and out:
                out.append(REPLACEMENT)
        else:
            out.append(_other(ch, kind))
            marks = 0
    if regional:
        out.append(f"[{regional}]")
    return "".join(out)


def display(text: str, limit: int = DEFAULT_LIMIT) -> str:
    """`text` made safe to show: see the module docstring. Never raises for any `str`."""
    if len(text) > limit:
        extra = len(text) - limit
        return f"{_clean(text[:limit])}{ELLIPSIS} (+{extra:,} chars)"
    return _clean(text)


def display_name(text: str, limit: int = NAME_LIMIT) -> str:
    """A viewer's name for display; shorter limit, and never empty."""
    shown = display(text, limit)
    return shown if shown.strip() else "?"


def normalize(text: str) -> str:
    """The form used for matching (blocked terms, search): NFKC, no invisible characters, casefolded,
    so ``b\\u200ban`` and ``ＢＡＮ`` both match ``ban``."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if unicodedata.category(ch) not in ("Cf", "Cc")).casefold()
