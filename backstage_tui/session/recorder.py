"""`SessionRecorder`: every event, in order, to one JSONL file, without ever blocking the event loop.

The recorder is the bus's lossless subscriber. It takes whatever has queued since its last write as
one batch, serialises it and appends it with a single ``os.write`` in a worker thread, so a flood
costs a handful of system calls rather than one per line. Data reaches the OS at once (no user-space
buffer to lose); ``fsync`` follows about once a second, at once after a moderation action, and on close.

A write error is loud and sticky (`error`), and nothing is dropped: the unwritten lines stay in
memory and are retried with every following batch, recreating the folder if it was removed. If the
log file itself is deleted while open, what was already written is copied from the still-open
descriptor into a new file at the same path.

On a clean close (every event written, no write error on the way) a `summary` line follows the last
event: the session's totals and a CRC-32 of every byte before it, so ``sessions show`` need not fold
a million lines again (`summary.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import reprlib
import threading
import time
import zlib
from pathlib import Path

import orjson

from ..bus import Subscription
from ..events import ACTION_TYPES, Event, Malformed, event_to_json
from .header import SessionHeader
from .summary import SessionSummary, SessionTotals

FSYNC_INTERVAL_S = 1.0


def _line(event: Event) -> bytes:
    """The event's log line; an event that cannot be serialised is recorded as `Malformed` in its
    place (same id, time and seq), so the log keeps its gap-free order and the recorder never dies."""
    try:
        return event_to_json(event)
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
        self._fd: int | None = None
        self._pending: list[tuple[bytes, int]] = []
        """Serialised batches not yet on disk, with their event counts."""
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
            if close_at_end:
                await self.close()

    async def write_batch(self, events: list[Event]) -> None:
        urgent = any(e.type in ACTION_TYPES for e in events)
        await asyncio.to_thread(self._write_batch_sync, events, urgent)

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
            self._pending.append((data, len(events)))
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
            while self._pending:
                chunk, count = self._pending[0]
                self._write_all(chunk)
                # Dropped only once written, so a failure part-way never writes a batch twice.
                self._pending.pop(0)
                self.written += count
        except OSError as exc:
            self.error = f"session log failing: {exc.strerror or exc} ({self.path})"
            self._intact = False
            self._close_fd_quietly()
            return
        self.error = None

    def _write_all(self, data: bytes) -> None:
        assert self._fd is not None
        view = memoryview(data)
        while view:
            n = os.write(self._fd, view)
            # zlib releases the GIL for buffers this size: the event loop does not wait for it.
            self._crc = zlib.crc32(view[:n], self._crc)
            self._size += n
            view = view[n:]

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
        while offset < size:
            chunk = os.pread(old, min(1 << 20, size - offset), offset)
            if not chunk:
                break
            os.write(new, chunk)
            offset += len(chunk)
        self._fd = new
        os.close(old)
        self.notice = f"session log was removed while recording; recreated at {self.path}"

    def _reopen(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        if os.fstat(self._fd).st_size == 0:
            # What was written before is gone with the folder: this file is not the whole session.
            self._intact = False
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
        )
        try:
            self._write_all(summary.line())
        except OSError as exc:
            self.error = f"session log failing: {exc.strerror or exc} ({self.path})"

    @property
    def unwritten(self) -> int:
        """Events held in memory because the disk refused them."""
        return sum(count for _, count in self._pending)
