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

from ..events import AutomodDecision, Block, Deny, Event, Hide, Mute, Outcome, User
from ..matching import TermMatcher, collapse, load_tables, plain, premark, term
from .checks import (
    Message,
    RateWindow,
    WaveWindow,
    caps_share,
    emoji_count,
    links,
    may_link,
    run_pattern,
)
from .ladder import Ladder, Rung
from .settings import AutomodSettings, PatternRule, Rule, TermsRule, compile_pattern

if TYPE_CHECKING:
    import re

JUDGED_TYPES = frozenset({"comment", "question"})
STRENGTH: dict[Outcome, int] = {"flag": 1, "hold": 2, "hide": 3}
TEXT_MEMORY = 4096
"""How many distinct texts the engine keeps its text-only verdicts for (then it starts again)."""
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
        exempt: Whether a viewer is exempt for a reason of the caller's own (the platform's
            moderators, the host, the allow list and the console's roster, `on_roster`, are
            exempt anyway).
    """

    def __init__(
        self, settings: AutomodSettings, *, exempt: Callable[[User], bool] | None = None
    ) -> None:
        self.settings = settings
        self._exempt_extra = exempt
        self.on_roster: Callable[[User], bool] | None = None
        """Whether a viewer is on the console's moderator roster (the runtime sets it)."""
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
            for name, pattern in settings.patterns.items():
                if pattern.enabled:
                    compiled = compile_pattern(pattern.pattern)
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
        self._has_terms = len(self.terms) > 0
        self._needs_fold = (
            self._has_terms
            or self._waves is not None
            or any(folded for *_, folded in self._patterns)
        )
        if self._needs_fold:
            load_tables()
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
        self._by_text: dict[str, tuple[str, tuple[tuple[Verdict, bool], ...]]] = {}

    # -- who is judged --

    def exempt(self, user: User) -> bool:
        """Moderators, the host and the allow list are never judged."""
        roles = user.roles
        if roles and ("moderator" in roles or "host" in roles):
            return True
        if user.id in self._allow_ids:
            return True
        if self._allow_handles and user.handle.casefold() in self._allow_handles:
            return True
        if self.on_roster is not None and self.on_roster(user):
            return True
        return self._exempt_extra is not None and self._exempt_extra(user)

    # -- judging --

    def judge(self, event: Event) -> list[Event]:
        """What the rules make of `event`: the events to publish before it (often none).

        Runs on the event loop for every comment of a flood: each test is skipped cheaply when
        its rule is off, and the common message that breaks no rule allocates next to nothing.
        """
        if event.type not in JUDGED_TYPES or not self.active:
            return []
        message: Message = event  # type: ignore[assignment]
        user = message.user
        if self.exempt(user):
            return []
        new = True
        if self._tracks_new:
            new = "new" in user.roles or user.id not in self._seen
            self._seen.add(user.id)
        folded, found = self._by_text.get(message.text) or self._judge_text(message.text)
        verdicts = [verdict for verdict, new_only in found if new or not new_only]
        wave: list[Message] = []
        if self._rate is not None or self._waves is not None:
            wave = self._remembered(message, folded, new, verdicts)
        if not verdicts:
            return []
        out: list[Event] = []
        for earlier in wave:
            out.extend(self._decide(earlier, [Verdict("waves", self.settings.waves.outcome, "")]))
        out.extend(self._decide(message, verdicts))
        return out

    def _judge_text(self, text: str) -> tuple[str, tuple[tuple[Verdict, bool], ...]]:
        """The rules that read only the text (terms, patterns, links, capitals, repeats): each
        verdict with whether its rule is for new viewers only; and the folded text, for the
        waves. Kept by text, since a flood repeats itself ("W", "❤️", a spam wave): a repeated
        message costs a dictionary look-up (figures in docs/performance.md)."""
        found: list[tuple[Verdict, bool]] = []
        if self._needs_fold:
            premarked = premark(text)
            marked = collapse(premarked)
            folded = marked.lower()
        else:
            premarked = marked = folded = ""
        if self._has_terms:
            for hit in self.terms.find(premarked, marked, folded):
                terms = self._term_rules[hit.term.label]
                verdict = Verdict(hit.term.label, terms.outcome, hit.term.text)
                found.append((verdict, terms.new_viewers_only))
        for label, own, pattern, on_folded in self._patterns:
            if pattern.search(folded if on_folded else text):
                found.append((Verdict(label, own.outcome, own.pattern), own.new_viewers_only))
        links_rule = self._links
        if links_rule is not None and may_link(text):
            host = links(plain(text), self._link_allow)
            if host is not None:
                found.append(
                    (Verdict("links", links_rule.outcome, host), links_rule.new_viewers_only)
                )
        caps = self._caps
        if caps is not None:
            share = caps_share(text, caps.min_letters)
            if share >= caps.ratio:
                verdict = Verdict("caps", caps.outcome, f"{share:.0%} capitals")
                found.append((verdict, caps.new_viewers_only))
        repeats = self._repeats
        if repeats is not None:
            # A run of n characters shortens the folded text by n - 1: when it did not shorten
            # by max_run, no run is that long (a cheap test that spares the search).
            short = self._needs_fold and len(premarked) - len(marked) < repeats.max_run
            run = None if short else self._run.search(text)
            if run is not None:
                detail = f"{len(run.group(0))}× {run.group(1)!r}"
                found.append(
                    (Verdict("repeats", repeats.outcome, detail), repeats.new_viewers_only)
                )
            elif (count := emoji_count(text, repeats.max_emoji)) > repeats.max_emoji:
                verdict = Verdict("repeats", repeats.outcome, f"{count} emoji")
                found.append((verdict, repeats.new_viewers_only))
        judged = (folded, tuple(found))
        by_text = self._by_text
        if len(by_text) >= TEXT_MEMORY:
            by_text.clear()
        by_text[text] = judged
        return judged

    def _remembered(
        self, message: Message, folded: str, new: bool, verdicts: list[Verdict]
    ) -> list[Message]:
        """The rules that remember (a viewer's rate, spam waves): each counts every message,
        whoever the rule applies to. The earlier copies of a wave that just broke are returned."""
        rate, rate_rule = self._rate, self.settings.rate
        over = rate is not None and rate.over(message.user.id, message.ts)
        if over and rate is not None and (new or not rate_rule.new_viewers_only):
            detail = f"{rate.messages} messages in {rate.window_s:g} s"
            verdicts.append(Verdict("rate", rate_rule.outcome, detail))
        waves, waves_rule = self._waves, self.settings.waves
        if waves is None or len(folded) < waves_rule.min_length:
            return []
        copies = waves.add(folded, message)
        if not copies or not (new or not waves_rule.new_viewers_only):
            return []
        verdicts.append(Verdict("waves", waves_rule.outcome, f"{waves.users}+ viewers"))
        return [copy for copy in copies if copy is not message]

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
            out.append(Hide(ts=event.ts, target=event.id, user=event.user, by=BY, reason=reason))
            out.extend(self._offence(event.user, event.id, event.ts, reason))
        return out

    # -- repeat offences --

    def reviewed(self, action: Event) -> list[Event]:
        """What follows a moderator's review: a denial counts as an offence (the ladder)."""
        if isinstance(action, Deny) and self.active:
            return self._offence(action.user, action.target, action.ts, "automod: denied")
        return []

    def forgive(self, action_type: str, by: str, user_id: str) -> None:
        """An undone action that counted as an offence (a rule's hide, a denial) no longer does."""
        counted = (action_type == "hide" and by == BY) or action_type == "deny"
        count = self._offences.get(user_id, 0)
        if counted and count > 0:
            self._offences[user_id] = count - 1

    def offences(self, user_id: str) -> int:
        return self._offences.get(user_id, 0)

    def _offence(self, user: User, target: str, ts: float, reason: str) -> list[Event]:
        count = self._offences[user.id] = self._offences.get(user.id, 0) + 1
        rung = self.ladder.rung(count)
        return [] if rung is None else self._rung_actions(rung, user, target, ts, reason)

    def _rung_actions(
        self, rung: Rung, user: User, target: str, ts: float, reason: str
    ) -> list[Event]:
        """The actions a rung stands for, beyond hiding the offending message: moderation actions
        like a moderator's (`by` the rules), recorded, undoable, queued for the app where the
        platform cannot do them."""
        ladder = f"{reason} (offence {self._offences.get(user.id, 0)}: {rung})"
        if rung.kind == "mute":
            return [Mute(ts=ts, user=user, target=target, duration_s=rung.duration_s, by=BY,
                         reason=ladder)]  # fmt: skip
        if rung.kind == "block":
            return [Block(ts=ts, user=user, target=target, by=BY, reason=ladder)]
        return []
