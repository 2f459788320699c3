"""Make a stranger's text safe to show in a terminal, and comparable for matching.

Every name and comment shown by the console passes through `display` first. It is the single place
that decides what reaches the screen:

- C0 controls, DEL, ESC and C1 controls become their visible Unicode control pictures (``␛`` for ESC),
  so an escape sequence in a comment is shown as text and never reaches the terminal as one;
- line and paragraph separators (including U+0085, U+2028, U+2029) become ``⏎``: one message, one line;
- bidi overrides, isolates and marks, zero-width and other invisible format characters are dropped
  (ZWJ stays, emoji sequences need it), so text cannot reorder or hide what surrounds it;
- lone surrogates (unencodable) become U+FFFD;
- runs of combining marks are cut to a few per base character, so "zalgo" cannot grow a line's height
  or stall layout;
- the result is cut to a number of characters, with a note of how much was cut. The cut happens
  *before* the character-by-character pass, so a megabyte comment costs no more than a short one.

The session log keeps the raw text; this module is about display only. No Rich, no Textual here.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

DEFAULT_LIMIT = 500
NAME_LIMIT = 40
MAX_COMBINING = 2
ZWJ = "\u200d"
ELLIPSIS = "…"

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


def _clean(text: str) -> str:
    # str.isprintable is False for every Cc, Cf, Cs, Zl and Zp character (and space separators
    # other than " "), which is exactly what needs work; it runs in C, so ordinary chat costs little.
    if text.isprintable() and not _MARK_RUN.search(text):
        return text
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
        elif kind == "newline":
            out.append("⏎")
            marks = 0
        elif kind == "control":
            out.append(_control_picture(ch))
            marks = 0
        elif kind == "bad":
            out.append("\ufffd")
            marks = 0
        # "drop": nothing
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
