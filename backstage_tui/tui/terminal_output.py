"""`LoopOutput`: the console's terminal writes, made on the event loop instead of a thread.

Textual hands every frame to a writer thread, which has to take the interpreter lock to write it:
once to wake up, again after each write call. Under a flood the loop holds the lock most of the
time, a waiting thread gets it only after a switch interval (5 ms) or more, and a frame reached the
terminal 10-30 ms after it was composed: the largest share of the slowest lines' latency
(docs/performance.md). `LoopOutput` writes each frame at once, from the loop, through a
non-blocking handle of its own on the terminal; what the terminal cannot take yet waits in a buffer
and goes out when the loop sees the terminal writable again. The loop never waits for a slow
terminal, unless the backlog passes `MAX_BACKLOG` (a terminal that stopped reading): then it
writes the backlog out and waits, as Textual's own writer does once 30 frames are queued.

The handle is the terminal opened again by name (`os.ttyname`): a file description of its own, so
making it non-blocking changes nothing for standard output, standard error or the shell that
shares them. A terminal that went away (the window closed) makes a write fail: the output is
dropped from then on and nothing is raised; the app's hang-up handling ends the session.

No private Textual attribute is read here; `textual_internals.write_on_the_loop` puts this in
place of Textual's writer thread.
"""

from __future__ import annotations

import asyncio
import os
import threading
from typing import TextIO

MAX_BACKLOG = 4 << 20
"""Bytes the terminal may owe before a write waits for it (about eight seconds of a flood's
frames; a terminal this far behind has stopped reading)."""


class LoopOutput:
    """A file-like writer for a Textual driver: ``write``, ``flush``, ``stop``, ``isatty``,
    ``fileno``. Written to from the loop's thread (from any other thread, the text is handed to the
    loop, in order)."""

    def __init__(self, file: TextIO, handle: int, loop: asyncio.AbstractEventLoop) -> None:
        self._file = file
        """The driver's own output, written to directly once stopped."""
        self._encoding = file.encoding or "utf-8"
        self._errors = file.errors or "strict"
        self._fd = handle
        self._loop = loop
        self._thread = threading.get_ident()
        self._pending = bytearray()
        self._watching = False
        self._stopped = False
        self.failed: OSError | None = None
        """Why the terminal took no more output (it went away), or None."""

    @classmethod
    def open(cls, file: TextIO, loop: asyncio.AbstractEventLoop) -> LoopOutput | None:
        """A writer on the terminal `file` writes to; None when that is no terminal, or it cannot
        be opened again (the caller keeps Textual's writer)."""
        try:
            name = os.ttyname(file.fileno())
            flags = os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
            handle = os.open(name, flags)
        except (OSError, ValueError, AttributeError):
            return None
        return cls(file, handle, loop)

    @property
    def backlog(self) -> int:
        """Bytes written but not yet taken by the terminal."""
        return len(self._pending)

    def write(self, text: str) -> None:
        if self._stopped:
            self._file.write(text)
            self._file.flush()
            return
        if threading.get_ident() != self._thread:
            self._loop.call_soon_threadsafe(self.write, text)
            return
        if self.failed is not None:
            return
        data = text.encode(self._encoding, self._errors)
        if self._pending:
            self._pending += data  # after what waits, never beside it
            if len(self._pending) > MAX_BACKLOG:
                self._write_all()
            return
        sent = self._send(data)
        if sent < len(data) and self.failed is None:
            self._pending += data[sent:]
            self._watch()

    def _send(self, data: bytes | bytearray) -> int:
        """Write what the terminal takes now; the bytes it took."""
        try:
            return os.write(self._fd, data)
        except BlockingIOError:
            return 0
        except OSError as exc:
            self._fail(exc)
            return 0

    def _fail(self, exc: OSError) -> None:
        self.failed = exc
        self._pending.clear()
        self._unwatch()

    def _watch(self) -> None:
        if not self._watching:
            self._loop.add_writer(self._fd, self._drain)
            self._watching = True

    def _unwatch(self) -> None:
        if self._watching:
            self._loop.remove_writer(self._fd)
            self._watching = False

    def _drain(self) -> None:
        """The terminal can take more: what waits goes out, oldest first."""
        sent = self._send(self._pending)
        del self._pending[:sent]
        if not self._pending:
            self._unwatch()

    def _write_all(self) -> None:
        """Write everything that waits, waiting for the terminal as long as it takes."""
        self._unwatch()
        if not self._pending or self.failed is not None:
            return
        os.set_blocking(self._fd, True)  # this handle's own flag: nobody else's changes
        try:
            while self._pending:
                sent = os.write(self._fd, self._pending)
                del self._pending[:sent]
        except OSError as exc:
            self._fail(exc)
        finally:
            if self.failed is None:
                os.set_blocking(self._fd, False)

    def flush(self) -> None:
        """Nothing to do: every write goes to the terminal at once, or waits for it to drain."""

    def stop(self) -> None:
        """Write out what waits and close the handle; later writes go to the driver's own
        output directly (what Textual writes after leaving application mode)."""
        if self._stopped:
            return
        self._write_all()
        self._stopped = True
        os.close(self._fd)

    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._file.fileno()
