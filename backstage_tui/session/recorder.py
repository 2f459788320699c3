"""`SessionRecorder`: every event, in order, to one JSONL file, without ever blocking the event loop.

The recorder is the bus's lossless subscriber. It takes whatever has queued since its last write as
one batch, serialises it and appends it with a single ``os.write`` in a worker thread, so a flood
costs a handful of system calls rather than one per line. Data reaches the OS at once (no user-space
buffer to lose); ``fsync`` follows about once a second, at once after a moderation action, and on close.

A write error is loud and sticky (`error`), and nothing is dropped: the unwritten lines stay in
memory and are retried with every following batch, recreating the folder if it was removed. A write
that fails part-way (a short write, then ENOSPC) is cut back: the file is truncated to the end of
the last complete line before anything else is written, so no line is ever torn in the middle of the
log or written twice. If the log file itself is deleted while open, what was already written is
copied from the still-open descriptor into a new file at the same path.

On a clean close (every event written, the file exactly the bytes written) a `summary` line follows
the last event: the session's totals and a CRC-32 of every byte before it, so ``sessions show`` need
not fold a million lines again (`summary.py`); after write errors it also says how many there were
and how many events were held in memory and written later.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import reprlib
import threading
import time
import zlib
from pathlib import Path

import orjson

from ..bus import Subscription
from ..events import ACTION_TYPES, Event, Malformed, event_to_json, log_line
from .header import SessionHeader
from .summary import SessionSummary, SessionTotals, WriteTrouble

FSYNC_INTERVAL_S = 1.0


def _line(event: Event) -> bytes:
    """The event's log line; an event that cannot be serialised is recorded as `Malformed` in its
    place (same id, time and seq), so the log keeps its gap-free order and the recorder never dies."""
    try:
        return log_line(event)
    except Exception as exc:  # noqa: BLE001 - anything a serialiser raises must not stop recording
        stand_in = Malformed(
            id=event.id,
            ts=event.ts,
            seq=event.seq,
            raw=reprlib.repr(event),
            error=f"could not be recorded: {type(exc).__name__}",
        )
        return event_to_json(stand_in)


class SessionRecorder:
    def __init__(self, path: Path, header: SessionHeader, fsync_interval: float = FSYNC_INTERVAL_S):
        self.path = path
        self.header = header
        self.fsync_interval = fsync_interval
        self.written = 0
        """Events that reached the file (the header not counted)."""
        self.last_seq = 0
        self.error: str | None = None
        """The last write error, kept until a write succeeds again; shown by the UI."""
        self.notice: str | None = None
        """Something the user should know that is not an error (the log was recreated)."""
        self.written_seq = 0
        """The seq of the last event on disk (handed to the OS: a crash of the process keeps it)."""
        self._fd: int | None = None
        self._pending: list[_Pending] = []
        """Serialised batches not yet on disk, oldest first."""
        self._end = 0
        """Where the last complete line ends: the file's size when every write has succeeded, and
        what it is cut back to when one fails part-way."""
        self._file_id: tuple[int, int] | None = None
        """(st_dev, st_ino) of the log file, to tell it from a new file at the same path."""
        self._cut_pending = False
        """A failed write could not be cut back yet: do it before anything else is written."""
        self.trouble = WriteTrouble()
        """The write errors of this session and the events they held back (for the summary)."""
        self._waiters: dict[int, asyncio.Future[bool]] = {}
        """`wait_written` callers, by seq."""
        self._last_sync = 0.0
        self._io_lock = threading.Lock()
        self.closed = False
        self._size = 0
        self._crc = 0
        """Size and CRC-32 of every byte this recorder wrote, for the summary line."""
        self._intact = True
        """False once anything went wrong that could leave the file other than the bytes counted
        (a write error part-way, a file recreated empty): then no summary is written."""

    # -- lifecycle --

    async def open(self) -> None:
        """Create the folder and file and write the header; raises `OSError` when it cannot."""
        line = orjson.dumps(self.header.model_dump(mode="json")) + b"\n"
        await asyncio.to_thread(self._open_sync, line)

    def _open_sync(self, header_line: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Read access too: if the file is unlinked while open, its content is copied back from here.
        self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_EXCL, 0o644)
        self._remember_file()
        self._write_all(header_line)
        os.fsync(self._fd)
        self._last_sync = time.monotonic()

    async def run(self, sub: Subscription, *, close_at_end: bool = True) -> None:
        """Write every batch from `sub` until the bus closes, then close the file (unless
        `close_at_end` is False: the owner then calls `close` with the session's totals)."""
        try:
            while True:
                batch = await sub.get_batch()
                if not batch:
                    break
                await self.write_batch(batch)
        finally:
            self._wake_waiters(None)
            if close_at_end:
                await self.close()

    async def write_batch(self, events: list[Event]) -> None:
        urgent = any(e.type in ACTION_TYPES for e in events)
        await asyncio.to_thread(self._write_batch_sync, events, urgent)
        if self._waiters:
            self._wake_waiters(events[-1].seq)

    async def wait_written(self, seq: int, timeout: float) -> bool:
        """Whether the event numbered `seq` reached the file, once the recorder has tried to write
        it (False: the disk refused it and it is held in memory, or `timeout` passed first)."""
        if self.written_seq >= seq:
            return True
        if self.closed:
            return False
        waiter = self._waiters.get(seq)
        if waiter is None:
            waiter = self._waiters[seq] = asyncio.get_running_loop().create_future()
        try:
            return await asyncio.wait_for(asyncio.shield(waiter), timeout)
        except TimeoutError:
            # A slow disk: written (its fsync still under way) counts; a write still stuck does not.
            return self.written_seq >= seq

    def _wake_waiters(self, tried_seq: int | None) -> None:
        """Answer every waiter whose event the recorder has now tried to write (all of them when
        `tried_seq` is None: the recorder stopped)."""
        for seq in [s for s in self._waiters if tried_seq is None or s <= tried_seq]:
            waiter = self._waiters.pop(seq)
            if not waiter.done():
                waiter.set_result(self.written_seq >= seq)

    async def close(self, totals: SessionTotals | None = None) -> None:
        """Write what is pending, append the summary line when `totals` are given and the log is
        whole, fsync and close. `totals` must be the fold of exactly the events written."""
        if self.closed:
            return
        await asyncio.to_thread(self._close_sync, totals)

    # -- the worker-thread side --

    def _write_batch_sync(self, events: list[Event], urgent: bool) -> None:
        data = b"\n".join([_line(e) for e in events]) + b"\n"
        with self._io_lock:
            self._pending.append(_Pending(data, len(events), events[-1].seq))
            self.last_seq = events[-1].seq
            self._flush_pending()
            if self.error is None and (
                urgent or time.monotonic() - self._last_sync >= self.fsync_interval
            ):
                self._sync()

    def _flush_pending(self) -> None:
        try:
            if self._fd is None:
                self._reopen()
            elif self._cut_pending:
                self._cut_back()
            while self._pending:
                chunk = self._pending[0]
                self._write_all(chunk.data)
                # Dropped only once written whole (a failure part-way is cut back), so a batch is
                # never written twice.
                self._pending.pop(0)
                self.written += chunk.events
                self.written_seq = chunk.last_seq
                if chunk.held:
                    self.trouble.held_written += chunk.events
        except OSError as exc:
            self.error = f"session log failing: {exc.strerror or exc} ({self.path})"
            self.trouble.failed(exc.strerror or str(exc))
            for chunk in self._pending:
                chunk.held = True
            self.trouble.held_most = max(self.trouble.held_most, self.unwritten)
            self._close_fd_quietly()
            return
        if self.error is not None and self._intact:
            self.notice = self.trouble.describe()  # stays shown after the disk takes them again
        self.error = None

    def _write_all(self, data: bytes) -> None:
        """Append `data` whole, or raise `OSError` with the file cut back to where it was."""
        assert self._fd is not None
        view = memoryview(data)
        crc = self._crc
        try:
            while view:
                n = self._os_write(self._fd, view)
                if n <= 0:
                    raise OSError(errno.EIO, "the disk took nothing (a zero-byte write)")
                # zlib releases the GIL for buffers this size: the event loop does not wait for it.
                crc = zlib.crc32(view[:n], crc)
                view = view[n:]
        except OSError:
            # Nothing of `data` may stay: not even what a short write put there before the error.
            self._cut_pending = True
            with contextlib.suppress(OSError):
                self._cut_back()
            raise
        self._crc = crc
        self._size += len(data)
        self._end += len(data)

    @staticmethod
    def _os_write(fd: int, data: memoryview) -> int:
        """The one system call that appends to the log (tests put a failing one in its place)."""
        return os.write(fd, data)

    def _cut_back(self) -> None:
        """Truncate the file to the end of its last complete line: a write that failed part-way
        must not leave a piece of a line for the next write to be glued to."""
        assert self._fd is not None
        size = os.fstat(self._fd).st_size
        if size > self._end:
            os.ftruncate(self._fd, self._end)
        elif size < self._end:
            self._cut_short(size)
        self._cut_pending = False

    def _cut_short(self, size: int) -> None:
        """Something else shortened the file while recording (truncating it to `_end` would fill
        the gap with NULs): go on after its last complete line; it is no longer the whole session."""
        assert self._fd is not None
        end = size
        while end > 0:
            start = max(0, end - (1 << 16))
            at = os.pread(self._fd, end - start, start).rfind(b"\n")
            if at >= 0:
                end = start + at + 1
                break
            end = start
        os.ftruncate(self._fd, end)
        self._end = end
        self._intact = False
        self.notice = f"session log was cut short by something else while recording ({self.path})"

    def _remember_file(self) -> None:
        assert self._fd is not None
        info = os.fstat(self._fd)
        self._file_id = (info.st_dev, info.st_ino)

    def _sync(self) -> None:
        assert self._fd is not None
        try:
            if os.fstat(self._fd).st_nlink == 0:
                self._recover_deleted_file()
            os.fsync(self._fd)
        except OSError as exc:
            self.error = f"session log failing: {exc.strerror or exc} ({self.path})"
            return
        self._last_sync = time.monotonic()

    def _recover_deleted_file(self) -> None:
        """The file was unlinked while open: writes would go to a file nobody can find. Copy what
        the descriptor still holds into a new file at the same path and go on there."""
        assert self._fd is not None
        old = self._fd
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        size = os.fstat(old).st_size
        offset = 0
        size = min(size, self._end)  # never a torn piece of a failed write
        while offset < size:
            chunk = os.pread(old, min(1 << 20, size - offset), offset)
            if not chunk:
                break
            os.write(new, chunk)
            offset += len(chunk)
        self._fd = new
        self._remember_file()
        os.close(old)
        if offset < self._end:
            self._intact = False  # the copy came out short: not every byte counted is there
        self._end = offset
        self.notice = f"session log was removed while recording; recreated at {self.path}"

    def _reopen(self) -> None:
        """Open the log again after a write error closed it: the same file, cut back to its last
        complete line; or, when the folder or file was removed meanwhile, a new one."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        info = os.fstat(self._fd)
        if (info.st_dev, info.st_ino) == self._file_id:
            self._cut_back()
            return
        self._remember_file()
        self._cut_pending = False
        self._end = info.st_size
        # What was written before is gone with the folder: this file is not the whole session.
        self._intact = False
        if info.st_size == 0:
            self._write_all(orjson.dumps(self.header.model_dump(mode="json")) + b"\n")
        self.notice = f"session log was removed while recording; recreated at {self.path}"

    def _close_fd_quietly(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def _close_sync(self, totals: SessionTotals | None) -> None:
        with self._io_lock:
            if self._pending:
                self._flush_pending()
            if totals is not None and self._fd is not None:
                self._write_summary(totals)
            if self._fd is not None and self.error is None:
                self._sync()
            self._close_fd_quietly()
            self.closed = True

    def _write_summary(self, totals: SessionTotals) -> None:
        # Only for a log that holds exactly the events folded into `totals`, written in one go.
        if not self._intact or self.error or self._pending or totals.events != self.written:
            return
        summary = SessionSummary(
            events=self.written,
            last_seq=self.last_seq,
            size=self._size,
            crc32=self._crc,
            totals=totals,
            write_errors=self.trouble.errors,
            first_error=self.trouble.first_error,
            held_written=self.trouble.held_written,
            held_most=self.trouble.held_most,
        )
        try:
            self._write_all(summary.line())
        except OSError as exc:
            self.error = f"session log failing: {exc.strerror or exc} ({self.path})"

    @property
    def unwritten(self) -> int:
        """Events held in memory because the disk refused them."""
        return sum(chunk.events for chunk in self._pending)


class _Pending:
    """One serialised batch waiting for the disk."""

    __slots__ = ("data", "events", "last_seq", "held")

    def __init__(self, data: bytes, events: int, last_seq: int) -> None:
        self.data = data
        self.events = events
        self.last_seq = last_seq
        self.held = False
        """The disk refused it at least once: it waited in memory."""
