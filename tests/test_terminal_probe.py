"""The start-up terminal probe, against a scripted terminal on a real pseudo-terminal pair."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rich.cells import cell_len

from backstage_tui.terminal_probe import (
    DA1,
    SAMPLES,
    TIMEOUT_S,
    choose,
    judge,
    multiplexer_from_env,
    probe,
    query,
)
from tests.helpers import kept_width_policy

EXPECTED = {label: cell_len(text) for label, text in SAMPLES.items()}
TOKEN = re.compile(r"\x1b\[>0q|\x1b\[\?2027\$p|\x1b\[6n|\x1b\[2K|\x1b\[c|\r|[^\x1b\r]+")


class FakeTerminal:
    """Reads what the probe writes on the pty's master side and answers like a terminal would.

    `width` says how wide this terminal draws a line's text; `name` is its XTVERSION reply (None:
    it ignores XTVERSION); `split` sends each answer a byte at a time; `silent` answers nothing.
    """

    def __init__(
        self,
        master: int,
        width: Callable[[str], int] = cell_len,
        *,
        name: str | None = "FakeTerm 1.0",
        split: bool = False,
        silent: bool = False,
    ) -> None:
        self.master = master
        self.width = width
        self.name = name
        self.split = split
        self.silent = silent
        self.received = ""
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _answer(self, reply: str) -> None:
        if self.silent:
            return
        data = reply.encode()
        if self.split:
            for i in range(len(data)):
                os.write(self.master, data[i : i + 1])
                time.sleep(0.001)  # a slow link: each byte its own read on the other side
        else:
            os.write(self.master, data)

    def _run(self) -> None:
        pending = ""
        line = ""
        while not self.done.is_set():
            try:
                chunk = os.read(self.master, 4096).decode()
            except OSError:
                return
            self.received += chunk
            pending += chunk
            for token in TOKEN.findall(pending):
                if token == "\x1b[>0q" and self.name is not None:
                    self._answer(f"\x1bP>|{self.name}\x1b\\")
                elif token == "\x1b[?2027$p":
                    self._answer("\x1b[?2027;2$y")
                elif token == "\x1b[6n":
                    self._answer(f"\x1b[1;{self.width(line) + 1}R")
                elif token in ("\r", "\x1b[2K"):
                    line = ""
                elif token == DA1:
                    self._answer("\x1b[?62;22c")
                    self.done.set()
                else:
                    line += token
            pending = ""


@pytest.fixture
def pty_pair() -> Iterator[tuple[int, str]]:
    master, slave = os.openpty()
    try:
        yield master, os.ttyname(slave)
    finally:
        os.close(slave)
        os.close(master)


def run_probe(tty: str, **kw: object) -> tuple[object, float]:
    started = time.monotonic()
    result = probe(EXPECTED, env={}, tty_path=tty, **kw)  # type: ignore[arg-type]
    return result, time.monotonic() - started


def test_a_terminal_that_draws_what_rich_measures_gets_native(pty_pair: tuple[int, str]) -> None:
    master, tty = pty_pair
    fake = FakeTerminal(master)
    result, _ = run_probe(tty)
    assert result.policy == "native", result
    assert result.reason == "terminal probe agreed"
    assert result.terminal == "FakeTerm 1.0" and result.mode_2027 == 2
    assert result.widths == EXPECTED
    # Every sample was printed and measured, and the probe ended with DA1.
    for text in SAMPLES.values():
        assert text in fake.received
    assert fake.received.endswith(DA1)


def test_one_sample_drawn_differently_means_strict(pty_pair: tuple[int, str]) -> None:
    master, tty = pty_pair
    family = SAMPLES["a ZWJ family"]
    FakeTerminal(master, lambda text: 6 if text == family else cell_len(text))
    result, _ = run_probe(tty)
    assert result.policy == "strict"
    assert result.reason == "the terminal draws a ZWJ family 6 cells wide, Rich measures 2"


def test_tmux_by_its_xtversion_reply_means_strict(pty_pair: tuple[int, str]) -> None:
    master, tty = pty_pair
    FakeTerminal(master, name="tmux 3.3a")
    result, _ = run_probe(tty)
    assert result.policy == "strict" and result.reason == "inside tmux"


def test_replies_split_byte_by_byte_are_put_together(pty_pair: tuple[int, str]) -> None:
    master, tty = pty_pair
    FakeTerminal(master, split=True)
    result, _ = run_probe(tty, timeout=5.0)
    assert result.policy == "native", result
    assert result.terminal == "FakeTerm 1.0"


def test_a_terminal_that_answers_nothing_means_strict_without_hanging(
    pty_pair: tuple[int, str],
) -> None:
    master, tty = pty_pair
    fake = FakeTerminal(master, silent=True)
    result, elapsed = run_probe(tty)
    assert result.policy == "strict"
    assert result.reason == "the terminal did not answer the probe"
    assert fake.received  # it was asked
    assert elapsed < TIMEOUT_S + 2.0  # bounded by the probe's own timeout, not by the terminal


def test_inside_a_multiplexer_by_the_environment_nothing_is_sent(
    pty_pair: tuple[int, str],
) -> None:
    master, tty = pty_pair
    fake = FakeTerminal(master)
    result = probe(EXPECTED, env={"TMUX": "/tmp/tmux-0/default,1,0"}, tty_path=tty)
    assert result.policy == "strict" and result.reason == "inside tmux"
    assert multiplexer_from_env({"STY": "1234.pts-0.host"}) == "screen"
    assert multiplexer_from_env({}) is None
    assert fake.received == ""


def test_the_terminal_is_left_as_it_was(pty_pair: tuple[int, str]) -> None:
    import termios

    master, tty = pty_pair
    FakeTerminal(master)
    fd = os.open(tty, os.O_RDWR | os.O_NOCTTY)
    try:
        before = termios.tcgetattr(fd)
        run_probe(tty)
        assert termios.tcgetattr(fd) == before
    finally:
        os.close(fd)


def test_replies_in_any_order_and_together_are_read() -> None:
    cursor = "".join(f"\x1b[1;{EXPECTED[label] + 1}R" for label in SAMPLES)
    replies = (cursor + "\x1b[?62c" + "\x1b[?2027;0$y" + "\x1bP>|WezTerm 2024\x1b\\").encode()
    result = judge(replies, EXPECTED)
    assert (result.policy, result.terminal, result.mode_2027) == ("native", "WezTerm 2024", 0)
    partial = judge(cursor.encode()[:-3], EXPECTED)
    assert partial.policy == "strict"


def test_the_setting_overrides_the_probe(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-tty")
    assert choose("native", len, interactive=True, tty_path=missing).reason == "set in config"
    assert choose("strict", len, interactive=True, tty_path=missing).policy == "strict"
    auto = choose("auto", len, interactive=False, tty_path=missing)
    assert (auto.policy, auto.reason) == ("strict", "not on a terminal")
    no_tty = choose("auto", len, interactive=True, env={}, tty_path=missing)
    assert (no_tty.policy, no_tty.reason) == ("strict", "no terminal to probe")


def test_the_query_asks_everything_and_ends_with_da1() -> None:
    sent = query(SAMPLES)
    assert sent.startswith("\x1b[>0q\x1b[?2027$p")
    assert sent.count("\x1b[6n") == len(SAMPLES)
    assert sent.endswith(DA1)


# -- the setting and the CLI --


def test_the_display_setting_is_read_from_the_config_file(tmp_path: Path) -> None:
    from backstage_tui.config import load_settings

    good = tmp_path / "good.toml"
    good.write_text('[display]\nemoji = "native"\nkeycap_brackets = false\n')
    settings, warning = load_settings(good)
    assert warning is None
    assert (settings.display.emoji, settings.display.keycap_brackets) == ("native", False)

    bad = tmp_path / "bad.toml"
    bad.write_text('[display]\nemoji = "wide"\n')
    settings, warning = load_settings(bad)
    assert settings.display.emoji == "auto"
    assert warning is not None and "display.emoji" in warning


@kept_width_policy()
def test_the_cli_sets_the_policy_before_the_app_starts() -> None:
    from backstage_tui import safetext
    from backstage_tui.cli import _set_width_policy
    from backstage_tui.config import DisplaySettings, Settings

    _set_width_policy(Settings(display=DisplaySettings(emoji="native", keycap_brackets=False)))
    assert str(safetext.width_policy()) == "native: set in config"
    assert not safetext.width_policy().keycap_brackets
    # Under pytest stdin is no terminal: auto does not probe.
    _set_width_policy(Settings())
    assert str(safetext.width_policy()) == "strict: not on a terminal"
