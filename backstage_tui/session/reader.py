"""`SessionReader`: a session log read back, damaged or not.

Lines are split on ``b"\\n"`` only (`LineSplitter`, shared with the ``jsonl`` source). A last line
without its newline is a torn write (a crash, a power cut), even when it happens to be complete
JSON: it is dropped and reported. A NUL-filled stretch (what some filesystems leave after a power
cut) or a corrupt line is reported and skipped; reading goes on either way. The summary line a clean
close appends is not an event and is passed over.

Whatever the file holds, memory and time stay bounded: a line longer than `MAX_LINE` is cut off and
reported, only the first `MAX_PROBLEMS` problems are kept (all are counted), and reading stops after
`MAX_DAMAGED_RUN` bytes in a row without one readable line (a log is never that damaged; a file of
garbage behind a header would otherwise take minutes).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from pydantic import ValidationError

from ..events import SCHEMA_VERSION, Event, event_from_json
from .header import SessionHeader
from .lines import MAX_LINE, CutLine, LineSplitter
from .summary import SUMMARY_TAG

CHUNK = 1 << 20
BATCH = 4096
"""Events per batch from `batches`, at least (a batch ends at a chunk boundary)."""
MAX_HEADER = 1 << 16
"""The header line is short; the first line is read up to this many bytes, no more."""
MAX_PROBLEMS = 1000
"""Problems kept for the report (the first ones); `SessionReader.damaged` counts them all."""
MAX_DAMAGED_RUN = 16 << 20
"""Bytes in a row without a readable line after which the rest of the file is not read."""


class SessionLogError(Exception):
    """The file cannot be read as a session log at all; the message is one readable line."""


@dataclass(frozen=True)
class Problem:
    line: int
    """1-based line number in the file."""
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class SessionReader:
    path: Path
    problems: list[Problem] = field(default_factory=list)
    """The first `MAX_PROBLEMS` things found damaged, in file order."""
    header: SessionHeader | None = None
    damaged: int = 0
    """Every problem found, kept or not."""
    torn_tail: bool = False
    """The file ends in a line without its newline (dropped): a write cut short."""
    stopped_at: int | None = None
    """The line where reading gave up on a long damaged stretch; None when read to the end."""

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        try:
            with self.path.open("rb") as f:
                first = f.readline(MAX_HEADER)
        except FileNotFoundError:
            raise SessionLogError(f"no such session log: {self.path}") from None
        except IsADirectoryError:
            raise SessionLogError(f"{self.path} is a folder, not a session log") from None
        except OSError as exc:
            raise SessionLogError(f"cannot read {self.path}: {exc.strerror or exc}") from None
        if not first:
            raise SessionLogError(f"{self.path} is empty: not a backstage session log")
        try:
            data = orjson.loads(first)
            if not isinstance(data, dict) or data.get("type") != "header":
                raise ValueError("no header line")
            self.header = SessionHeader.model_validate(data)
        except (ValueError, ValidationError):
            raise SessionLogError(
                f"{self.path} is not a backstage session log (its first line is not a header)"
            ) from None
        self._run = 0
        """Bytes read since the last readable line (`MAX_DAMAGED_RUN`)."""

    @property
    def newer(self) -> bool:
        """Written by a newer backstage: fields this one does not know are ignored, and lines it
        cannot read at all are reported as damaged."""
        return self.header is not None and self.header.schema_version > SCHEMA_VERSION

    def lines(self, start: tuple[int, int] | None = None) -> Iterator[tuple[int, bytes, bool]]:
        """(line number, line, is_last_and_unterminated) for every line after the header; from
        `start` on when given: (byte offset of a line's start, the number of the line before it)."""
        offset, number = start or (0, 0)
        splitter = LineSplitter(max_line=MAX_LINE)
        with self.path.open("rb") as f:
            f.seek(offset)
            while chunk := f.read(CHUNK):
                self._run += len(chunk)
                for line in splitter.feed(chunk):
                    number += 1
                    if number > 1:
                        yield number, line, False
                if self._run > MAX_DAMAGED_RUN:
                    self.stopped_at = number + 1
                    self.damaged += 1  # kept past `MAX_PROBLEMS`: the report must say it stopped
                    self.problems.append(Problem(
                        number + 1,
                        f"stopped reading: {MAX_DAMAGED_RUN >> 20} MiB without one readable line "
                        f"(the last {_size(self.path.stat().st_size - f.tell())} not read)",
                    ))  # fmt: skip
                    return
        if rest := splitter.finish():
            number += 1
            if number > 1:
                yield number, rest, True

    def batches(self) -> Iterator[list[Event]]:
        """The events in file order, a few thousand at a time (the fast path for big logs).

        Every complete line is first handed straight to the validator, so a sound line costs one
        call; only a line it refuses (blank, NUL-filled, corrupt, cut) and the unterminated last
        line go through `_parse` to be judged and reported.
        """
        validate = event_from_json
        parse = self._parse
        batch: list[Event] = []
        for number, line, unterminated in self.lines():
            if unterminated or type(line) is CutLine:
                event: Event | None = parse(number, line, unterminated)
            else:
                try:
                    event = validate(line)
                except ValidationError:
                    event = parse(number, line, unterminated)
            if event is not None:
                self._run = 0
                batch.append(event)
                if len(batch) >= BATCH:
                    yield batch
                    batch = []
        if batch:
            yield batch

    def __iter__(self) -> Iterator[Event]:
        for batch in self.batches():
            yield from batch

    def events(self) -> list[Event]:
        return list(self)

    def readable(self) -> None:
        """A reader of `lines` that decoded a line itself tells the reader so: a long run of
        unreadable bytes is what makes it give up (`MAX_DAMAGED_RUN`), and this line ends one."""
        self._run = 0

    def judge_line(self, number: int, line: bytes, unterminated: bool) -> Event | None:
        """A line the validator refused: the event it still is, or None (reported in `problems`
        when it is damaged; blank lines and the summary are passed over quietly)."""
        return self._parse(number, line, unterminated)

    def _parse(self, number: int, line: bytes, unterminated: bool) -> Event | None:
        if unterminated:
            # Never an event, even when it parses: a line is written whole with its newline.
            self.torn_tail = True
            what = "NUL-filled" if not line.strip(b"\x00") else f"{len(line):,} bytes"
            self._report(number, f"torn last line dropped ({what}, no newline)")
            return None
        if isinstance(line, CutLine):
            self._report(number, f"line longer than {MAX_LINE >> 20} MiB skipped")
            return None
        if not line.strip(b" \r\t\x00"):
            if line:
                self._report(number, "empty or NUL-filled line dropped")
            else:
                self._run = 0  # a blank line is not damage worth giving up over
            return None
        if line.startswith(SUMMARY_TAG):
            self._run = 0
            return None
        try:
            return event_from_json(line)
        except ValidationError as exc:
            first = exc.errors()[0] if exc.errors() else {"msg": str(exc)}
            self._report(number, f"corrupt line skipped ({str(first['msg'])[:200]})")
            return None

    def _report(self, number: int, message: str) -> None:
        self.damaged += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(number, message))


def _size(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB"):
        if n < 1024:
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n //= 1024
    return f"{n:,} GiB"
