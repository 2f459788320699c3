"""`LoopOutput`: frames written from the loop reach a real (pseudo-)terminal whole and in order,
a terminal that stops reading never blocks the loop (up to the backlog's bound), a terminal that
goes away raises nothing; and `write_on_the_loop` puts it in place of Textual's writer thread."""

from __future__ import annotations

import asyncio
import os
import threading
import time
import tty
from collections.abc import Iterator
from typing import Any, TextIO

import pytest
from textual.app import App
from textual.drivers._writer_thread import WriterThread
from textual.drivers.linux_driver import LinuxDriver

from backstage_tui.tui import terminal_output
from backstage_tui.tui.terminal_output import LoopOutput
from backstage_tui.tui.textual_internals import (
    APP_DRIVER,
    DRIVER_WRITER,
    WRITER_FILE,
    write_on_the_loop,
)


class Pty:
    """A pseudo-terminal in raw mode: `file` is what the app writes to, `master` the terminal."""

    def __init__(self) -> None:
        self.master, slave = os.openpty()
        tty.setraw(slave)  # bytes as they are: no newline translation
        self.file: TextIO = open(slave, "w", encoding="utf-8", errors="strict")  # noqa: SIM115
        self.received = bytearray()

    def read_available(self) -> bytes:
        """Everything the terminal has been sent so far."""
        os.set_blocking(self.master, False)
        try:
            while True:
                try:
                    chunk = os.read(self.master, 1 << 16)
                except BlockingIOError:
                    break
                if not chunk:
                    break
                self.received += chunk
        finally:
            os.set_blocking(self.master, True)
        return bytes(self.received)

    def close(self) -> None:
        self.file.close()
        os.close(self.master)


@pytest.fixture
def pty() -> Iterator[Pty]:
    terminal = Pty()
    yield terminal
    terminal.close()


def frames(count: int, size: int = 20_000) -> list[str]:
    """`count` distinct frames of `size` characters, some of them not ASCII."""
    return [(f"[frame {n} é✓]" * size)[:size] for n in range(count)]


async def wait_until(condition: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.01)


async def test_a_frame_is_on_the_terminal_when_write_returns(pty: Pty) -> None:
    output = LoopOutput.open(pty.file, asyncio.get_running_loop())
    assert output is not None
    output.write("\x1b[?1049hhello ✓")
    assert output.backlog == 0
    assert pty.read_available() == "\x1b[?1049hhello ✓".encode()
    output.stop()


async def test_a_terminal_that_stops_reading_never_blocks_the_loop_and_loses_nothing(
    pty: Pty,
) -> None:
    output = LoopOutput.open(pty.file, asyncio.get_running_loop())
    assert output is not None
    sent = frames(60)  # 1.2 MB: far more than a terminal buffers unread
    for frame in sent:
        output.write(frame)  # returns at once, whatever the terminal took
    assert output.backlog > 0
    expected = "".join(sent).encode()
    # The terminal reads again: the loop writes the rest as it can, in order.
    await wait_until(lambda: len(pty.read_available()) >= len(expected) and not output.backlog)
    assert pty.read_available() == expected
    output.stop()


async def test_past_the_backlog_bound_a_write_waits_for_the_terminal(
    pty: Pty, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(terminal_output, "MAX_BACKLOG", 100_000)
    output = LoopOutput.open(pty.file, asyncio.get_running_loop())
    assert output is not None
    waited: list[int] = []
    write_all = output._write_all

    def noting() -> None:
        waited.append(output.backlog)
        write_all()

    monkeypatch.setattr(output, "_write_all", noting)
    sent = frames(40)
    expected = "".join(sent).encode()
    done = threading.Event()

    def slow_terminal() -> None:
        while len(pty.received) < len(expected):
            pty.received += os.read(pty.master, 4096)
            time.sleep(0.0005)
        done.set()

    reader = threading.Thread(target=slow_terminal, daemon=True)
    reader.start()
    for frame in sent:
        output.write(frame)
        assert output.backlog <= 100_000 + len(frame.encode())
    assert waited and min(waited) > 100_000  # the bound was reached, and the writes waited
    await wait_until(done.is_set)
    assert bytes(pty.received) == expected
    output.stop()


async def test_a_terminal_that_went_away_raises_nothing(pty: Pty) -> None:
    output = LoopOutput.open(pty.file, asyncio.get_running_loop())
    assert output is not None
    os.close(pty.master)  # the window closed
    for frame in frames(10):
        output.write(frame)
    assert output.failed is not None
    assert output.backlog == 0
    output.stop()
    pty.master = os.open(os.devnull, os.O_RDONLY)  # for the fixture to close


async def test_stop_writes_out_what_waits_and_later_writes_go_to_the_file(pty: Pty) -> None:
    output = LoopOutput.open(pty.file, asyncio.get_running_loop())
    assert output is not None
    sent = frames(8)
    for frame in sent:
        output.write(frame)
    assert output.backlog > 0
    stop = threading.Event()
    reader = threading.Thread(
        target=lambda: [pty.read_available() for _ in iter(stop.is_set, True)]
    )
    reader.start()
    try:
        output.stop()  # waits for the terminal to take it all
        output.write("\x1b[?1049l")  # what Textual writes as it leaves application mode
        expected = ("".join(sent) + "\x1b[?1049l").encode()
        await wait_until(lambda: len(pty.received) >= len(expected))
    finally:
        stop.set()
        reader.join()
    assert pty.read_available() == expected


async def test_a_write_from_another_thread_goes_out_on_the_loop_in_order(pty: Pty) -> None:
    output = LoopOutput.open(pty.file, asyncio.get_running_loop())
    assert output is not None
    output.write("first ")
    worker = threading.Thread(target=output.write, args=("from a thread",))
    worker.start()
    worker.join()
    await wait_until(lambda: pty.read_available().endswith(b"from a thread"))
    assert pty.read_available() == b"first from a thread"
    output.stop()


async def test_not_a_terminal_keeps_textuals_writer(tmp_path: Any) -> None:
    with open(tmp_path / "out.txt", "w", encoding="utf-8") as file:
        assert LoopOutput.open(file, asyncio.get_running_loop()) is None


class FakeDriver:
    def __init__(self, file: TextIO) -> None:
        setattr(self, DRIVER_WRITER, WriterThread(file))
        getattr(self, DRIVER_WRITER).start()


async def test_write_on_the_loop_replaces_the_writer_thread_once(pty: Pty) -> None:
    app: App[None] = App()
    driver = FakeDriver(pty.file)
    thread = getattr(driver, DRIVER_WRITER)
    thread.write("written by the thread, ")
    setattr(app, APP_DRIVER, driver)  # what App.run does with a real one
    output = write_on_the_loop(app)
    assert isinstance(output, LoopOutput)
    assert getattr(driver, DRIVER_WRITER) is output
    assert not thread.is_alive()  # stopped, after writing out what it held
    assert write_on_the_loop(app, output) is None  # already in place: nothing to do
    output.write("then by the loop")
    assert pty.read_available() == b"written by the thread, then by the loop"
    # The driver started over (the console was suspended and resumed): a new thread, replaced
    # again, the previous writer stopped.
    setattr(driver, DRIVER_WRITER, WriterThread(pty.file))
    getattr(driver, DRIVER_WRITER).start()
    again = write_on_the_loop(app, output)
    assert isinstance(again, LoopOutput) and again is not output
    again.stop()


async def test_a_writer_on_a_file_is_kept_and_not_asked_about_again(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[object] = []
    real_open = LoopOutput.open

    def counting(file: TextIO, loop: asyncio.AbstractEventLoop) -> LoopOutput | None:
        opened.append(file)
        return real_open(file, loop)

    monkeypatch.setattr(LoopOutput, "open", counting)
    with open(tmp_path / "out.txt", "w", encoding="utf-8") as file:
        app: App[None] = App()
        driver = FakeDriver(file)
        setattr(app, APP_DRIVER, driver)
        for _ in range(3):  # three frames
            assert write_on_the_loop(app) is None
        assert len(opened) == 1
        thread = getattr(driver, DRIVER_WRITER)
        assert isinstance(thread, WriterThread) and thread.is_alive()  # Textual's writer stays
        thread.stop()


async def test_without_a_terminal_driver_nothing_is_replaced() -> None:
    app: App[None] = App()
    assert write_on_the_loop(app) is None  # no driver yet, as under the test driver
    setattr(app, APP_DRIVER, object())
    assert write_on_the_loop(app) is None


async def test_the_installed_textual_still_has_the_writer_internals(pty: Pty) -> None:
    """The two instance attributes `write_on_the_loop` reads (the app's is in RELIED_ON)."""
    driver = LinuxDriver(App())
    assert hasattr(driver, DRIVER_WRITER)
    assert getattr(WriterThread(pty.file), WRITER_FILE) is pty.file
