"""`FeedFilter`: the feed's `/` filter, parsed once from what the moderator typed.

Terms, all of which a line must match:

- plain words: in the message's text or the viewer's name (case folded);
- ``from:NAME``: the viewer's @handle is NAME, or their display name contains it;
- ``is:gift``, ``is:question``, ``is:hidden``, ``is:held`` (in the review queue),
  ``is:highlighted``, ``is:mod`` (a platform moderator, the host, or one on the console's roster);
- ``re:PATTERN`` (last: the pattern is the rest of the line): a regular expression through RE2 (`google-re2`), which runs in time linear in the
  text, so no pattern can stall the console, and which refuses what it cannot do in linear time
  (back-references, look-arounds) with a message.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass, field
from typing import Any

import re2

from ..events import Event
from .moderation import ModerationState
from .questions import reads_as_question

IS_VALUES = ("gift", "question", "hidden", "held", "highlighted", "mod")
STATE_KINDS = frozenset({"hidden", "held", "highlighted", "mod"})
MAX_PATTERN = 500


class FilterError(ValueError):
    """What the moderator typed is not a filter; the message says why, in one line."""


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False  # RE2 would write to the terminal the console draws on
    options.case_sensitive = False
    return options


@dataclass(frozen=True)
class FeedFilter:
    query: str
    words: tuple[str, ...] = ()
    senders: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    patterns: tuple[Any, ...] = field(default=(), compare=False)

    @classmethod
    def parse(cls, query: str) -> FeedFilter:
        """Raises `FilterError` on an unknown ``is:`` value or a pattern RE2 refuses."""
        # `re:` takes the rest of the line, spaces and backslashes included.
        head, marker, pattern = query.partition("re:")
        if marker and head and not head[-1].isspace():
            head, marker, pattern = query, "", ""
        tokens = head.split()
        words: list[str] = []
        senders: list[str] = []
        kinds: list[str] = []
        patterns: list[Any] = []
        for token in tokens:
            key, _, value = token.partition(":")
            if key == "from" and value:
                senders.append(value.removeprefix("@").casefold())
            elif key == "is" and value:
                if value not in IS_VALUES:
                    raise FilterError(f"is:{value}: not one of is:{', is:'.join(IS_VALUES)}")
                kinds.append(value)
            else:
                words.append(token.casefold())
        if marker and pattern:
            if len(pattern) > MAX_PATTERN:
                raise FilterError(f"re: a pattern of at most {MAX_PATTERN} characters")
            try:
                patterns.append(re2.compile(pattern, _options()))
            except re2.error as exc:
                raise FilterError(f"re:{pattern}: {_reason(exc)}") from None
        return cls(query.strip(), tuple(words), tuple(senders), tuple(kinds), tuple(patterns))

    @property
    def reads_state(self) -> bool:
        """Whether a line's match depends on the moderation state (`is:hidden`, ...), so the
        lines on view must be tested again when an action changes it."""
        return any(kind in STATE_KINDS for kind in self.kinds)

    @property
    def empty(self) -> bool:
        return not (self.words or self.senders or self.kinds or self.patterns)

    def predicate(
        self, moderation: ModerationState, held: Container[str] = ()
    ) -> Callable[[Event], bool]:
        """The test of one feed line, reading the moderation state (and `held`, the ids in the
        review queue) as they are when called."""
        return lambda event: self.matches(event, moderation, held)

    def matches(self, event: Event, moderation: ModerationState, held: Container[str] = ()) -> bool:
        user = getattr(event, "user", None)
        text = getattr(event, "text", "")
        name = "" if user is None else (user.name or user.handle or user.id)
        folded = f"{text}\n{name}".casefold()
        if any(word not in folded for word in self.words):
            return False
        if self.senders:
            if user is None:
                return False
            handle, shown = user.handle.casefold(), name.casefold()
            if not any(s == handle or s in shown for s in self.senders):
                return False
        for kind in self.kinds:
            if not _is(kind, event, moderation, held):
                return False
        return all(pattern.search(text) for pattern in self.patterns)


def _is(kind: str, event: Event, moderation: ModerationState, held: Container[str]) -> bool:
    if kind == "question":
        # What the Questions list (Q) takes: Q&A questions and comments that read as questions.
        text = getattr(event, "text", "")
        return event.type == "question" or (event.type == "comment" and reads_as_question(text))
    if kind == "gift":
        return event.type == kind
    if kind == "hidden":
        return moderation.is_hidden(event.id)
    if kind == "held":
        return event.id in held
    if kind == "highlighted":
        return event.id in moderation.highlights
    user = getattr(event, "user", None)
    return user is not None and (
        user.has("moderator") or user.has("host") or user.id in moderation.roster
    )


def _reason(exc: Exception) -> str:
    reason = exc.args[0] if exc.args else exc
    if isinstance(reason, bytes):
        reason = reason.decode("utf-8", "replace")
    return str(reason).splitlines()[0] if str(reason) else "not a pattern RE2 can run"
