"""`NoteScreen`: one line of text (a note on a viewer); dismisses with it, or None."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from .keys import key_hint

MAX_NOTE = 500


class NoteScreen(ModalScreen[str | None]):
    """Type a note, `enter` keeps it, `escape` drops it."""

    DEFAULT_CSS = """
    NoteScreen {
        align: center middle;
        background: $background 60%;
    }
    NoteScreen > #dialog {
        width: 64;
        height: auto;
        border: thick $accent;
        background: $surface;
        padding: 1 2;
    }
    NoteScreen #question { text-style: bold; margin-bottom: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: checked before the input, which would take a letter as typing.
        Binding("escape", "cancel", "Cancel", id="note.cancel", priority=True,
                tooltip="Drop the note and go back"),
    ]  # fmt: skip

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.question), id="question")
            yield Input(placeholder="the note", max_length=MAX_NOTE, id="note")
            cancel = key_hint(self, "note.cancel")
            line = "enter: keep" + (f"     {cancel}: cancel" if cancel else "")
            yield Static(Text(line, style="dim"), id="keys")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
