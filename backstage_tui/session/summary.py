"""The last line of a cleanly closed session log: what the session came to, and proof that the file
is what was recorded.

A creator runs ``backstage sessions show`` after a three-hour stream, and folding a million lines
again takes seconds. So when a session closes cleanly the recorder appends one
``summary`` line: the totals the live console had (folded by the same reducers from the same
events), and the size and CRC-32 of every byte before that line. `read_summary` trusts the totals
only when the file still has exactly those bytes; a log that was cut short, damaged or edited has no
matching summary and is folded line by line, as before.

The summary is a convenience, never the record: replay and the reader skip it, and the events
before it are the whole truth.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

import orjson
from pydantic import BaseModel, ConfigDict, ValidationError

from ..state import ConsoleState

SUMMARY_TAG = b'{"type":"summary"'
"""How every summary line starts (the model's first field), so readers can tell it apart cheaply."""
MAX_SUMMARY_BYTES = 1 << 16
CRC_CHUNK = 1 << 20


class SessionTotals(BaseModel):
    """The numbers `sessions show` prints: one model, whether folded now or read from a summary.

    Declared apart from `StatsState` on purpose, though many names are the same: this is part of the
    log format, versioned with it (`docs/log-format.md`), while the live state may gain or reshape
    fields that never reach a log.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    events: int = 0
    comments: int = 0
    questions: int = 0
    likes: int = 0
    gifts: int = 0
    diamonds: int = 0
    follows: int = 0
    shares: int = 0
    joins: int = 0
    viewers: int = 0
    peak_viewers: int = 0
    average_viewers: float | None = None
    """Each viewer count weighted by how long it held (`StatsState.average_viewers`); None with
    no readings, and in summaries written before it was kept (format 1 logs may lack it)."""
    malformed: int = 0
    gaps: int = 0
    uptime_s: float = 0.0
    moderation_actions: int = 0
    hidden: int = 0
    pinned: int = 0
    by_type: dict[str, int] = {}

    @classmethod
    def of(cls, state: ConsoleState) -> SessionTotals:
        s = state.stats
        return cls(
            events=s.events,
            comments=s.comments,
            questions=s.questions,
            likes=s.likes,
            gifts=s.gifts,
            diamonds=s.diamonds,
            follows=s.follows,
            shares=s.shares,
            joins=s.joins,
            viewers=s.viewers,
            peak_viewers=s.peak_viewers,
            average_viewers=s.average_viewers,
            malformed=s.malformed,
            gaps=s.gaps,
            uptime_s=s.uptime_s,
            moderation_actions=state.moderation.actions,
            hidden=len(state.moderation.hidden),
            pinned=len(state.pins.pinned),
            by_type=dict(s.by_type),
        )


class SessionSummary(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    type: Literal["summary"] = "summary"
    events: int
    """Event lines before this one."""
    last_seq: int
    size: int
    """Bytes of the file before this line, header included."""
    crc32: int
    """`zlib.crc32` of those bytes."""
    totals: SessionTotals
    write_errors: int = 0
    """Writes the disk refused while recording (each was cut back and tried again)."""
    first_error: str = ""
    """The first refusal's reason (``No space left on device``)."""
    held_written: int = 0
    """Events that waited in memory while the disk refused them, and were written later."""
    held_most: int = 0
    """The most events held in memory at once."""

    def trouble(self) -> WriteTrouble:
        return WriteTrouble(self.write_errors, self.first_error, self.held_written, self.held_most)

    def line(self) -> bytes:
        return orjson.dumps(self.model_dump(mode="json")) + b"\n"


@dataclass
class WriteTrouble:
    """What went wrong while a session was written, and what came of it: counted by the recorder,
    kept in the summary, told by the Status pane and ``sessions show``."""

    errors: int = 0
    first_error: str = ""
    held_written: int = 0
    held_most: int = 0

    def failed(self, reason: str) -> None:
        self.errors += 1
        self.first_error = self.first_error or reason

    def describe(self) -> str:
        """One line for a log that came through write errors whole; ``""`` when there were none."""
        if not self.errors:
            return ""
        times = "once" if self.errors == 1 else f"{self.errors:,} times"
        return (
            f"the disk refused a write {times} ({self.first_error}); "
            f"{self.held_written:,} {'event was' if self.held_written == 1 else 'events were'} "
            "held in memory and written later, nothing lost"
        )


def read_summary(path: Path) -> tuple[SessionSummary | None, str]:
    """The log's summary if its last line is one and every byte before it is as recorded; else
    None and why, in a few words for the report."""
    try:
        with open(path, "rb") as f:
            end = os.fstat(f.fileno()).st_size
            f.seek(max(0, end - MAX_SUMMARY_BYTES))
            tail = f.read()
            if not tail.endswith(b"\n"):
                return None, "no summary: the session did not close cleanly"
            start = tail.rfind(b"\n", 0, len(tail) - 1) + 1
            last = tail[start:]
            if not last.startswith(SUMMARY_TAG):
                return None, "no summary: the session did not close cleanly"
            try:
                summary = SessionSummary.model_validate(orjson.loads(last))
            except (orjson.JSONDecodeError, ValidationError):
                return None, "its summary line is damaged"
            if summary.size != end - len(last) or summary.crc32 != _crc32(f, summary.size):
                return None, "the file changed after it was recorded"
    except OSError as exc:
        return None, f"summary unreadable ({exc.strerror or exc})"
    return summary, ""


def _crc32(f: BinaryIO, size: int) -> int:
    """CRC-32 of the first `size` bytes, a megabyte at a time (bounded memory for any log)."""
    f.seek(0)
    crc = 0
    left = size
    while left > 0:
        chunk = f.read(min(CRC_CHUNK, left))
        if not chunk:
            break
        crc = zlib.crc32(chunk, crc)
        left -= len(chunk)
    return crc
