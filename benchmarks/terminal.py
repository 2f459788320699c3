"""Running the real `backstage` command under a pseudo-terminal, and reading what it draws.

The child gets a pty of a fixed size as its controlling terminal (so Textual sees a real terminal
and `/dev/tty` works for the keyboard) and, optionally, a pipe as its stdin. The parent reads the
pty's master side: the exact bytes a terminal emulator would receive.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import termios
import time
from collections.abc import Callable, Sequence

COLUMNS, ROWS = 120, 40
CHILD_ENV = {"TERM": "xterm-256color", "COLORTERM": "truecolor", "TEXTUAL_ANIMATIONS": "none"}


class Terminal:
    """A child process on a pty: `output` accumulates everything it wrote, with arrival times."""

    def __init__(self, argv: Sequence[str], *, stdin_pipe: bool = False, cwd: str | None = None):
        self.argv = list(argv)
        self.output = bytearray()
        self.pipe_w: int | None = None
        pipe_r = -1
        if stdin_pipe:
            pipe_r, self.pipe_w = os.pipe()
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child
            try:
                if stdin_pipe:
                    os.dup2(pipe_r, 0)
                    os.close(pipe_r)
                    assert self.pipe_w is not None
                    os.close(self.pipe_w)
                if cwd:
                    os.chdir(cwd)
                env = dict(os.environ, **CHILD_ENV)
                env.pop("TEXTUAL", None)  # no devtools
                os.execve(self.argv[0], self.argv, env)
            finally:
                os._exit(127)
        self.pid = pid
        self.fd = fd
        if stdin_pipe:
            os.close(pipe_r)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        os.set_blocking(fd, False)
        self.exit_code: int | None = None

    def read(self, timeout: float = 0.0) -> bytes:
        """Whatever the child wrote within `timeout` seconds (empty when nothing)."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return b""
        try:
            data = os.read(self.fd, 1 << 16)
        except (BlockingIOError, InterruptedError):
            return b""
        except OSError:  # EIO: the child closed the terminal
            return b""
        self.output += data
        return data

    def wait_for(self, check: Callable[[bytes], bool], timeout: float) -> float:
        """Read until `check(output)`; the perf_counter() time it became true."""
        deadline = time.perf_counter() + timeout
        while not check(bytes(self.output)):
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{self.argv[0]}: not seen within {timeout} s")
            if self.poll() is not None and not self.read(0.05):
                raise RuntimeError(f"{self.argv!r} exited with {self.exit_code}")
            self.read(0.05)
        return time.perf_counter()

    def keys(self, text: str) -> None:
        os.write(self.fd, text.encode())

    def end_live(self, timeout: float = 30.0) -> None:
        """End the live like a user: `q`, `y`, no goodbye (ctrl+u, enter), and `enter` on the
        summary as soon as it opens (the caller waits for the exit)."""
        for key, shows in (("q", b"End the live?"), ("y", b"Say goodbye"),
                           ("\x15\r", b": leave")):  # fmt: skip
            self.keys(key)
            self.wait_for(lambda out, shows=shows: shows in out, timeout)
        self.keys("\r")

    def poll(self) -> int | None:
        if self.exit_code is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.exit_code = os.waitstatus_to_exitcode(status)
        return self.exit_code

    def wait(self, timeout: float) -> int | None:
        deadline = time.perf_counter() + timeout
        while self.poll() is None and time.perf_counter() < deadline:
            self.read(0.05)
        return self.exit_code

    def close(self) -> None:
        """Make sure the child is gone (politely first)."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if self.poll() is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)
            self.wait(3.0)
        if self.pipe_w is not None:
            with contextlib.suppress(OSError):
                os.close(self.pipe_w)
            self.pipe_w = None
        with contextlib.suppress(OSError):
            os.close(self.fd)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
