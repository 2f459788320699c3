"""A session log summed up: what `backstage sessions show` prints.

The totals are the live console's own: from the summary line a clean close appends, when every byte
before it is as recorded (`summary.py`), or else by folding the whole log through the same reducers
(a log cut short by a crash, damaged, or asked for with ``full``), which also finds damaged lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import APP_NAME
from ..events import SCHEMA_VERSION
from ..safetext import display
from ..state import ConsoleState
from .collector import collector_paused
from .reader import Problem, SessionReader
from .summary import SessionTotals, read_summary


@dataclass
class SessionReport:
    path: Path
    source: str
    started: str
    app_version: str
    totals: SessionTotals
    how: str
    """How the totals were found, for the reader of the report."""
    problems: list[Problem] = field(default_factory=list)
    title: str = ""
    tags: tuple[str, ...] = ()
    write_trouble: str = ""
    """What the summary says the disk refused while recording, and what came of it; ``""``."""
    damaged: int = 0
    """Every damaged line found (`problems` keeps the first ones)."""
    newer_format: int | None = None
    """The log's format version, when a newer backstage wrote it."""

    @classmethod
    def build(cls, path: Path, *, full: bool = False) -> SessionReport:
        """Read the summary when it is there and true to the file; fold every line when it is not,
        or when `full` asks to check every line."""
        reader = SessionReader(path)
        assert reader.header is not None
        summary, why_not = read_summary(path)
        trouble = summary.trouble().describe() if summary is not None else ""
        if full:
            summary, why_not = None, "every line checked, as asked"
        if summary is not None:
            totals = summary.totals
            how = (
                f"summary written at close; CRC-32 of all {summary.size:,} bytes before it matches"
            )
        else:
            totals = SessionTotals.of(_fold(reader))
            how = f"folded every line ({why_not})"
        return cls(
            path=Path(path),
            source=reader.header.source,
            started=reader.header.started.isoformat(),
            app_version=reader.header.app_version,
            totals=totals,
            how=how,
            problems=reader.problems,
            title=reader.header.title,
            tags=tuple(reader.header.tags),
            write_trouble=trouble,
            damaged=reader.damaged,
            newer_format=reader.header.schema_version if reader.newer else None,
        )

    def lines(self) -> list[str]:
        t = self.totals
        out = [f"session   {display(str(self.path), 300)}"]
        if self.title or self.tags:
            tags = ", ".join(display(tag, 40) for tag in self.tags)
            out.append(
                f"title     {display(self.title, 200) or '(none)'}"
                + (f"   tags {tags}" if tags else "")
            )
        out += [
            f"source    {display(self.source, 60)}   started {self.started}   "
            f"{APP_NAME} {display(self.app_version, 20)}",
            f"duration  {clock(t.uptime_s)}   events {t.events:,}",
            f"viewers   peak {t.peak_viewers:,}, last {t.viewers:,}",
            f"chat      {t.comments:,} comments, {t.questions:,} questions",
            f"support   {t.likes:,} likes, {t.gifts:,} gifts ({t.diamonds:,} diamonds), "
            f"{t.follows:,} follows, {t.shares:,} shares, {t.joins:,} joins",
            f"moderation {t.moderation_actions:,} actions, {t.hidden:,} hidden, {t.pinned:,} pinned",
            "by type   "
            + ", ".join(f"{display(k, 20)} {v:,}" for k, v in sorted(t.by_type.items())),
        ]
        if t.gaps or t.malformed:
            out.append(f"trouble   {t.gaps:,} gaps, {t.malformed:,} malformed payloads")
        if self.problems:
            first = display(str(self.problems[0]), 300)
            out.append(f"damaged   {max(self.damaged, len(self.problems)):,} lines skipped; "
                       f"first: {first}")  # fmt: skip
            if self.problems[-1].message.startswith("stopped reading"):
                out.append(f"          {display(str(self.problems[-1]), 300)}")
        if self.newer_format is not None:
            out.append(
                f"format    version {self.newer_format}, newer than this backstage reads "
                f"({SCHEMA_VERSION}): fields it does not know are left out, lines it cannot read "
                "are counted as damaged"
            )
        if self.write_trouble:
            out.append(f"log       closed cleanly after write errors: {self.write_trouble}")
        out.append(f"read      {self.how}")
        return out


def clock(seconds: float) -> str:
    """A duration as H:MM:SS (hours not wrapped at 24), the one format the report and the
    Status pane show; negative and fractional seconds are cut to whole seconds from zero."""
    total = max(0, int(seconds))
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def _fold(reader: SessionReader) -> ConsoleState:
    state = ConsoleState()
    with collector_paused():
        for batch in reader.batches():
            state.apply_all(batch)
    return state
