"""The questions reducer: what the audience asked, for the host to answer.

Two kinds of entry: the platform's own Q&A questions (`Question` events), and comments that read
as questions (`reads_as_question`: a cheap test, since it runs on every comment of a flood). Not
from viewers the console hides: a message already hidden, held or denied when it arrives (its
author muted or blocked, a rule's decision) never enters; one hidden later drops out of the list
as shown (`open`, `shown`). Marking one answered is a `MarkDone` action, folded by the moderation
reducer with the highlights' and shout-outs' marks, so an `Undo` opens it again.

Bounded: the newest `MAX_QUESTIONS` are kept; `asked` counts every one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..events import Comment, Event, Platform, Question, User

MAX_QUESTIONS = 500
QUESTION_MARKS = ("?", "？", "¿", "؟")
"""A comment ending with one of these (or starting with ¿) is a question."""
QUESTION_WORDS = frozenset({
    "what", "when", "where", "who", "whom", "whose", "why", "how", "which", "can", "could",
    "would", "should", "will", "is", "are", "does", "did", "anyone",
    "cuándo", "dónde", "cómo", "quién",
})  # fmt: skip
"""A comment starting with one of these words is a question ("how long is the stream")."""
_FIRST_WORD_CHARS = 12
"""Only the start of a comment is looked at: the longest question word and a space fit."""
_PUNCTUATION = ",.!:;¡"


def reads_as_question(text: str) -> bool:
    """Whether a comment reads as a question: it ends with a question mark, or starts with a
    question word. Cheap on purpose (no regex, a few string operations)."""
    if text.rstrip().endswith(QUESTION_MARKS) or text.lstrip().startswith("¿"):
        return True
    head = text[:_FIRST_WORD_CHARS].split(None, 1)
    return bool(head) and head[0].lower().strip(_PUNCTUATION) in QUESTION_WORDS


@dataclass(frozen=True, slots=True)
class AskedQuestion:
    """One entry of the Questions list."""

    id: str
    """The message's id (a comment's or a Q&A question's)."""
    ts: float
    user: User
    text: str
    """Raw: sanitise before display."""
    native: bool
    """Asked through the platform's Q&A feature (a `Question` event), not read from a comment."""
    platform: Platform = "tiktok"

    def as_message(self) -> Comment | Question:
        """The question as the message it came as (to pin it)."""
        kind = Question if self.native else Comment
        return kind(id=self.id, ts=self.ts, user=self.user, text=self.text, platform=self.platform)


@dataclass
class QuestionsState:
    entries: dict[str, AskedQuestion] = field(default_factory=dict)
    """By message id, oldest first, the newest `MAX_QUESTIONS`."""
    asked: int = 0
    """Every question seen, those that fell out of `entries` too."""

    def apply(self, event: Event, hidden: Callable[[Event], bool]) -> None:
        """Fold one event; `hidden(event)` says whether the console hides it already."""
        kind = event.type
        if kind == "comment":
            assert isinstance(event, Comment)
            if not reads_as_question(event.text):
                return
        elif kind != "question":
            return
        if hidden(event):
            return
        assert isinstance(event, Comment | Question)
        entries = self.entries
        if event.id in entries:
            return  # the same message again (a source re-sending after a reconnect)
        entries[event.id] = AskedQuestion(
            event.id, event.ts, event.user, event.text, kind == "question", event.platform
        )
        self.asked += 1
        if len(entries) > MAX_QUESTIONS:
            del entries[next(iter(entries))]

    def shown(self, hidden: Callable[[str], bool]) -> list[AskedQuestion]:
        """The questions to show, oldest first: without those hidden since (`hidden(id)`)."""
        return [q for q in self.entries.values() if not hidden(q.id)]

    def open(self, hidden: Callable[[str], bool], done: Callable[[str], bool]) -> int:
        """How many shown questions are not answered yet."""
        return sum(1 for q in self.entries.values() if not hidden(q.id) and not done(q.id))
