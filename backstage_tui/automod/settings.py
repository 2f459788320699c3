"""The ``[automod]`` section of the config: the auto-moderation rules.

::

    [automod]
    allow = ["trusted_fan", "id:6921"]     # never auto-moderated (handles, or ids after "id:")

    [automod.terms.slurs]                  # blocked terms, as many lists as you like
    terms = ["badword", "*scam*"]
    outcome = "hide"

    [automod.patterns.phone]               # your own patterns (RE2 syntax: linear time)
    pattern = '\\d{3}[ .-]?\\d{3}[ .-]?\\d{4}'
    outcome = "hold"

    [automod.links]
    outcome = "hold"
    allow = ["tiktok.com"]

    [automod.escalation]
    ladder = ["hide", "mute:60", "mute:600", "block"]

A rule that cannot be used (a pattern RE2 rejects, an outcome that is not ``hide``, ``hold`` or
``flag``, a misspelt option) is turned off, and `AutomodSettings.problems` says which and why; the
config loader adds those to its one warning line, and every other rule still runs.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from ..events import Outcome
from .ladder import DEFAULT_LADDER, Ladder

MAX_PROBLEM = 160
"""How much of one rule's problem the warning line shows."""


def compile_pattern(pattern: str) -> Any:
    """A user's pattern compiled by RE2, quietly: RE2 would also log a refusal to stderr (the
    console's warning line says it instead). Raises `re2.error`."""
    import re2

    options = re2.Options()
    options.log_errors = False
    return re2.compile(pattern, options)


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    """Off: the rule is kept in the file but does nothing."""
    outcome: Outcome = "flag"
    """``hide`` the message, ``hold`` it for review, or ``flag`` it (shown, with a mark)."""
    new_viewers_only: bool = False
    """Apply only to new viewers: the platform marks them new, or this is their first message in the
    session."""


class TermsRule(Rule):
    """Blocked terms, matched on the folded text (case, accents, look-alike letters, leetspeak
    and repeated letters do not matter), as whole words unless written with ``*`` at an end."""

    outcome: Outcome = "hide"
    terms: list[str] = []
    """The terms, e.g. ``["badword", "two words", "*coin*"]``."""


class PatternRule(Rule):
    """A pattern of your own, in RE2 syntax (like Python's ``re`` without backreferences or
    lookaround), so no pattern can stall the console: matching takes time in proportion to the
    message. Write ``(?i)`` at the start to ignore case."""

    outcome: Outcome = "hold"
    pattern: str
    folded: bool = False
    """Match on the folded text (``B4N`` reads ``ban``; digits become letters) instead of the text
    as typed."""

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        import re2

        try:
            compile_pattern(pattern)
        except re2.error as exc:
            why = exc.args[0] if exc.args else exc
            if isinstance(why, bytes):
                why = why.decode("utf-8", "replace")
            raise ValueError(f"RE2 cannot use this pattern ({why})") from None
        return pattern


class LinksRule(Rule):
    """Links: ``http://``, ``www.`` or a domain name (``bit.ly/x``, ``example.com``)."""

    outcome: Outcome = "hold"
    allow: list[str] = ["tiktok.com"]
    """Domains whose links pass (their subdomains too)."""


class CapsRule(Rule):
    """Shouting: a message of mostly capital letters."""

    min_letters: int = Field(default=12, ge=1)
    """Shorter messages are never shouting."""
    ratio: float = Field(default=0.7, gt=0, le=1)
    """The share of its letters in capitals from which a message is shouting."""


class RepeatsRule(Rule):
    """Floods within one message: one character many times in a row, or many emoji."""

    max_run: int = Field(default=10, ge=2)
    """The longest run of one character allowed (``!!!!!!!!!!!`` is 11)."""
    max_emoji: int = Field(default=12, ge=1)
    """The most emoji allowed in one message."""


class RateRule(Rule):
    """One viewer sending too many messages. Off unless turned on: at a busy live's pace many
    viewers send that much."""

    enabled: bool = False

    messages: int = Field(default=6, ge=2)
    """This many messages ..."""
    window_s: float = Field(default=10.0, gt=0, le=3600)
    """... within this many seconds breaks the rule (from that message on)."""


class WavesRule(Rule):
    """Spam waves: the same message (after folding) from many viewers in a short time. Off unless
    turned on: on a busy live, fans repeat each other's greetings too."""

    enabled: bool = False

    outcome: Outcome = "hide"
    users: int = Field(default=5, ge=2)
    """From this many different viewers ..."""
    window_s: float = Field(default=30.0, gt=0, le=3600)
    """... within this many seconds the message is a wave: every copy is judged, the earlier too."""
    min_length: int = Field(default=12, ge=1)
    """Shorter messages (``hi``, ``lol``, ``W``) are chat, never a wave."""


class EscalationSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    """Apply the ladder to repeat offenders."""
    ladder: list[str] = list(DEFAULT_LADDER)
    """One rung per offence: ``hide``, ``mute:SECONDS``, ``mute`` (rest of the live) or ``block``;
    past the last, the last repeats. An offence is a message a rule hid or a held message denied."""

    @field_validator("ladder")
    @classmethod
    def _parses(cls, ladder: list[str]) -> list[str]:
        Ladder.parse(ladder)
        return ladder

    def parsed(self) -> Ladder:
        return Ladder.parse(self.ladder if self.enabled else [])


class AutomodSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    RULES: ClassVar[dict[str, type[Rule]]] = {}
    """The built-in rules by name (filled in below)."""

    enabled: bool = True
    """Off: no rule runs (held messages of a replayed session still show as held)."""
    allow: list[str] = []
    """Viewers never auto-moderated, by handle (``ann``) or by id (``id:6921``). Moderators and
    the host never are either."""
    terms: dict[str, TermsRule] = {}
    """Blocked-term lists by name: ``[automod.terms.NAME]``."""
    patterns: dict[str, PatternRule] = {}
    """Your own patterns by name: ``[automod.patterns.NAME]``."""
    links: LinksRule = LinksRule()
    """Links (held for review unless their domain is allowed)."""
    caps: CapsRule = CapsRule()
    """Messages in capitals (flagged)."""
    repeats: RepeatsRule = RepeatsRule()
    """Character runs and emoji floods (flagged)."""
    rate: RateRule = RateRule()
    """A viewer's message rate (flagged; off by default)."""
    waves: WavesRule = WavesRule()
    """Spam waves (hidden; off by default)."""
    escalation: EscalationSettings = EscalationSettings()
    """What repeat offences lead to."""

    _problems: tuple[str, ...] = PrivateAttr(default=())

    @property
    def problems(self) -> tuple[str, ...]:
        """One line for each rule that could not be used and is off, naming it and why."""
        return self._problems

    @model_validator(mode="wrap")
    @classmethod
    def _each_rule_on_its_own(cls, data: Any, handler: Any) -> AutomodSettings:
        """Validate every rule by itself: a bad one is turned off and noted, the others stay."""
        problems: list[str] = []
        if isinstance(data, dict):
            data = dict(data)
            groups: tuple[tuple[str, type[Rule]], ...] = (
                ("terms", TermsRule),
                ("patterns", PatternRule),
            )
            for group, rule_model in groups:
                rules = data.get(group)
                if isinstance(rules, dict):
                    data[group] = {
                        name: rule
                        for name, rule in rules.items()
                        if _usable(rule_model, rule, f"automod.{group}.{name}", problems)
                    }
            fixed: list[tuple[str, type[Rule] | type[EscalationSettings]]] = [
                *cls.RULES.items(),
                ("escalation", EscalationSettings),
            ]
            for name, model in fixed:
                if name in data and not _usable(model, data[name], f"automod.{name}", problems):
                    data[name] = model(enabled=False)
        settings: AutomodSettings = handler(data)
        settings._problems = tuple(problems)
        return settings


AutomodSettings.RULES.update(
    links=LinksRule, caps=CapsRule, repeats=RepeatsRule, rate=RateRule, waves=WavesRule
)


def _usable(model: type[BaseModel], value: Any, name: str, problems: list[str]) -> bool:
    if isinstance(value, BaseModel):
        return True
    try:
        model.model_validate(value)
    except ValidationError as exc:
        problems.append(f"{name}: {_why(exc)} (rule off)")
        return False
    return True


def _why(exc: ValidationError) -> str:
    """The first error of a rule, in a few words."""
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"{where}: not an option"
    if error["type"] == "missing":
        return f"{where}: missing"
    message = str(error["msg"])
    if error["type"] == "value_error":
        # Our own validators name the value already.
        text = f"{where}: {message.removeprefix('Value error, ')}"
        return text if len(text) <= MAX_PROBLEM else text[:MAX_PROBLEM] + "…"
    shown = repr(error.get("input"))
    if len(shown) > 40:
        shown = shown[:40] + "…"
    text = f"{where}: {message} (got {shown})" if where else message
    return text if len(text) <= MAX_PROBLEM else text[:MAX_PROBLEM] + "…"
