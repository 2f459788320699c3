"""The ``[automod]`` section: read from the file, and a rule that cannot be used is off with one
warning line naming the file, the rule and why, while every other rule still runs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backstage_tui.automod.engine import AutomodEngine
from backstage_tui.automod.settings import AutomodSettings
from backstage_tui.config import load_settings
from tests.helpers import comment, is_one_readable_line

GOOD_AND_BAD = """
[automod]
allow = ["trusted"]

[automod.terms.slurs]
terms = ["ban", "*coin*"]

[automod.terms.broken]
terms = ["x"]
outcome = "delete"

[automod.patterns.phone]
pattern = '\\d{3}-\\d{4}'
outcome = "hold"

[automod.patterns.stall]
pattern = '(a+)+\\1'

[automod.caps]
outcome = "flag"
min_letter = 3

[automod.escalation]
ladder = ["hide", "kick"]
"""


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("BACKSTAGE_"):
            monkeypatch.delenv(name)


def test_rules_are_read_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        '[automod.terms.spam]\nterms = ["free coins"]\noutcome = "hold"\n'
        '[automod.links]\nallow = ["example.com"]\n[automod.rate]\nmessages = 3\n',
        encoding="utf-8",
    )
    settings, warning = load_settings(path)
    assert warning is None
    automod = settings.automod
    assert automod.terms["spam"].terms == ["free coins"] and automod.terms["spam"].outcome == "hold"
    assert automod.links.allow == ["example.com"] and automod.rate.messages == 3
    # Untouched rules keep their defaults: links on; rate and waves off until turned on.
    assert automod.links.enabled and not automod.waves.enabled and automod.rate.enabled is False


def test_bad_rules_are_off_with_one_line_and_the_others_run(tmp_path: Path) -> None:
    path = tmp_path / "automod.toml"
    path.write_text(GOOD_AND_BAD, encoding="utf-8")
    settings, warning = load_settings(path)
    assert warning is not None and is_one_readable_line(warning)
    assert str(path) in warning and "b'" not in warning
    for name, why in [
        ("automod.terms.broken", "outcome"),
        ("automod.patterns.stall", "RE2"),
        ("automod.caps", "min_letter"),
        ("automod.escalation", "kick"),
    ]:
        assert name in warning, name
        assert why in warning.split(name, 1)[1], (name, why)
    automod = settings.automod
    assert set(automod.terms) == {"slurs"} and set(automod.patterns) == {"phone"}
    assert not automod.caps.enabled and not automod.escalation.enabled
    assert automod.allow == ["trusted"]
    rules = AutomodEngine(automod)
    hits = [e for e in rules.judge(comment(1, "call 555-1234")) if e.type == "automod"]
    assert [d.rule for d in hits] == ["patterns.phone"]  # type: ignore[attr-defined]
    hits = [e for e in rules.judge(comment(2, "B4N")) if e.type == "automod"]
    assert [d.rule for d in hits] == ["terms.slurs"]  # type: ignore[attr-defined]


def test_a_wrong_type_in_the_section_falls_back_like_any_setting(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[automod]\nallow = 5\nsurprise = 1\n[automod.terms.ok]\nterms = ["ban"]\n',
                    encoding="utf-8")  # fmt: skip
    settings, warning = load_settings(path)
    assert warning is not None and "automod.allow" in warning and "automod.surprise" in warning
    assert settings.automod.allow == [] and settings.automod.terms["ok"].terms == ["ban"]


def test_the_defaults_are_a_working_rule_set() -> None:
    defaults = AutomodSettings()
    assert defaults.problems == ()
    assert defaults.links.outcome == "hold" and defaults.waves.outcome == "hide"
    assert defaults.escalation.parsed().rung(4) is not None
