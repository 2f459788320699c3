"""`JsonlSource`: events as JSON lines from a file, a growing file, or stdin.

Any program can feed the console this way: one event per line in the session-log shape
(`docs/log-format.md`), where a minimal ``{"type":"comment","user":{"id":"1"},"text":"hi"}`` is
enough (the model fills in ``id`` and ``ts``). A session log can be fed in as it is: its header line
is skipped and its ``seq`` numbers are dropped, because the bus numbers events itself.

Bad input never stops the source: a line that is not JSON, or not an event, becomes a `Malformed`
event that says which line and why, and reading goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import stat
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any, ClassVar

import aiofiles
import aiofiles.os
import orjson
from aiofiles.threadpool.binary import AsyncFileIO
from pydantic import Field, ValidationError

from ..events import (
    EVENT_TYPES,
    Event,
    Malformed,
    event_from_dict,
    event_from_json,
    keep_lines,
)
from ..session.lines import MAX_LINE, CutLine, LineSplitter
from .base import Source, SourceError
from .options import SourceOptions

CHUNK = 1 << 16
PIPE_BUFFER = 1 << 20
"""What the kernel may hold of a stdin pipe for us (Linux's default ceiling for an unprivileged
process, against its default of 64 KiB, a dozen milliseconds of a 20,000/s flood): the producer
keeps writing while a frame is being drawn, rather than waiting on a full pipe."""
FOLLOW_POLL_S = 0.1
"""How long a follower waits at the end of the file before looking again."""
MAX_RAW = 2000
MAX_ERROR = 200


class LineDecoder:
    """Bytes in, events out: the log format's line splitter (`LineSplitter`, which keeps the
    partial last line until its newline arrives) and `parse_line`, with line numbers for the
    messages."""

    def __init__(self) -> None:
        self._lines = LineSplitter(max_line=MAX_LINE)
        self.line_number = 0

    @property
    def pending(self) -> bool:
        """Whether a partial line is waiting for its newline."""
        return self._lines.pending

    def feed(self, chunk: bytes) -> list[Event]:
        lines = self._lines.feed(chunk)
        # Only the last line can be cut (the splitter gives out a long line's start at once).
        cut = lines.pop() if lines and isinstance(lines[-1], CutLine) else None
        events = self._parse(lines)
        if cut is not None:
            self.line_number += 1
            raw = cut[:MAX_RAW].decode("utf-8", "replace")
            error = f"line {self.line_number}: longer than {MAX_LINE >> 20} MiB, dropped"
            events.append(Malformed(raw=raw, error=error))
        return events

    def _parse(self, lines: list[bytes]) -> list[Event]:
        first = self.line_number + 1
        self.line_number += len(lines)
        # One look at the whole read, rather than one per line.
        whole = b"\n".join(lines)
        if b'"seq"' not in whole:
            # The common case, every line a well-formed event: the compiled validator over all
            # of them, without a Python call per line. The first line it refuses (a blank line,
            # a header, a bad byte) sends the whole read down the careful path, line by line.
            try:
                events = list(map(event_from_json, lines))
            except ValidationError:
                pass
            else:
                if b'"source"' not in whole:
                    keep_lines(events, lines)
                return events
        parsed = (parse_line(line, number) for number, line in enumerate(lines, start=first))
        return [event for event in parsed if event is not None]

    def finish(self) -> list[Event]:
        """The input ended: a last line without a newline still counts (hand-written files)."""
        rest = self._lines.finish()
        if not rest:
            return []
        self.line_number += 1
        event = parse_line(rest, self.line_number)
        return [] if event is None else [event]

    def reset(self) -> None:
        """Start over (the followed file was truncated in place)."""
        self._lines.reset()
        self.line_number = 0


def parse_line(line: bytes, number: int = 0) -> Event | None:
    """One line as an event; None for a blank, header or summary line; `Malformed` for anything broken."""
    if not line.strip(b" \t\r"):
        return None
    if b'"seq"' not in line:
        # The common case, a well-formed event line, in one pass of the compiled validator. Anything
        # it refuses (headers, bad bytes, lone surrogates, wrong fields) takes the careful path below.
        try:
            event = event_from_json(line)
        except ValidationError:
            pass
        else:
            if b'"source"' not in line:
                keep_lines((event,), (line,))
            return event
    where = f"line {number}: " if number else ""
    try:
        data: Any = orjson.loads(line)
    except orjson.JSONDecodeError:
        # orjson insists on valid UTF-8; give a line with stray bytes a second chance decoded
        # leniently, so one bad byte in a name does not lose the whole comment.
        text = line.decode("utf-8", "replace")
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            return Malformed(raw=text[:MAX_RAW], error=_cut(f"{where}not JSON ({exc})"))
    if not isinstance(data, dict):
        raw = line[:MAX_RAW].decode("utf-8", "replace")
        return Malformed(raw=raw, error=f"{where}not a JSON object")
    kind = data.get("type")
    if kind in ("header", "summary"):
        # A session log's first and last lines: about the session, not events in it.
        return None
    if kind not in EVENT_TYPES:
        # Said plainly: pydantic's message for this lists every tag and is cut off anyway.
        error = 'no "type" field' if kind is None else f"unknown event type {kind!r}"
        return Malformed(raw=line[:MAX_RAW].decode("utf-8", "replace"), error=_cut(where + error))
    # The bus gives every event its seq; one from the input would only collide with it.
    data.pop("seq", None)
    try:
        return event_from_dict(data)
    except (ValidationError, ValueError, TypeError) as exc:
        raw = line[:MAX_RAW].decode("utf-8", "replace")
        return Malformed(raw=raw, error=_cut(where + _describe(exc)))


def _describe(exc: Exception) -> str:
    if not isinstance(exc, ValidationError):
        return str(exc)
    errors = exc.errors(include_url=False, include_input=False)
    if not errors:
        return "not a valid event"
    first = errors[0]
    loc = ".".join(str(part) for part in first["loc"])
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{loc}: {first['msg']}{more}" if loc else f"{first['msg']}{more}"


def _cut(text: str) -> str:
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"


def _unreadable(path: str, exc: OSError) -> SourceError:
    return SourceError(f"cannot read jsonl file {path!r}: {exc.strerror or exc}")


class JsonlOptions(SourceOptions):
    path: str = Field(min_length=1, description="the file to read, or - for stdin")
    follow: bool = Field(False, description="keep reading as the file grows (like tail -f)")


class JsonlSource(Source):
    name: ClassVar[str] = "jsonl"
    description: ClassVar[str] = "JSON lines from a file, a growing file, or stdin"
    Options = JsonlOptions
    options: JsonlOptions

    def __init__(self, **values: Any) -> None:
        super().__init__(**values)
        self.path = self.options.path
        self.follow = self.options.follow
        self._stdin_fd: int | None = None
        if self.reads_stdin:
            self._stdin_fd = self._take_stdin()
        else:
            self._check_file()

    @property
    def reads_stdin(self) -> bool:
        """True for ``path=-``: the source has taken its own copy of the stdin pipe already."""
        return self.path == "-"

    def describe(self) -> str:
        what = "stdin" if self.reads_stdin else os.path.basename(self.path)
        return f"jsonl {what}" + (" (follow)" if self.follow and not self.reads_stdin else "")

    # --- opening ---------------------------------------------------------------------------

    def _check_file(self) -> None:
        # Checked here so a typo fails at startup with one line, before any screen is drawn. Not
        # by opening it: opening a named pipe would block until a writer appears.
        try:
            info = os.stat(self.path)
        except OSError as exc:
            raise _unreadable(self.path, exc) from None
        if stat.S_ISDIR(info.st_mode):
            raise SourceError(f"cannot read jsonl file {self.path!r}: it is a folder")
        if not os.access(self.path, os.R_OK):
            raise SourceError(f"cannot read jsonl file {self.path!r}: Permission denied")

    @staticmethod
    def _take_stdin() -> int:
        try:
            if os.isatty(0):
                raise SourceError(
                    "jsonl path=- reads events from a pipe, but stdin is the terminal: "
                    "pipe them in (producer | backstage --source jsonl --option path=-) or give a file"
                )
            # Our own descriptor: the caller may then reopen fd 0 on the terminal for the keyboard,
            # and closing ours when done leaves the process's stdin alone.
            return os.dup(0)
        except OSError as exc:
            raise SourceError(f"cannot read jsonl from stdin: {exc.strerror or exc}") from None

    # --- reading ---------------------------------------------------------------------------

    async def events(self) -> AsyncIterator[Event]:
        async for batch in self.batches():
            for event in batch:
                yield event

    async def batches(self) -> AsyncIterator[list[Event]]:
        """The events of each read (up to `CHUNK` bytes of lines) together."""
        if self.reads_stdin:
            fd, self._stdin_fd = self._stdin_fd, None
            if fd is None:
                raise SourceError("jsonl: stdin can be read only once")
            async with contextlib.aclosing(self._stdin_batches(fd)) as inner:
                async for batch in inner:
                    yield batch
            return
        try:
            f = await aiofiles.open(self.path, "rb", buffering=0)
        except OSError as exc:
            raise _unreadable(self.path, exc) from None
        try:
            async with contextlib.aclosing(self._file_batches(f, follow=self.follow)) as inner:
                async for batch in inner:
                    yield batch
        finally:
            await f.close()

    async def _file_batches(
        self, f: AsyncFileIO, *, follow: bool
    ) -> AsyncGenerator[list[Event], None]:
        decoder = LineDecoder()
        while True:
            # The read waits in a worker thread (a disk or network file system may be slow), so the
            # loop stays free; a 64 KiB chunk is then parsed here, like the stdin path's.
            chunk = await f.read(CHUNK)
            if chunk:
                if batch := decoder.feed(chunk):
                    yield batch
                continue
            if not follow:
                if batch := decoder.finish():
                    yield batch
                return
            # At the end of a followed file: a partial last line waits for its newline, then look
            # again. A file that got shorter was truncated in place (log rotation by copytruncate):
            # start from the top.
            await asyncio.sleep(FOLLOW_POLL_S)
            if await _was_truncated(f):
                await f.seek(0)
                decoder.reset()

    async def _stdin_batches(self, fd: int) -> AsyncGenerator[list[Event], None]:
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
            # A regular file (or /dev/null) redirected to stdin: it cannot be polled, but plain
            # reads never block for long either, so read it like a file.
            f = await aiofiles.open(fd, "rb", buffering=0)
            try:
                async with contextlib.aclosing(self._file_batches(f, follow=False)) as inner:
                    async for batch in inner:
                        yield batch
            finally:
                await f.close()
            return
        _widen_pipe(fd)
        pipe = os.fdopen(fd, "rb", buffering=0)
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=CHUNK)
        # A pipe transport rather than a thread: a thread blocked reading an idle pipe could not be
        # cancelled and would keep the process from exiting.
        try:
            transport, _ = await loop.connect_read_pipe(
                lambda: asyncio.StreamReaderProtocol(reader), pipe
            )
        except BaseException:
            pipe.close()
            raise
        decoder = LineDecoder()
        try:
            while chunk := await reader.read(CHUNK):
                if batch := decoder.feed(chunk):
                    yield batch
                await asyncio.sleep(0)  # a fast writer must not starve the screen
            if batch := decoder.finish():
                yield batch
        finally:
            # The transport made the pipe non-blocking, a flag shared with whoever else holds it.
            with contextlib.suppress(OSError):
                os.set_blocking(fd, True)
            transport.close()


def _widen_pipe(fd: int) -> None:
    """Ask for a `PIPE_BUFFER`-sized pipe where the platform allows it; the default otherwise."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux only
    if set_size is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, set_size, PIPE_BUFFER)


async def _was_truncated(f: AsyncFileIO) -> bool:
    try:
        return (await aiofiles.os.stat(f.name)).st_size < await f.tell()
    except (OSError, TypeError):
        return False
