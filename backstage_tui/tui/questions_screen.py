"""`QuestionsScreen` (`Q`): what the audience asked, to answer, pin, or find in the feed.

It draws the state's Questions list (`ConsoleState.questions_shown`: Q&A questions and comments
that read as questions, without hidden viewers') and decides nothing: marking one answered is a
`MarkDone` action (again: its undo), pinning one is a `Pin`, both through the console's actions,
so they are recorded and replay. New questions appear while it is open (the table follows the state
once a second, the cursor staying on its question). Viewer text enters the table as `Text` after
`safetext`, never as markup.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, tzinfo
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from ..events import Comment, Question
from ..safetext import display
from ..state import AskedQuestion, ConsoleState
from .feed_lines import PIN_MARK
from .moderation_screens import DONE, TableScreen, who

REFRESH_S = 1.0
NATIVE_MARK = "Q&A"
"""Marks a question asked through the platform's Q&A feature rather than read from a comment."""


def question_rows(state: ConsoleState, tz: tzinfo | None) -> list[tuple[str, tuple[Text, ...]]]:
    """(question id, cells): open questions first, then the answered ones, oldest first in each."""
    asked = sorted(state.questions_shown(), key=lambda q: state.question_done(q.id))
    pinned = state.pins.pinned
    return [(q.id, _cells(q, state.question_done(q.id), q.id in pinned, tz)) for q in asked]


def _cells(
    question: AskedQuestion, done: bool, pinned: bool, tz: tzinfo | None
) -> tuple[Text, ...]:
    clock = datetime.fromtimestamp(question.ts, tz).strftime("%H:%M:%S")
    mark = Text(DONE if done else "?", style="green" if done else "bold yellow")
    pinned_mark = f"{PIN_MARK} " if pinned else ""
    return (
        mark,
        Text(clock),
        Text(NATIVE_MARK if question.native else "", style="cyan"),
        Text(who(question.user)),
        Text(pinned_mark + display(question.text, 300), style="dim" if done else ""),
    )


class QuestionsScreen(TableScreen):
    """The Questions list: mark answered, pin, jump to it in the feed."""

    HEADING = "Questions: answer them, pin one, or find it in the feed"
    HELP_TITLE = "Questions"
    COLUMNS = ("", "time", "", "viewer", "question")
    KEY_HINTS = (
        ("questions.done", "answered (again: open)"), ("questions.pin", "pin"),
        ("questions.jump", "find in the feed"), ("questions.close", "close"),
    )  # fmt: skip
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x,space", "done", "Answered", id="questions.done",
                tooltip="Mark the selected question answered; on an answered one: open it again"),
        Binding("p", "pin", "Pin", id="questions.pin",
                tooltip="Pin the selected question (it shows in the Pinned pane)"),
        # priority: before the table's own enter (which only selects the row it is on)
        Binding("enter", "jump", "Find", id="questions.jump", priority=True,
                tooltip="Close the list and select the question in the feed"),
        Binding("escape,Q", "close", "Close", id="questions.close",
                tooltip="Close the Questions list"),
    ]  # fmt: skip

    def __init__(
        self,
        state: ConsoleState,
        *,
        toggle_done: Callable[[str], Awaitable[None]],
        pin: Callable[[Comment | Question], Awaitable[None]],
        jump: Callable[[str], None],
        tz: tzinfo | None = None,
    ) -> None:
        super().__init__(state.moderation)
        self.state = state
        self.tz = tz
        self._toggle_done = toggle_done
        self._pin = pin
        self._jump = jump
        self._seen: tuple[int, int] = (-1, -1)

    def _start_following(self) -> None:
        self._seen = self._marks()
        self.set_interval(REFRESH_S, self._follow_state)

    # Textual calls each class's own `on_mount` (TableScreen's fills the table): not an override.
    on_mount = _start_following  # noqa: N815 - Textual's handler name

    def _marks(self) -> tuple[int, int]:
        """What changes the list: a new question, or any action (a mark, a hide, a block)."""
        return self.state.questions.asked, self.state.moderation.actions

    def _follow_state(self) -> None:
        if self._marks() != self._seen:
            self._seen = self._marks()
            self.reload()

    def rows(self) -> list[tuple[str, tuple[Text, ...]]]:
        return question_rows(self.state, self.tz)

    def selected_question(self) -> AskedQuestion | None:
        key = self.selected_key()
        return None if key is None else self.state.questions.entries.get(key)

    async def action_done(self) -> None:
        question = self.selected_question()
        if question is not None:
            await self._toggle_done(question.id)
            self.reload()

    async def action_pin(self) -> None:
        question = self.selected_question()
        if question is not None:
            await self._pin(question.as_message())
            self.reload()

    def action_jump(self) -> None:
        question = self.selected_question()
        if question is not None:
            self.dismiss(None)
            self._jump(question.id)
