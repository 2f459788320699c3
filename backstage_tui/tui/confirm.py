"""`ConfirmScreen`: a yes/no question that dismisses with a bool."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Static

from .dialog import Dialog
from .keys import key_hint


class ConfirmScreen(Dialog[bool]):
    """Ask before doing something that cannot be undone (ending the session)."""

    DEFAULT_CSS = """
    ConfirmScreen > #dialog { width: 52; border: thick $error; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes",
                tooltip="Yes: go ahead"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no",
                tooltip="No: go back to the console"),
    ]  # fmt: skip

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        # Constant strings from our own code, still shown as Text so nothing is parsed as markup.
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.question), id="question")
            if self.detail:
                yield Static(Text(self.detail), id="detail")
            # The keys in force (the user's keymap may have moved them), written as the footer does.
            answers = ((key_hint(self, "confirm.yes"), "yes"), (key_hint(self, "confirm.no"), "no"))
            line = "     ".join(f"{keys}: {answer}" for keys, answer in answers if keys)
            yield Static(Text(line, style="dim"), id="keys")

    def action_answer(self, yes: bool) -> None:
        self.answer_once(yes)
