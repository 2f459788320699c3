"""Emoji in a real terminal (tmux): the strict display form is drawn exactly as wide as Rich
measures it, string by string, and the console's pane borders stay in their columns on every row
of a screen full of emoji-heavy names and comments."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rich.cells import cell_len

from backstage_tui.safetext import display, display_name, set_width_policy
from tests.helpers import TIMEOUT_S, Tmux, kept_width_policy, launch, launch_command

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

TESTED_TMUX = "tmux 3.3a"
"""The tmux whose widths the "native tears" check knows (Debian 12's)."""

NAMES = [
    "Thiago 🇲🇽", "Destiny 👩🏽\u200d💻", "Jordan 🏳️\u200d🌈", "Ava 👨\u200d👩\u200d👧\u200d👦",
    "Kai 👍🏿", "Mia \U0001fae8", "Zoe 🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    "Raj \u0915\u093e", "Lone 🏽", "RI 🇲", "Zed \u200d", "Ana ❤️",
]  # fmt: skip
COMMENTS = [
    "❤️❤️❤️ tap tap", "1️⃣ 2️⃣ 3️⃣ go", "🇧🇷🇲🇽🇺🇸🇯🇵🇰🇷 flags", "👩🏽\u200d💻👨\u200d👩\u200d👧\u200d👦🧑🏿\u200d🚀 families",
    "\U0001fae8\U0001fa77🫶🥺 new ones", "🏽🏾🏿 lone tones", "नमस्ते दोस्तों क्ष", "☺️✌️☝️ text-default",
    "#️⃣ *️⃣ keycaps", "👋🏼 hi from 🇻🇳 and 🇮🇩",
]  # fmt: skip
"""Emoji-heavy text as TikTok chat has it: flags, ZWJ families, skin tones, VS16, keycaps,
Unicode 15 emoji, lone modifiers, a subdivision flag, a Devanagari vowel sign and conjunct."""

VERTICAL_BORDERS = frozenset("│╭╮╰╯├┤")
LAST = "that was all"

MEASURE_SCRIPT = """
import json, pathlib, sys
strings = json.loads(pathlib.Path(sys.argv[1]).read_text(encoding="utf-8"))
ready = pathlib.Path(sys.argv[2])
for i, text in enumerate(strings):
    sys.stdout.write("\\r\\x1b[2K" + text)
    sys.stdout.flush()
    ready.write_text(str(i))
    sys.stdin.readline()
ready.write_text("done")
"""


@pytest.fixture(autouse=True)
def _restore_policy() -> Iterator[None]:
    with kept_width_policy():
        yield


def tmux_version() -> str:
    return subprocess.run(["tmux", "-V"], capture_output=True, text=True).stdout.strip()


def measure_in_tmux(tmp_path: Path, strings: list[str]) -> list[int]:
    """The column tmux leaves its cursor at after printing each string at column 0: the width
    tmux itself gives it."""
    data = tmp_path / "strings.json"
    data.write_text(json.dumps(strings), encoding="utf-8")
    script = tmp_path / "measure.py"
    script.write_text(MEASURE_SCRIPT, encoding="utf-8")
    ready = tmp_path / "ready"
    shell = shlex.join([sys.executable, str(script), str(data), str(ready)])
    term = launch_command(tmp_path, shell, size=(200, 10), env={"LANG": "C.UTF-8"})
    widths: list[int] = []
    try:
        for i in range(len(strings)):
            wait_for_file(ready, str(i), term)
            widths.append(int(term.run("display", "-p", "-t", term.name, "#{cursor_x}")))
            term.keys("Enter")
        wait_for_file(ready, "done", term)
    finally:
        term.run("kill-server")
    return widths


def wait_for_file(path: Path, content: str, term: Tmux) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not (path.exists() and path.read_text() == content):
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: step {content} of the measuring script\n"
                                 f"{term.screen()}")  # fmt: skip
        time.sleep(0.01)  # another process's file; nothing in-process to await


def test_each_strict_display_form_is_as_wide_in_tmux_as_rich_measures(tmp_path: Path) -> None:
    set_width_policy("strict", "test")
    shown = [display_name(name) for name in NAMES] + [display(text) for text in COMMENTS]
    drawn = measure_in_tmux(tmp_path, shown)
    disagree = [
        (text, width, cell_len(text))
        for text, width in zip(shown, drawn, strict=True)
        if width != cell_len(text)
    ]
    assert disagree == [], "tmux draws these display forms at another width than Rich measures"


@pytest.mark.skipif(tmux_version() != TESTED_TMUX, reason=f"knows the widths of {TESTED_TMUX} only")
def test_the_raw_text_is_not_as_wide_in_tmux_as_rich_measures(tmp_path: Path) -> None:
    """What the strict form guards against: the same strings as typed, in tmux 3.3a."""
    raw = NAMES + COMMENTS
    drawn = measure_in_tmux(tmp_path, raw)
    disagree = {text for text, width in zip(raw, drawn, strict=True) if width != cell_len(text)}
    assert {"Destiny 👩🏽\u200d💻", "Mia \U0001fae8", "❤️❤️❤️ tap tap"} <= disagree


# -- the whole console --


def write_events(path: Path, count: int) -> None:
    lines = []
    for i in range(count):
        who = i % len(NAMES)
        user = {"id": str(who), "handle": f"viewer{who}", "name": NAMES[who]}
        text = f"{COMMENTS[i % len(COMMENTS)]} #{i}"
        lines.append(json.dumps({"type": "comment", "user": user, "text": text}))
    last = {"type": "comment", "user": {"id": "x", "handle": "x", "name": "X"}, "text": LAST}
    lines.append(json.dumps(last))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def border_columns(top_row: str) -> list[int]:
    """Where the panes' side borders stand, from the top row (box corners: one cell each)."""
    return [i for i, ch in enumerate(top_row) if ch in "╭╮"]


def cell_columns(row: str, widths: dict[str, int]) -> dict[int, str]:
    """Each character of a captured row by the column tmux drew it at (`widths`: tmux's own)."""
    columns: dict[int, str] = {}
    column = 0
    for ch in row:
        columns.setdefault(column, ch)
        column += widths.get(ch, 1)
    return columns


def run_console_on_emoji(
    tmp_path: Path, emoji: str, settled: Callable[[list[str]], bool] = lambda rows: True
) -> list[str]:
    """The screen's rows once the last comment is drawn and `settled` holds for them (a frame may
    still be on its way when the last comment shows: wait for what the test looks for)."""
    events = tmp_path / "emoji.jsonl"
    write_events(events, 60)
    args = ["--source", "jsonl", "--option", f"path={events}",
            "--sessions-dir", str(tmp_path / "sessions")]  # fmt: skip
    term = launch(tmp_path, args, env={"BACKSTAGE_DISPLAY__EMOJI": emoji, "LANG": "C.UTF-8"})

    def rows() -> list[str]:
        return term.run("capture-pane", "-p", "-N", "-t", term.name).split("\n")

    try:
        term.wait_for(lambda s: LAST in s, "the last comment")
        term.wait_for(lambda s: settled(rows()), "the screen to settle")
        return rows()
    finally:
        term.run("kill-server")


def test_pane_borders_stay_in_their_columns_on_every_row(tmp_path: Path) -> None:
    rows = run_console_on_emoji(tmp_path, "auto")  # auto: inside tmux, so strict
    panes = rows[:-2]  # the footer's key hints have no borders
    expected = border_columns(panes[0])
    assert len(expected) == 4, panes[0]  # the feed's two sides, then the side panes' two
    wide = sorted({ch for row in panes for ch in row if not ch.isascii()})
    widths = dict(zip(wide, measure_in_tmux(tmp_path, wide), strict=True))
    torn = []
    for y, row in enumerate(panes[1:], start=1):
        columns = cell_columns(row, widths)
        if any(columns.get(x) not in VERTICAL_BORDERS for x in expected):
            torn.append(f"row {y}: {row}")
    assert torn == [], "\n".join(torn)
    assert any("[MX]" in row for row in panes) and any("👩💻" in row for row in panes)


@pytest.mark.skipif(tmux_version() != TESTED_TMUX, reason=f"knows the widths of {TESTED_TMUX} only")
def test_native_emoji_tear_the_panes_in_tmux(tmp_path: Path) -> None:
    """The tear the strict policy prevents, so the border check above is known to see one."""

    def torn(rows: list[str]) -> bool:
        panes = rows[:-2]
        expected = len(re.findall("[│╭╮╰╯]", panes[0]))
        return any(len(re.findall("[│╭╮╰╯]", row)) != expected for row in panes[1:])

    assert torn(run_console_on_emoji(tmp_path, "native", settled=torn))
