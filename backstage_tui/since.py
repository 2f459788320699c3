"""`parse_since`: what ``--since`` accepts, for every ``sessions`` command that takes it. A leaf
module of the standard library alone, so the parser can use it without loading anything heavy.

A creator types a date (``2026-01-31``: from its midnight, in their time zone), a moment
(``2026-01-31 20:00`` or ``2026-01-31T20:00``, with or without an offset) or a span back from now (``30d``, ``8w``).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo

SINCE_HELP = "a date (2026-01-31), a time (2026-01-31 20:00) or a span back from now (30d, 8w)"
_SPAN = re.compile(r"(\d{1,5})([dw])")
_SPAN_DAYS = {"d": 1, "w": 7}


def parse_since(text: str, *, now: datetime | None = None, tz: tzinfo | None = None) -> datetime:
    """The moment `text` names, time-zone aware; a day or a time without an offset is in `tz`
    (None: the local time zone). `ValueError` with one readable line for anything else."""
    cleaned = text.strip()
    span = _SPAN.fullmatch(cleaned.lower())
    if span:
        now = now or datetime.now().astimezone()
        return now - timedelta(days=int(span.group(1)) * _SPAN_DAYS[span.group(2)])
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise ValueError(f"expected {SINCE_HELP}; got {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz) if tz is not None else moment.astimezone()
    return moment
