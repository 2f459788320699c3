"""`LineScreen`: one line of text (a note on a viewer, the feed's filter); dismisses with it, or
None when cancelled."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Static

from .dialog import Dialog
from .keys import key_hint

MAX_LINE = 500


class LineScreen(Dialog[str | None]):
    """Type a line: `enter` keeps it, `escape` drops it."""

    DEFAULT_CSS = """
    LineScreen > #dialog { width: 64; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: checked before the input, which would take a letter as typing.
        Binding("escape", "cancel", "Cancel", id="line.cancel", priority=True,
                tooltip="Drop what was typed and go back"),
    ]  # fmt: skip

    def __init__(
        self,
        question: str,
        placeholder: str = "",
        value: str = "",
        keep: str = "keep",
        *,
        replace: bool = True,
        detail: str = "",
        hint: str = "",
    ) -> None:
        super().__init__()
        self.question = question
        self.placeholder = placeholder
        self.value = value
        self.keep = keep
        """What `enter` does, in the key line."""
        self.replace = replace
        """Whether typing replaces `value` (it starts selected) or goes on after it."""
        self.detail = detail
        """A line under the question: what will happen (our own words)."""
        self.hint = hint
        """More in the key line, after what `enter` and `escape` do."""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.question), id="question")
            if self.detail:
                yield Static(Text(self.detail), id="detail")
            yield Input(
                self.value,
                placeholder=self.placeholder,
                max_length=MAX_LINE,
                select_on_focus=self.replace,
                id="line",
            )
            cancel = key_hint(self, "line.cancel")
            line = f"enter: {self.keep}" + (f"     {cancel}: cancel" if cancel else "")
            line += f"     {self.hint}" if self.hint else ""
            yield Static(Text(line, style="dim"), id="keys")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.answer_once(event.value)

    def action_cancel(self) -> None:
        self.answer_once(None)
