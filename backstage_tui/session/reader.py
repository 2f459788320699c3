"""`SessionReader`: a session log read back, damaged or not.

Lines are split on ``b"\\n"`` only (`LineSplitter`, shared with the ``jsonl`` source). A torn or
NUL-filled last line (a crash mid-write) is dropped and reported; a corrupt line in the middle is reported and
skipped; reading goes on either way. The summary line a clean close appends is not an event and is
passed over.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from pydantic import ValidationError

from ..events import Event, event_from_json
from .header import SessionHeader
from .lines import LineSplitter
from .summary import SUMMARY_TAG

CHUNK = 1 << 20
BATCH = 4096
"""Events per batch from `batches`, at least (a batch ends at a chunk boundary)."""


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
    header: SessionHeader | None = None

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        try:
            with self.path.open("rb") as f:
                first = f.readline(1 << 16)
        except FileNotFoundError:
            raise SessionLogError(f"no such session log: {self.path}") from None
        except IsADirectoryError:
            raise SessionLogError(f"{self.path} is a folder, not a session log") from None
        except OSError as exc:
            raise SessionLogError(f"cannot read {self.path}: {exc.strerror or exc}") from None
        try:
            data = orjson.loads(first)
            if not isinstance(data, dict) or data.get("type") != "header":
                raise ValueError("no header line")
            self.header = SessionHeader.model_validate(data)
        except (ValueError, ValidationError):
            raise SessionLogError(
                f"{self.path} is not a backstage session log (its first line is not a header)"
            ) from None

    def lines(self) -> Iterator[tuple[int, bytes, bool]]:
        """(line number, line, is_last_and_unterminated) for every line after the header."""
        number = 0
        splitter = LineSplitter()
        with self.path.open("rb") as f:
            while chunk := f.read(CHUNK):
                for line in splitter.feed(chunk):
                    number += 1
                    if number > 1:
                        yield number, line, False
        if rest := splitter.finish():
            number += 1
            if number > 1:
                yield number, rest, True

    def batches(self) -> Iterator[list[Event]]:
        """The events in file order, a few thousand at a time (the fast path for big logs).

        Every line is first handed straight to the validator, so a sound line costs one call; only
        a line it refuses (blank, NUL-filled, corrupt, torn) goes through `_parse` to be judged and
        reported.
        """
        validate = event_from_json
        parse = self._parse
        batch: list[Event] = []
        for number, line, unterminated in self.lines():
            try:
                event: Event | None = validate(line)
            except ValidationError:
                event = parse(number, line, unterminated)
            if event is not None:
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

    def judge_line(self, number: int, line: bytes, unterminated: bool) -> Event | None:
        """A line the validator refused: the event it still is, or None (reported in `problems`
        when it is damaged; blank lines and the summary are passed over quietly)."""
        return self._parse(number, line, unterminated)

    def _parse(self, number: int, line: bytes, unterminated: bool) -> Event | None:
        if not line.strip(b" \r\t\x00"):
            if unterminated or line:
                self.problems.append(Problem(number, "empty or NUL-filled line dropped"))
            return None
        if line.startswith(SUMMARY_TAG):
            return None
        try:
            return event_from_json(line)
        except ValidationError as exc:
            what = "torn last line dropped" if unterminated else "corrupt line skipped"
            first = exc.errors()[0] if exc.errors() else {"msg": str(exc)}
            self.problems.append(Problem(number, f"{what} ({first['msg']})"))
            return None
