"""The sessions folder at a glance: one `SessionEntry` per log, read from two lines of each file.

``backstage sessions`` lists every log, and a creator may have hundreds of three-hour lives. So an
entry never reads the events: the header (the first line) gives the start, title and source; the
last line gives the rest. A log that closed cleanly ends with its summary line (`summary.py`),
which holds the totals; the summary counts only when it is the last line and its ``size`` is the
byte count before it (the full CRC check is `sessions show`'s job: it would read every byte). A log
that did not close cleanly still tells its event count and duration from its last complete event
line (``seq`` is gap-free from 1, ``ts`` is the event's time); its peak viewers are unknown.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from .header import SessionHeader
from .reader import SessionLogError, SessionReader
from .summary import MAX_SUMMARY_BYTES, SUMMARY_TAG, SessionSummary, SessionTotals

LOG_GLOB = "*.jsonl"
"""What counts as a session log in the sessions folder."""


@dataclass(frozen=True)
class SessionEntry:
    """One session log, as the list shows it. Numbers are None when the log cannot tell them."""

    path: Path
    started: datetime
    source: str
    title: str
    """The live's title when the header has one (``""`` until then)."""
    tags: tuple[str, ...]
    size: int
    """Bytes on disk."""
    closed_cleanly: bool
    """Whether the log ends with a true summary line (a clean close)."""
    events: int | None
    duration_s: float | None
    peak_viewers: int | None
    totals: SessionTotals | None = None
    """The summary line's totals, when the log closed cleanly (`session.stats` reads them)."""

    @property
    def status(self) -> str:
        return "closed cleanly" if self.closed_cleanly else "did not close cleanly"

    def to_json(self) -> dict[str, Any]:
        """The entry for scripts (``sessions list --json``): plain JSON types, times in ISO 8601."""
        return {
            "path": str(self.path),
            "started": self.started.isoformat(),
            "title": self.title,
            "tags": list(self.tags),
            "source": self.source,
            "duration_s": None if self.duration_s is None else round(self.duration_s, 3),
            "events": self.events,
            "peak_viewers": self.peak_viewers,
            "size": self.size,
            "closed_cleanly": self.closed_cleanly,
        }


def header_title(header: SessionHeader) -> tuple[str, tuple[str, ...]]:
    """The live's title and tags from the header (declared fields or extras of a newer writer);
    anything that is not text is ignored rather than trusted."""
    title = getattr(header, "title", "")
    tags = getattr(header, "tags", ())
    clean_tags = (
        tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list | tuple) else ()
    )
    return (title if isinstance(title, str) else ""), clean_tags


def read_entry(path: Path) -> SessionEntry:
    """The entry for one log; `SessionLogError` when it is not a session log."""
    header = SessionReader(path).header
    assert header is not None
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            f.seek(max(0, size - MAX_SUMMARY_BYTES))
            tail = f.read()
    except OSError as exc:
        raise SessionLogError(f"cannot read {path}: {exc.strerror or exc}") from None
    title, tags = header_title(header)
    started = header.started
    events: int | None = None
    duration: float | None = None
    peak: int | None = None
    summary = _summary(tail, size)
    if summary is not None:
        events = summary.totals.events
        duration = summary.totals.uptime_s
        peak = summary.totals.peak_viewers
    else:
        last = _last_event(tail)
        if last is not None:
            seq, ts = last
            events = seq
            duration = max(0.0, ts - started.timestamp())
        elif size <= len(tail) and tail.count(b"\n") <= 1:
            events, duration = 0, 0.0  # the header alone: a session that recorded nothing
    return SessionEntry(
        path=Path(path),
        started=started,
        source=header.source,
        title=title,
        tags=tags,
        size=size,
        closed_cleanly=summary is not None,
        events=events,
        duration_s=duration,
        peak_viewers=peak,
        totals=summary.totals if summary is not None else None,
    )


def _summary(tail: bytes, size: int) -> SessionSummary | None:
    if not tail.endswith(b"\n"):
        return None
    start = tail.rfind(b"\n", 0, len(tail) - 1) + 1
    last = tail[start:]
    if not last.startswith(SUMMARY_TAG):
        return None
    try:
        summary = SessionSummary.model_validate(orjson.loads(last))
    except (orjson.JSONDecodeError, ValidationError):
        return None
    return summary if summary.size == size - len(last) else None


def _last_event(tail: bytes) -> tuple[int, float] | None:
    """(seq, ts) of the last complete event line in `tail`, if any."""
    lines = tail.split(b"\n")
    lines.pop()  # after the last newline: empty, or a torn line
    for line in reversed(lines):
        try:
            data = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if not isinstance(data, dict):
            continue
        seq, ts = data.get("seq"), data.get("ts")
        if isinstance(seq, int) and seq > 0 and isinstance(ts, int | float):
            return seq, float(ts)
    return None


@dataclass(frozen=True)
class Catalog:
    """Every session log of a folder, newest first, and the files that are not logs."""

    entries: list[SessionEntry]
    skipped: list[tuple[Path, str]]
    """Files that look like logs by name but are not (path, why)."""


def log_files(folder: Path) -> list[Path]:
    """The ``*.jsonl`` files of `folder` (none when it does not exist)."""
    return sorted(p for p in folder.glob(LOG_GLOB) if p.is_file()) if folder.is_dir() else []


def read_catalog(paths: Iterable[Path]) -> Catalog:
    entries: list[SessionEntry] = []
    skipped: list[tuple[Path, str]] = []
    for path in paths:
        try:
            entries.append(read_entry(path))
        except SessionLogError as exc:
            skipped.append((path, str(exc)))
    entries.sort(key=lambda e: (e.started, e.path.name), reverse=True)
    return Catalog(entries, skipped)
