"""The end of a live: the goodbye message's template and the schedule that fills ``{next_live}``.

Settings (``[live]`` in the config file)::

    [live]
    goodbye = "Thanks for joining me today! I'll be back live {next_live}. Follow so you don't miss it!"
    schedule = ["Mon 19:00", "Thu 19:30"]   # weekly, local time

A template may use only the fields in `GOODBYE_FIELDS`; anything else (an unknown field, a format
spec, a lone brace) is refused when the config is loaded, with one line that says what is wrong,
and the default is used instead. Stdlib and pydantic only: the core reads it too.
"""

from __future__ import annotations

import string
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

GOODBYE_FIELDS = ("next_live", "title")
"""The fields a goodbye template may use: when the next live is (from `schedule`), this live's title."""
DEFAULT_GOODBYE = (
    "Thanks for joining me today! I'll be back live {next_live}. Follow so you don't miss it!"
)
UNSCHEDULED = "soon"
"""What ``{next_live}`` says when the schedule is empty."""
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_GOODBYE = 500


def check_template(template: str) -> str:
    """`template` when it uses only `GOODBYE_FIELDS`, plainly (``{next_live}``); `ValueError` with
    what is wrong otherwise."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(
            f"not a template ({exc}; write a brace twice, {{{{, to show one)"
        ) from None
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in GOODBYE_FIELDS:
            known = ", ".join(f"{{{field}}}" for field in GOODBYE_FIELDS)
            raise ValueError(f"unknown field {{{name}}} (the fields are {known})")
        if spec or conversion:
            raise ValueError(f"{{{name}}} takes no format or conversion")
    return template


def parse_slot(slot: str) -> tuple[int, int, int]:
    """``"Thu 19:30"`` as (weekday, hour, minute); `ValueError` with what is wrong."""
    day, _, clock = slot.strip().partition(" ")
    matches = [n for n, name in enumerate(DAYS) if len(day) >= 3 and name.startswith(day.lower())]
    hour, colon, minute = clock.strip().partition(":")
    if len(matches) != 1 or not colon or not (hour.isdigit() and minute.isdigit()):
        raise ValueError(f"{slot!r} is not a weekly slot like 'Thu 19:30'")
    h, m = int(hour), int(minute)
    if not (0 <= h < 24 and 0 <= m < 60):
        raise ValueError(f"{slot!r}: the time is not on a 24-hour clock")
    return matches[0], h, m


def next_live(schedule: list[str], now: datetime) -> str:
    """When the next scheduled live is, after `now`, in words: ``today at 19:00``, ``tomorrow at
    19:00``, ``on Thursday at 19:30``; `UNSCHEDULED` with no schedule."""
    if not schedule:
        return UNSCHEDULED
    soonest: datetime | None = None
    for slot in schedule:
        weekday, hour, minute = parse_slot(slot)
        days = (weekday - now.weekday()) % 7
        when = (now + timedelta(days=days)).replace(
            hour=hour, minute=minute, second=0, microsecond=0
        )
        if when <= now:
            when += timedelta(days=7)
        soonest = when if soonest is None or when < soonest else soonest
    assert soonest is not None
    days_away = (soonest.date() - now.date()).days
    at = f"at {soonest:%H:%M}"
    if days_away == 0:
        return f"today {at}"
    if days_away == 1:
        return f"tomorrow {at}"
    return f"on {DAYS[soonest.weekday()].capitalize()} {at}"


class LiveSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    goodbye: str = Field(default=DEFAULT_GOODBYE, max_length=MAX_GOODBYE)
    """The goodbye offered when you end the live (editable then). Fields: ``{next_live}`` (from
    `schedule`) and ``{title}`` (this live's title)."""
    schedule: list[str] = Field(default=[], max_length=21)
    """Your weekly lives, local time, e.g. ``["Mon 19:00", "Thu 19:30"]``: ``{next_live}`` is
    the next of them ("tomorrow at 19:00"); empty: "soon"."""

    @field_validator("goodbye")
    @classmethod
    def _known_fields_only(cls, value: str) -> str:
        return check_template(value)

    @field_validator("schedule")
    @classmethod
    def _weekly_slots(cls, value: list[str]) -> list[str]:
        for slot in value:
            parse_slot(slot)
        return value

    def goodbye_text(self, now: datetime, title: str = "") -> str:
        """The goodbye with its fields filled (the template was checked at load)."""
        fields: dict[str, Any] = {"next_live": next_live(self.schedule, now), "title": title}
        return self.goodbye.format_map(fields)
