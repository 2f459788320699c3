"""A session log summed up: what `backstage sessions show` prints.

It folds the log through the same reducers as the live console, so the numbers are the ones the
Status pane showed when the session ended.
"""

from __future__ import annotations

import gc
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..safetext import display
from ..state import ConsoleState
from .reader import Problem, SessionReader


@dataclass
class SessionReport:
    path: Path
    source: str
    started: str
    app_version: str
    state: ConsoleState
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def build(cls, path: Path) -> SessionReport:
        reader = SessionReader(path)
        assert reader.header is not None
        state = ConsoleState()
        counts: Counter[str] = Counter()
        # Millions of short-lived events: the cyclic collector finds nothing to free in them but
        # would scan the survivors again and again. Reference counting frees them as we go.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            for batch in reader.batches():
                for event in batch:
                    state.apply(event)
                    counts[event.type] += 1
        finally:
            if gc_was_enabled:
                gc.enable()
        return cls(
            path=Path(path),
            source=reader.header.source,
            started=reader.header.started.isoformat(),
            app_version=reader.header.app_version,
            state=state,
            counts=counts,
            problems=reader.problems,
        )

    def lines(self) -> list[str]:
        s = self.state.stats
        hours, rest = divmod(int(s.uptime_s), 3600)
        out = [
            f"session   {display(str(self.path), 300)}",
            f"source    {display(self.source, 60)}   started {self.started}   "
            f"backstage {display(self.app_version, 20)}",
            f"duration  {hours}:{rest // 60:02d}:{rest % 60:02d}   events {s.events:,}",
            f"viewers   peak {s.peak_viewers:,}, last {s.viewers:,}",
            f"chat      {s.comments:,} comments, {s.questions:,} questions",
            f"support   {s.likes:,} likes, {s.gifts:,} gifts ({s.diamonds:,} diamonds), "
            f"{s.follows:,} follows, {s.shares:,} shares, {s.joins:,} joins",
            f"moderation {self.state.moderation.actions:,} actions, "
            f"{len(self.state.moderation.hidden):,} hidden, {len(self.state.pins.pinned):,} pinned",
            "by type   " + ", ".join(f"{k} {v:,}" for k, v in sorted(self.counts.items())),
        ]
        if s.gaps or s.malformed:
            out.append(f"trouble   {s.gaps:,} gaps, {s.malformed:,} malformed payloads")
        if self.problems:
            first = display(str(self.problems[0]), 300)
            out.append(f"damaged   {len(self.problems):,} lines skipped; first: {first}")
        return out
