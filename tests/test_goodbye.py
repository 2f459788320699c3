"""The goodbye's template and the schedule behind ``{next_live}``: only known fields, one clear
line at config load for a bad one, and the next slot in words."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from backstage_tui.config import load_settings
from backstage_tui.goodbye import (
    DEFAULT_GOODBYE,
    UNSCHEDULED,
    LiveSettings,
    check_template,
    next_live,
    parse_slot,
)
from tests.helpers import is_one_readable_line

THURSDAY_10 = datetime(2026, 12, 3, 10, 0)  # a Thursday


@pytest.mark.parametrize(
    ("schedule", "now", "says"),
    [
        ([], THURSDAY_10, UNSCHEDULED),
        (["Thu 19:30"], THURSDAY_10, "today at 19:30"),
        (["fri 8:05"], THURSDAY_10, "tomorrow at 08:05"),
        (["Monday 19:00", "Sat 12:00"], THURSDAY_10, "on Saturday at 12:00"),
        (["Thu 09:00"], THURSDAY_10, "on Thursday at 09:00"),  # passed today: next week
        (["Thu 10:00"], THURSDAY_10, "on Thursday at 10:00"),  # starting now: next week
    ],
)
def test_next_live_is_the_next_slot_in_words(schedule: list[str], now: datetime, says: str) -> None:
    assert next_live(schedule, now) == says


def test_the_goodbye_fills_its_fields() -> None:
    live = LiveSettings(goodbye="Bye from {title}, back {next_live}! {{not a field}}",
                        schedule=["Fri 20:00"])  # fmt: skip
    assert (
        live.goodbye_text(THURSDAY_10, "Art")
        == "Bye from Art, back tomorrow at 20:00! {not a field}"
    )
    assert "I'll be back live soon." in LiveSettings().goodbye_text(THURSDAY_10)


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("see you {when}", "unknown field {when} (the fields are {next_live}, {title})"),
        ("see you {next_live:>10}", "{next_live} takes no format or conversion"),
        ("see you {next_live!r}", "{next_live} takes no format or conversion"),
        ("see you {", "not a template"),
        ("see you {0}", "unknown field {0}"),
        ("see you {title.upper}", "unknown field {title.upper}"),
    ],
)
def test_a_template_with_anything_but_the_known_fields_is_refused(template: str, says: str) -> None:
    with pytest.raises(ValueError) as caught:
        check_template(template)
    assert says in str(caught.value)


@pytest.mark.parametrize("slot", ["Funday 19:00", "Thu", "Thu 25:00", "Thu 7pm", "T 19:00"])
def test_a_bad_slot_is_refused(slot: str) -> None:
    with pytest.raises(ValueError, match="Thu 19:30|24-hour"):
        parse_slot(slot)


def test_a_bad_template_in_the_config_is_one_line_and_the_default_is_used(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[live]\ngoodbye = "bye {nxt_live}"\nschedule = ["Thu 19:30", "Someday"]\n')
    settings, warning = load_settings(config)
    assert warning is not None and is_one_readable_line(warning)
    assert "live.goodbye" in warning and "unknown field {nxt_live}" in warning
    assert "live.schedule" in warning and "'Someday' is not a weekly slot" in warning
    assert settings.live.goodbye == DEFAULT_GOODBYE and settings.live.schedule == []
