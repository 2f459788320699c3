"""Ask the terminal, before the screen opens, whether it draws emoji as wide as Rich measures them.

Terminals and multiplexers disagree about the width of flags, ZWJ sequences, skin tones, VS16 emoji
and keycaps, and a row drawn wider than measured tears the panes beside it. So `safetext` shows
them in a ``strict`` form unless this probe shows that the terminal draws each sample exactly as
wide as Rich measures it; then ``native`` (the text as typed) is safe.

On the controlling terminal, in raw mode (restored in ``finally``), it sends in one write:

1. XTVERSION (``CSI > 0 q``): the terminal's name and version, which names tmux or screen;
2. the DEC mode 2027 query (``CSI ? 2027 $ p``): whether the terminal has a grapheme-cluster mode;
3. for each sample: carriage return, the sample, a cursor-position report request (``CSI 6n``):
   the column it reports, less one, is the width the terminal drew; then the line is erased;
4. DA1 (``CSI c``), which every terminal answers, and answers last: once its reply is in, nothing
   else will come, so the probe never waits longer than the terminal takes.

It reads for at most `TIMEOUT_S` and never hangs on a terminal that answers nothing. Replies may
arrive together, split across reads, or not at all; whatever is missing means ``strict``.

No Rich here (the core never imports it): the caller passes what Rich measures for each sample.
"""

from __future__ import annotations

import os
import re
import select
import termios
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

TIMEOUT_S = 0.2
"""The longest the probe waits for the terminal's answers."""

SAMPLES: dict[str, str] = {
    "a flag": "\U0001f1f2\U0001f1fd",
    "a ZWJ family": "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "a skin tone": "\U0001f44d\U0001f3fd",
    "a VS16 heart": "\u2764\ufe0f",
    "a keycap": "1\ufe0f\u20e3",
    "a Devanagari vowel sign": "\u0915\u093e",
}
"""What the probe prints, by what it is: the clusters terminals draw at different widths."""

MULTIPLEXERS = ("tmux", "screen")
EmojiSetting = Literal["auto", "strict", "native"]

XTVERSION = "\x1b[>0q"
MODE_2027_QUERY = "\x1b[?2027$p"
CURSOR_REPORT = "\x1b[6n"
ERASE_LINE = "\r\x1b[2K"
DA1 = "\x1b[c"

_XTVERSION_REPLY = re.compile(rb"\x1bP>\|(.*?)(?:\x1b\\|\x07)", re.DOTALL)
_MODE_REPLY = re.compile(rb"\x1b\[\?2027;(\d+)\$y")
_CURSOR_REPLY = re.compile(rb"\x1b\[(\d+);(\d+)R")
_DA1_REPLY = re.compile(rb"\x1b\[\?[\d;]*c")


@dataclass(frozen=True)
class ProbeResult:
    """What the terminal answered, and the width policy that follows from it."""

    policy: Literal["strict", "native"]
    reason: str
    """Why, in a few words: ``"inside tmux"``, ``"terminal probe agreed"``…"""
    terminal: str | None = None
    """The terminal's XTVERSION reply (name and version), when it gave one."""
    mode_2027: int | None = None
    """The terminal's answer about DEC mode 2027 (0: unknown, 1/3: set, 2/4: reset)."""
    widths: dict[str, int | None] = field(default_factory=dict)
    """Each sample's drawn width, by label (None: no report came for it)."""


def multiplexer_from_env(env: Mapping[str, str]) -> str | None:
    """``"tmux"`` or ``"screen"`` when the environment says we run inside one."""
    if env.get("TMUX"):
        return "tmux"
    if env.get("STY"):
        return "screen"
    return None


def query(samples: Mapping[str, str]) -> str:
    """Everything the probe sends, in order."""
    parts = [XTVERSION, MODE_2027_QUERY]
    for text in samples.values():
        parts.append(f"\r{text}{CURSOR_REPORT}{ERASE_LINE}")
    parts.append(DA1)
    return "".join(parts)


def read_replies(fd: int, deadline: float) -> bytes:
    """What the terminal sends until its DA1 reply is in, or until `deadline` (monotonic)."""
    received = b""
    while not _DA1_REPLY.search(received):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        received += chunk
    return received


def judge(
    replies: bytes, expected: Mapping[str, int], env: Mapping[str, str] | None = None
) -> ProbeResult:
    """The policy that `replies` (the terminal's answers to `query`) call for."""
    found = _XTVERSION_REPLY.search(replies)
    terminal = found.group(1).decode("utf-8", "replace") if found else None
    mode = _MODE_REPLY.search(replies)
    mode_2027 = int(mode.group(1)) if mode else None
    columns = [int(col) for _, col in _CURSOR_REPLY.findall(replies)]
    labels = list(expected)
    widths: dict[str, int | None] = {
        label: (columns[i] - 1 if i < len(columns) else None) for i, label in enumerate(labels)
    }

    def result(policy: Literal["strict", "native"], reason: str) -> ProbeResult:
        return ProbeResult(policy, reason, terminal, mode_2027, widths)

    inside = multiplexer_from_env(env or {})
    if inside is None and terminal is not None:
        inside = next((name for name in MULTIPLEXERS if name in terminal.lower()), None)
    if inside is not None:
        return result("strict", f"inside {inside}")
    if not _DA1_REPLY.search(replies):
        return result("strict", "the terminal did not answer the probe")
    for label in labels:
        drawn = widths[label]
        if drawn is None:
            return result("strict", "the terminal did not report where its cursor was")
        if drawn != expected[label]:
            return result(
                "strict",
                f"the terminal draws {label} {drawn} cells wide, Rich measures {expected[label]}",
            )
    return result("native", "terminal probe agreed")


def probe(
    expected: Mapping[str, int],
    *,
    samples: Mapping[str, str] = SAMPLES,
    env: Mapping[str, str] | None = None,
    tty_path: str = "/dev/tty",
    timeout: float = TIMEOUT_S,
) -> ProbeResult:
    """Probe the terminal at `tty_path` with `samples`; `expected` is Rich's width of each.

    Inside a multiplexer (by the environment) nothing is sent: the answer is ``strict`` already.
    """
    env = os.environ if env is None else env
    inside = multiplexer_from_env(env)
    if inside is not None:
        return ProbeResult("strict", f"inside {inside}")
    try:
        fd = os.open(tty_path, os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return ProbeResult("strict", "no terminal to probe")
    try:
        replies = _exchange(fd, query(samples), timeout)
    finally:
        os.close(fd)
    return judge(replies, {label: expected[label] for label in samples}, env)


def _exchange(fd: int, request: str, timeout: float) -> bytes:
    """Send `request` with echo and line editing off, and read the answers."""
    try:
        saved = termios.tcgetattr(fd)
    except termios.error:
        return b""
    try:
        raw = termios.tcgetattr(fd)
        raw[3] &= ~(termios.ICANON | termios.ECHO)  # lflags: no line editing, no echo
        raw[6][termios.VMIN] = 0
        raw[6][termios.VTIME] = 0
        termios.tcsetattr(fd, termios.TCSANOW, raw)
        deadline = time.monotonic() + timeout
        _write_all(fd, request.encode("utf-8"), deadline)
        return read_replies(fd, deadline)
    finally:
        # Late answers to what was asked are dropped, so they never reach the app as keys.
        termios.tcflush(fd, termios.TCIFLUSH)
        termios.tcsetattr(fd, termios.TCSANOW, saved)


def _write_all(fd: int, data: bytes, deadline: float) -> None:
    while data and time.monotonic() < deadline:
        _, ready, _ = select.select([], [fd], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            return
        data = data[os.write(fd, data) :]


def choose(
    setting: EmojiSetting,
    measure: Callable[[str], int],
    *,
    interactive: bool,
    env: Mapping[str, str] | None = None,
    tty_path: str = "/dev/tty",
) -> ProbeResult:
    """The width policy for `setting` (``display.emoji``): as set, or (``auto``) what `probe`
    finds when the console runs on a terminal (`interactive`); `measure` is Rich's ``cell_len``."""
    if setting != "auto":
        return ProbeResult(setting, "set in config")
    if not interactive:
        return ProbeResult("strict", "not on a terminal")
    expected = {label: measure(text) for label, text in SAMPLES.items()}
    return probe(expected, env=env, tty_path=tty_path)
