"""Write ``backstage_tui/width_table.py``: the characters whose width terminals disagree on.

The console measures text with Rich, and the terminal draws it with its own tables. Where the two
disagree, a row is drawn wider or narrower than measured and the panes beside it tear. The
``strict`` width policy (``backstage_tui.safetext``) replaces every such character; this script
finds them, by comparing, one character at a time, alone and after a letter:

- Rich's cell tables for every Unicode version from 9.0 to the newest it ships (a terminal or
  multiplexer with older tables draws a newer emoji as one cell, or none);
- wcwidth's width for the newest Unicode version, and its correction tables for each terminal
  it knows (measured on the real terminals).

It also lists the Indic viramas and invisible stackers (they join two letters into one conjunct,
whose width terminals disagree on).

Why a generated table and not wcwidth at run time: the newest wcwidth keeps only the newest
Unicode tables, so it cannot say what a Unicode 9 terminal draws; Rich has those tables, but the
core (``safetext``) never imports Rich. The table is plain data, so the console needs neither
library to apply it; ``tests/test_width_table.py`` regenerates it with the installed Rich and
wcwidth and fails when a character the libraries now disagree on is missing.

Run from the repository root: ``python tools/make_width_table.py`` (needs rich and wcwidth>=0.8).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "backstage_tui" / "width_table.py"
OLDEST_UNICODE = (9, 0, 0)
BASE = "a"
"""The letter a character is measured after, for marks that take width only after a base."""
HANDLED = frozenset(
    [0x200D, 0xFE0E, 0xFE0F, 0x20E3, *range(0x1F1E6, 0x1F200), *range(0x1F3FB, 0x1F400)]
)
"""Characters `safetext` rewrites by rule (joiner, variation selectors, keycap mark, regional
indicators, skin tones): not listed as unstable."""
NOT_COVERED = {
    "extraterm": "draws a letter with any combining mark (an accent, a vowel point) two cells wide",
    "terminology": "draws a letter with any combining mark (an accent, a vowel point) two cells wide",
}
"""Terminals wcwidth knows that the table leaves out, and why: matching them would mean removing
every combining mark, which would make most of the world's scripts unreadable."""
SCANNED = (range(0xA0, 0x40000), range(0xE0000, 0xE1000))
"""Below U+00A0 are ASCII and the C1 controls (which `safetext` turns into pictures anyway); planes
4 to 13 hold no characters, the rest of plane 14 neither, and planes 15 and 16 are private use,
which every table draws one cell wide. Scanning only these keeps the run to a few seconds."""


def _rich_widths() -> list[bytearray]:
    """One width per code point for each of Rich's tables from Unicode 9 on."""
    from rich._unicode_data import load
    from rich._unicode_data._versions import VERSIONS

    tables = []
    for version in VERSIONS:
        if tuple(int(part) for part in version.split(".")) < OLDEST_UNICODE:
            continue
        widths = bytearray([1]) * 0x110000
        for start, end, width in load(version).widths:
            widths[start : end + 1] = bytes([width]) * (end - start + 1)
        tables.append(widths)
    return tables


def _code_points() -> Iterator[int]:
    for span in SCANNED:
        for code in span:
            if not 0xD800 <= code < 0xE000 and code not in HANDLED:
                yield code


def unstable_code_points() -> list[int]:
    """Every code point whose width is not the same in all the tables (see the module docstring)."""
    import wcwidth

    rich_tables = _rich_widths()
    terminals = covered_terminals()
    base = wcwidth.wcswidth(BASE)
    found = []
    for code in _code_points():
        ch = chr(code)
        widths = {table[code] for table in rich_tables}
        widths.add(wcwidth.wcwidth(ch))
        widths.add(wcwidth.wcswidth(BASE + ch) - base)
        if len(widths) == 1:
            for terminal in terminals:
                widths.add(wcwidth.wcstwidth(ch, term_program=terminal))
                widths.add(wcwidth.wcstwidth(BASE + ch, term_program=terminal) - base)
        if len(widths) > 1:
            found.append(code)
    return found


def covered_terminals() -> list[str]:
    """The terminals wcwidth has tables for, by canonical name, less `NOT_COVERED`."""
    import wcwidth

    known = wcwidth.list_term_programs()
    return sorted({_canonical(name) for name in known} - set(NOT_COVERED))


def _canonical(name: str) -> str:
    from wcwidth.table_term_programs import ALIASES

    return ALIASES.get(name, name)


def joiners() -> list[int]:
    """The viramas and invisible stackers of the Indic scripts."""
    from wcwidth.table_grapheme import ISC_INVISIBLE_STACKER, ISC_VIRAMA

    return sorted(
        code
        for start, end in (*ISC_VIRAMA, *ISC_INVISIBLE_STACKER)
        for code in range(start, end + 1)
    )


def ranges(codes: Iterable[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for code in sorted(codes):
        if out and out[-1][1] == code - 1:
            out[-1] = (out[-1][0], code)
        else:
            out.append((code, code))
    return out


def versions() -> dict[str, str]:
    from importlib.metadata import version

    import wcwidth
    from rich._unicode_data._versions import VERSIONS

    return {
        "rich": version("rich"),
        "rich_unicode": VERSIONS[-1],
        "wcwidth": version("wcwidth"),
        "wcwidth_unicode": wcwidth.list_versions()[-1],
    }


def _range_lines(pairs: list[tuple[int, int]]) -> str:
    cells = [f"(0x{start:05X}, 0x{end:05X})," for start, end in pairs]
    lines = []
    for i in range(0, len(cells), 4):
        lines.append("    " + " ".join(cells[i : i + 4]))
    return "\n".join(lines)


def render() -> str:
    """The source of ``width_table.py``."""
    unstable = unstable_code_points()
    made_with = versions()
    return f'''"""Characters whose width terminals disagree on: generated, do not edit.

Made by ``tools/make_width_table.py`` (see its docstring for how) with rich {made_with["rich"]}
(Unicode {made_with["rich_unicode"]}) and wcwidth {made_with["wcwidth"]} (Unicode {made_with["wcwidth_unicode"]}).
``safetext``'s ``strict`` width policy replaces `UNSTABLE` characters with U+FFFD and drops
`JOINERS`.
"""

MADE_WITH: dict[str, str] = {{
{_dict_lines(made_with)}
}}

NOT_COVERED: dict[str, str] = {{
{_dict_lines(NOT_COVERED)}
}}
"""Terminals wcwidth knows that this table does not cover, and why."""

UNSTABLE: tuple[tuple[int, int], ...] = (
{_range_lines(ranges(unstable))}
)  # fmt: skip
"""Inclusive code point ranges: each character's width differs between the tables."""

JOINERS: tuple[tuple[int, int], ...] = (
{_range_lines(ranges(joiners()))}
)  # fmt: skip
"""Indic viramas and invisible stackers: they make conjuncts whose width terminals disagree on."""
'''


def _dict_lines(items: dict[str, str]) -> str:
    return "\n".join(f"    {key!r}: {value!r}," for key, value in items.items()).replace("'", '"')


def main() -> int:
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
