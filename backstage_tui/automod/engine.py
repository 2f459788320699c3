"""`AutomodEngine`: judges each comment and question of a live session by the config's rules.

The runtime hands it every message before publishing the message; what it returns is published
first: an `AutomodDecision` (one per judged message: the strongest outcome among the rules it broke,
the others listed in `also`), the `Hide` action for a ``hide``, and the actions of the escalation
ladder for a repeat offender. So the session log holds each decision just before its message, the
state knows a message is held before the feed could draw it, and a replay reads the decisions
rather than judging again.

Moderators, the host and the viewers on the allow list are never judged. The engine's memory (rates,
waves, offences) lives on the session's clock (the events' `ts`), so it judges the same messages
the same way however fast they arrive.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..events import AutomodDecision, Deny, Event, Hide, Outcome, User
from ..matching import TermMatcher, collapse, plain, premark, term
from .checks import Message, RateWindow, WaveWindow, caps_share, emoji_count, links, run_pattern
from .ladder import Ladder, Rung
from .settings import AutomodSettings, PatternRule, Rule, TermsRule

if TYPE_CHECKING:
    import re

JUDGED_TYPES = frozenset({"comment", "question"})
STRENGTH: dict[Outcome, int] = {"flag": 1, "hold": 2, "hide": 3}
BY = "automod"
"""The `by` of the actions the rules take."""


@dataclass(frozen=True, slots=True)
class Verdict:
    rule: str
    outcome: Outcome
    detail: str


class AutomodEngine:
    """The rules of one live session.

    Args:
        settings: The config's ``[automod]`` section.
        exempt: Whether a viewer is on the console's own moderator roster (the platform's
            moderators and the host are exempt anyway).
    """

    def __init__(
        self, settings: AutomodSettings, *, exempt: Callable[[User], bool] | None = None
    ) -> None:
        self.settings = settings
        self._exempt_extra = exempt
        allow = [entry.strip() for entry in settings.allow if entry.strip()]
        self._allow_ids = frozenset(entry[3:] for entry in allow if entry.startswith("id:"))
        self._allow_handles = frozenset(
            entry.lstrip("@").casefold() for entry in allow if not entry.startswith("id:")
        )
        on = settings.enabled
        self._term_rules: dict[str, TermsRule] = {
            f"terms.{name}": rule for name, rule in settings.terms.items() if on and rule.enabled
        }
        self.terms = TermMatcher(
            term(text, label) for label, rule in self._term_rules.items() for text in rule.terms
        )
        self._patterns: list[tuple[str, PatternRule, re.Pattern[str], bool]] = []
        if on:
            import re2

            for name, pattern in settings.patterns.items():
                if pattern.enabled:
                    compiled = re2.compile(pattern.pattern)
                    self._patterns.append((f"patterns.{name}", pattern, compiled, pattern.folded))
        self._links = settings.links if on and settings.links.enabled else None
        self._link_allow = tuple(
            domain.strip().lower().removeprefix("www.") for domain in settings.links.allow
        )
        self._caps = settings.caps if on and settings.caps.enabled else None
        self._repeats = settings.repeats if on and settings.repeats.enabled else None
        self._run = run_pattern(settings.repeats.max_run)
        self._rate = (
            RateWindow(settings.rate.messages, settings.rate.window_s)
            if on and settings.rate.enabled
            else None
        )
        self._waves = (
            WaveWindow(settings.waves.users, settings.waves.window_s)
            if on and settings.waves.enabled
            else None
        )
        self._needs_fold = (
            bool(self.terms)
            or self._waves is not None
            or any(folded for *_, folded in self._patterns)
        )
        rules: list[Rule | None] = [
            *self._term_rules.values(), *(rule for _, rule, _, _ in self._patterns), self._links,
            self._caps, self._repeats, settings.rate if self._rate is not None else None,
            settings.waves if self._waves is not None else None,
        ]  # fmt: skip
        self._tracks_new = any(rule is not None and rule.new_viewers_only for rule in rules)
        self.active = any(rule is not None for rule in rules)
        """Whether any rule is on (an engine with none costs nothing per message)."""
        self._seen: set[str] = set()
        self.ladder: Ladder = settings.escalation.parsed()
        self._offences: dict[str, int] = {}

    # -- who is judged --

    def exempt(self, user: User) -> bool:
        """Moderators, the host and the allow list are never judged."""
        if user.roles and ("moderator" in user.roles or "host" in user.roles):
            return True
        if user.id in self._allow_ids or user.handle.casefold() in self._allow_handles:
            return True
        return self._exempt_extra is not None and self._exempt_extra(user)

    # -- judging --

    def judge(self, event: Event) -> list[Event]:
        """What the rules make of `event`: the events to publish before it (often none)."""
        if event.type not in JUDGED_TYPES or not self.active:
            return []
        assert isinstance(event, Message)
        user = event.user
        if self.exempt(user):
            return []
        new = True
        if self._tracks_new:
            new = "new" in user.roles or user.id not in self._seen
            self._seen.add(user.id)
        verdicts, wave = self._verdicts(event, new)
        out: list[Event] = []
        for earlier in wave:
            out.extend(self._decide(earlier, [Verdict("waves", self._wave_outcome(), "")]))
        if verdicts:
            out.extend(self._decide(event, verdicts))
        return out

    def _wave_outcome(self) -> Outcome:
        return self.settings.waves.outcome

    def _applies(self, rule: Rule, new: bool) -> bool:
        return new or not rule.new_viewers_only

    def _verdicts(self, event: Message, new: bool) -> tuple[list[Verdict], list[Message]]:
        text = event.text
        verdicts: list[Verdict] = []
        premarked = premark(text) if self._needs_fold else ""
        marked = collapse(premarked)
        folded = marked.lower()
        if self.terms:
            for hit in self.terms.find(premarked, marked):
                terms = self._term_rules[hit.term.label]
                if self._applies(terms, new):
                    verdicts.append(Verdict(hit.term.label, terms.outcome, hit.term.text))
        for label, own, pattern, on_folded in self._patterns:
            if self._applies(own, new) and pattern.search(folded if on_folded else text):
                verdicts.append(Verdict(label, own.outcome, own.pattern))
        if self._links is not None and self._applies(self._links, new):
            host = links(plain(text), self._link_allow)
            if host is not None:
                verdicts.append(Verdict("links", self._links.outcome, host))
        if self._caps is not None and self._applies(self._caps, new):
            share = caps_share(text, self._caps.min_letters)
            if share >= self._caps.ratio:
                verdicts.append(Verdict("caps", self._caps.outcome, f"{share:.0%} capitals"))
        if self._repeats is not None and self._applies(self._repeats, new):
            run = self._run.search(text)
            if run is not None:
                detail = f"{len(run.group(0))}× {run.group(1)!r}"
                verdicts.append(Verdict("repeats", self._repeats.outcome, detail))
            elif (count := emoji_count(text)) > self._repeats.max_emoji:
                verdicts.append(Verdict("repeats", self._repeats.outcome, f"{count} emoji"))
        rate = self._rate
        # The rate counts every message, whoever the rule applies to.
        over = rate is not None and rate.over(event.user.id, event.ts)
        if over and rate is not None and self._applies(self.settings.rate, new):
            detail = f"{rate.messages} messages in {rate.window_s:g} s"
            verdicts.append(Verdict("rate", self.settings.rate.outcome, detail))
        wave: list[Message] = []
        waves = self._waves
        if waves is not None and len(folded) >= self.settings.waves.min_length:
            copies = waves.add(folded, event)
            if copies and self._applies(self.settings.waves, new):
                detail = f"{waves.users}+ viewers"
                verdicts.append(Verdict("waves", self.settings.waves.outcome, detail))
                wave = [copy for copy in copies if copy is not event]
        return verdicts, wave

    def _decide(self, event: Message, verdicts: list[Verdict]) -> list[Event]:
        strongest = max(verdicts, key=lambda verdict: STRENGTH[verdict.outcome])
        decision = AutomodDecision(
            ts=event.ts,
            rule=strongest.rule,
            outcome=strongest.outcome,
            target=event.id,
            user=event.user,
            text=event.text,
            detail=strongest.detail,
            also=tuple(dict.fromkeys(v.rule for v in verdicts if v is not strongest)),
        )
        out: list[Event] = [decision]
        if strongest.outcome == "hide":
            reason = f"automod: {strongest.rule}"
            out.append(Hide(ts=event.ts, target=event.id, by=BY))
            out.extend(self._offence(event.user, event.id, event.ts, reason))
        return out

    # -- repeat offences --

    def reviewed(self, action: Event) -> list[Event]:
        """What follows a moderator's review: a denial counts as an offence (the ladder)."""
        if isinstance(action, Deny) and self.active:
            return self._offence(action.user, action.target, action.ts, "automod: denied")
        return []

    def offences(self, user_id: str) -> int:
        return self._offences.get(user_id, 0)

    def _offence(self, user: User, target: str, ts: float, reason: str) -> list[Event]:
        count = self._offences[user.id] = self._offences.get(user.id, 0) + 1
        rung = self.ladder.rung(count)
        return [] if rung is None else self._rung_actions(rung, user, target, ts, reason)

    def _rung_actions(
        self, rung: Rung, user: User, target: str, ts: float, reason: str
    ) -> list[Event]:
        """The actions a rung stands for, beyond hiding the offending message."""
        return []
