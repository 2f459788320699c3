"""The real `backstage` in a real pseudo-terminal, fed escape sequences as names and comments.

Every byte the console writes to its terminal is captured. A viewer's OSC 0 (window title), OSC 52
(clipboard), OSC 8 (hyperlink), CSI (clear screen, cursor moves), DSR (``ESC[6n``: the terminal would
type a reply into our input), C1 controls and NUL must reach the terminal only as visible control
pictures (``␛]0;PWNED␇``), never as sequences; the session log keeps the raw text.

Textual writes legitimate sequences of its own (drawing, modes, mouse), so the checks are about the
payload: each payload is framed by unique tags in its comment, and the raw ``tag + payload + tag``
must not appear while the pictured one must. Sequences Textual never writes at all (OSC 0/2/52/8,
C1 characters, NUL, DSR) must not appear anywhere.

A second test runs the same feed under tmux, a terminal emulator that acts on what it receives, and
checks that its window title and its clipboard (tmux paste buffers) are untouched.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest

from backstage_tui.events import Comment
from backstage_tui.safetext import display
from backstage_tui.session import SessionReader
from backstage_tui.terminal_probe import SAMPLES, query

pty = pytest.importorskip("pty")
fcntl = pytest.importorskip("fcntl")
termios = pytest.importorskip("termios")

ROWS, COLS = 40, 220
TIMEOUT_S = 45.0
MARKER = "ALL-CLEAR-7f3a"

PAYLOADS: dict[str, str] = {
    "title": "\x1b]0;PWNED\x07",
    "title2": "\x1b]2;PWNED2\x1b\\",
    "clipboard": "\x1b]52;c;UFdORUQ=\x07",
    "link": "\x1b]8;;https://evil.example\x1b\\go\x1b]8;;\x1b\\",
    "clear": "\x1b[2J\x1b[H",
    "cursor": "\x1b[10;10H\x1b[2K",
    "dsr": "\x1b[6n",
    "c1csi": "\x9b6n",
    "c1osc": "\x9d0;PWNED3\x9c",
    "nul": "a\x00b",
    "bidi": "\u202egnp.exe\u2066",
}
RAW_NEVER = (
    b"\x1b]0;",  # Textual never sets the window title
    b"\x1b]2;",
    b"\x1b]52;",  # nor writes the clipboard unless asked to copy
    b"\x1b]8;",  # nor writes hyperlinks for text without links
    b"PWNED\x07",
    b"UFdORUQ=\x07",
    b"\x1b[6n",
)


def tagged(name: str, payload: str) -> str:
    return f"<{name}>{payload}</{name}>"


def jsonl_feed(path: Path) -> list[str]:
    """Write the hostile feed; return the comment texts in order (the marker last)."""
    texts: list[str] = []
    lines: list[bytes] = []
    for n, (name, payload) in enumerate(PAYLOADS.items()):
        text = tagged(name, payload)
        texts.append(text)
        user = {"id": f"u{n}", "handle": f"h{n}", "name": payload + name}
        lines.append(orjson.dumps({"type": "comment", "id": f"c{n}", "user": user, "text": text}))
    texts.append(MARKER)
    lines.append(
        orjson.dumps({"type": "comment", "id": "end", "user": {"id": "m"}, "text": MARKER})
    )
    path.write_bytes(b"\n".join(lines) + b"\n")
    return texts


def backstage_argv(feed: Path, sessions: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "backstage_tui.cli",
        "--source",
        "jsonl",
        "--option",
        f"path={feed}",
        "--sessions-dir",
        str(sessions),
    ]


def terminal_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "TMUX"))}
    env.update(TERM="xterm-256color", COLUMNS=str(COLS), LINES=str(ROWS), LANG="C.UTF-8")
    env.pop("NO_COLOR", None)
    # Auto-moderation off: it would hold the payload with a link, and what is tested here is how
    # drawn text reaches the terminal.
    env["BACKSTAGE_AUTOMOD__ENABLED"] = "false"
    return env


class PtyConsole:
    """`backstage` on the slave side of a pty; everything it writes is kept in `output`."""

    def __init__(self, argv: list[str], cwd: Path) -> None:
        self.output = bytearray()
        self.status: int | None = None
        pid, fd = pty.fork()
        if pid == 0:  # the child: size the terminal, then become backstage
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
                os.chdir(cwd)
                os.execve(argv[0], argv, terminal_env())
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd

    def pump(self, timeout: float = 0.05) -> None:
        """Read whatever the console wrote; notice when it exits."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if ready:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except OSError:  # EIO: the child closed the terminal
                chunk = b""
            self.output += chunk
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
                self._drain()

    def _drain(self) -> None:
        while True:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if not ready:
                return
            try:
                chunk = os.read(self.fd, 1 << 16)
            except OSError:
                return
            if not chunk:
                return
            self.output += chunk

    def wait_for(self, check: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + TIMEOUT_S
        while not check():
            if time.monotonic() > deadline:
                tail = bytes(self.output[-3000:]).decode("utf-8", "replace")
                raise AssertionError(f"timed out waiting for {what}; last output:\n{tail!r}")
            if self.status is not None and not check():
                tail = bytes(self.output[-3000:]).decode("utf-8", "replace")
                raise AssertionError(f"backstage exited while waiting for {what}:\n{tail!r}")
            self.pump()

    def send(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def text(self) -> str:
        return bytes(self.output).decode("utf-8", "replace")

    def close(self) -> None:
        if self.status is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
        os.close(self.fd)


@pytest.fixture
def console(tmp_path: Path) -> Iterator[tuple[PtyConsole, list[str], Path]]:
    feed = tmp_path / "hostile.jsonl"
    texts = jsonl_feed(feed)
    sessions = tmp_path / "sessions"
    term = PtyConsole(backstage_argv(feed, sessions), tmp_path)
    try:
        yield term, texts, sessions
    finally:
        term.close()


def test_escape_payloads_reach_the_terminal_only_as_pictures(
    console: tuple[PtyConsole, list[str], Path],
) -> None:
    term, texts, sessions = console
    term.wait_for(lambda: MARKER.encode() in term.output, "the marker comment after the payloads")
    term.send(b"q")
    term.wait_for(lambda: b"End the live?" in term.output, "the end-live confirmation")
    term.send(b"y")
    term.wait_for(lambda: b"Say goodbye" in term.output, "the goodbye")
    term.send(b"\x15\r")  # ctrl+u, enter: no goodbye
    term.wait_for(lambda: b"Peak viewers" in term.output, "the summary, hostile names and all")
    term.send(b"\r")
    term.wait_for(lambda: term.status is not None, "backstage to exit")
    status = term.status
    assert status is not None and os.WIFEXITED(status), term.text()[-2000:]
    assert os.WEXITSTATUS(status) == 0, term.text()[-2000:]

    raw = bytes(term.output)
    # The width probe's own questions (a cursor report among them) come once, before the screen
    # opens (docs/display.md); apart from them, nothing may ask the terminal anything.
    probe = query(SAMPLES).encode()
    assert raw.count(probe) == 1, "the width probe ran once"
    raw = raw.replace(probe, b"")
    for sequence in RAW_NEVER:
        assert sequence not in raw, f"{sequence!r} reached the terminal"
    decoded = raw.decode("utf-8", "surrogateescape")
    for ch in ("\x9b", "\x9c", "\x9d", "\x00", "\u202e", "\u2066"):
        assert ch not in decoded, f"{ch!r} reached the terminal"
    for name, payload in PAYLOADS.items():
        framed_raw = tagged(name, payload).encode("utf-8")
        assert framed_raw not in raw, f"the {name} payload reached the terminal raw"
        pictured = tagged(name, display(payload))
        assert pictured in decoded, f"the {name} payload is not shown as {pictured!r}"
    assert "␛]0;PWNED␇" in decoded

    # The log keeps exactly what the viewers typed.
    logs = list(sessions.glob("*-jsonl.jsonl"))
    assert len(logs) == 1
    reader = SessionReader(logs[0])
    comments = [e for e in reader.events() if isinstance(e, Comment)]
    assert reader.problems == []
    assert [c.text for c in comments] == texts
    assert [c.user.name for c in comments[:-1]] == [p + n for n, p in PAYLOADS.items()]
    assert str(logs[0]) in decoded  # the exit message names the log


# -- under tmux: the emulator's title and clipboard ----------------------------------------------


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_tmux_title_and_clipboard_are_untouched(tmp_path: Path) -> None:
    feed = tmp_path / "hostile.jsonl"
    jsonl_feed(feed)
    sessions = tmp_path / "sessions"
    name = f"backstage-sec-{uuid.uuid4().hex[:8]}"
    code_file = tmp_path / "exit-code"

    def tmux(*args: str) -> str:
        out = subprocess.run(
            ["tmux", "-L", name, *args], capture_output=True, text=True, timeout=10
        )
        return out.stdout

    command = " ".join(
        [*(f"'{part}'" for part in backstage_argv(feed, sessions)), f"; echo $? > '{code_file}'"]
    )
    # Let OSC 52 reach tmux's paste buffers and OSC 0/2 its pane title, were they ever sent.
    conf = tmp_path / "tmux.conf"
    conf.write_text("set -g set-clipboard on\nset -g allow-rename on\nset -g remain-on-exit on\n")
    subprocess.run(
        ["tmux", "-L", name, "-f", str(conf), "new-session", "-d", "-s", name,
         "-x", str(COLS), "-y", str(ROWS), "-e", "TERM=xterm-256color", command],
        check=True, timeout=10, cwd=tmp_path,
    )  # fmt: skip
    try:
        title_before = tmux("display-message", "-p", "-t", name, "#{pane_title}").strip()
        deadline = time.monotonic() + TIMEOUT_S
        while MARKER not in tmux("capture-pane", "-p", "-t", name):
            assert time.monotonic() < deadline, tmux("capture-pane", "-p", "-t", name)
            time.sleep(0.1)  # polling another process's screen; nothing in-process to await
        title = tmux("display-message", "-p", "-t", name, "#{pane_title}").strip()
        window = tmux("display-message", "-p", "-t", name, "#{window_name}").strip()
        assert "PWNED" not in title and "PWNED" not in window
        assert title == title_before
        assert "PWNED" not in tmux("list-buffers")
        assert "␛]0;PWNED␇" in tmux("capture-pane", "-p", "-t", name)
        for keys, shows in ((["q"], "End the live?"), (["y"], "Say goodbye"),
                            (["C-u", "Enter"], "Peak viewers"), (["Enter"], "")):  # fmt: skip
            tmux("send-keys", "-t", name, *keys)
            while shows not in tmux("capture-pane", "-p", "-t", name):
                assert time.monotonic() < deadline
                time.sleep(0.1)  # polling another process's screen; nothing in-process to await
        while not code_file.exists() or not code_file.read_text().strip():
            assert time.monotonic() < deadline, "backstage did not exit"
            time.sleep(0.1)
        assert code_file.read_text().strip() == "0"
    finally:
        tmux("kill-server")
