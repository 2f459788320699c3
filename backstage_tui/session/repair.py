"""`repair`: a clean copy of a damaged session log, the original never touched.

What ``backstage sessions repair FILE`` does. The copy holds the header and every readable line
byte for byte as recorded; the torn last line is cut, and every damaged line (corrupt, NUL-filled,
too long, torn) goes to a side file beside the copy with its line number, so nothing is thrown
away unseen. The copy is written under a temporary name and renamed into place, so an interrupted
repair leaves no half copy behind.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pydantic import ValidationError

from ..events import event_from_json
from .lines import CutLine
from .reader import SessionLogError, SessionReader
from .summary import SUMMARY_TAG

DAMAGED_SUFFIX = ".damaged.txt"
"""The side file's name: the copy's name with this in place of ``.jsonl``."""
REPAIRED_SUFFIX = ".repaired.jsonl"
"""The copy's name when none is given: the original's with this in place of ``.jsonl``."""


@dataclass(frozen=True)
class RepairResult:
    out: Path
    side: Path | None
    """The side file of damaged lines; None when there were none."""
    events: int
    """Event lines copied."""
    damaged: int
    """Lines moved to the side file (the torn tail included)."""
    torn_tail: bool
    seq_gaps: int
    """Places where ``seq`` jumps: events lost before this copy was made (it cannot bring them
    back; replay and the totals go on from the next one)."""
    unread: str = ""
    """Why the end of the file was not read (a long damaged stretch), or ``""``."""


def default_output(path: Path) -> Path:
    name = path.name.removesuffix(".jsonl")
    return path.with_name(name + REPAIRED_SUFFIX)


def side_file(out: Path) -> Path:
    return out.with_name(out.name.removesuffix(".jsonl") + DAMAGED_SUFFIX)


def repair(path: Path, out: Path | None = None) -> RepairResult:
    """Write the clean copy of `path` to `out` (`default_output` when None) and the damaged lines
    to `side_file(out)`; `SessionLogError` with one readable line when it cannot."""
    reader = SessionReader(path)  # refuses what is not a session log at all
    out = out or default_output(path)
    side = side_file(out)
    for target in (out, side):
        if target.exists() and path.exists() and os.path.samefile(target, path):
            raise SessionLogError(f"{target} is the log itself: the original is never changed")
        if target.exists():
            raise SessionLogError(f"{target} already exists; choose another name with -o")
    temp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    side_temp = side.with_name(f".{side.name}.{os.getpid()}.tmp")
    try:
        result = _copy(reader, temp, side_temp, out, side)
        os.replace(temp, out)
        if result.side is not None:
            os.replace(side_temp, side)
    except OSError as exc:
        raise SessionLogError(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        for leftover in (temp, side_temp):
            with contextlib.suppress(OSError):
                leftover.unlink()
    return result


def _copy(
    reader: SessionReader, temp: Path, side_temp: Path, out: Path, side: Path
) -> RepairResult:
    events = damaged = gaps = 0
    last_seq = 0
    torn = False
    dropped = False
    """A line was left out: a summary after it no longer matches the bytes before it."""
    with reader.path.open("rb") as original, temp.open("xb") as copy:
        copy.write(original.readline())  # the header, as it is
        side_file_ = _SideFile(side_temp)
        try:
            for number, line, unterminated in reader.lines():
                if not unterminated and type(line) is not CutLine:
                    if line.startswith(SUMMARY_TAG):
                        if not dropped:
                            copy.write(line + b"\n")
                        continue
                    if not line.strip(b" \r\t"):
                        continue  # a blank line: nothing lost
                    try:
                        event = event_from_json(line)
                    except ValidationError:
                        pass
                    else:
                        copy.write(line + b"\n")
                        events += 1
                        if last_seq and event.seq != last_seq + 1:
                            gaps += 1
                        last_seq = event.seq
                        continue
                damaged += 1
                dropped = True
                torn = torn or unterminated
                side_file_.write(number, line, unterminated)
        finally:
            side_file_.close()
        copy.flush()
        os.fsync(copy.fileno())
    unread = next((p.message for p in reader.problems if p.line == reader.stopped_at), "")
    return RepairResult(
        out=out,
        side=side if damaged else None,
        events=events,
        damaged=damaged,
        torn_tail=torn,
        seq_gaps=gaps,
        unread=unread,
    )


class _SideFile:
    """The damaged lines, one per entry: ``line N (what): `` and the bytes as they were."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: BinaryIO | None = None
        """Opened on the first damaged line only."""

    def write(self, number: int, line: bytes, unterminated: bool) -> None:
        if self._file is None:
            self._file = self.path.open("xb")
        if unterminated:
            what = "torn last line, no newline"
        elif type(line) is CutLine:
            what = f"too long: its first {len(line):,} bytes"
        elif not line.strip(b"\x00 \r\t"):
            what = f"{len(line):,} NUL bytes"
            line = b""
        else:
            what = "corrupt"
        self._file.write(f"line {number} ({what}): ".encode() + line + b"\n")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
