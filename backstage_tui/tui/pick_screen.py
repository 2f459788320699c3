"""`PickScreen`: choose one of a few options with a digit (a mute's length, a reason).

The digits are bindings like any other key (``pick.1`` ... ``pick.9``), so a keymap can move them
and the dialog's lines name the keys in force. It dismisses with the chosen index, or None.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Static

from .dialog import Dialog
from .keys import key_hint

MAX_OPTIONS = 9
"""One digit each."""


class PickScreen(Dialog[int | None]):
    """A short list of options, each on a digit; `escape` chooses none."""

    DEFAULT_CSS = """
    PickScreen > #dialog { width: 48; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(str(n), f"pick({n - 1})", f"Option {n}", show=False, id=f"pick.{n}",
                  tooltip=f"Choose option {n}") for n in range(1, MAX_OPTIONS + 1)),
        Binding("escape", "pick(None)", "Cancel", id="pick.cancel",
                tooltip="Choose nothing and go back"),
    ]  # fmt: skip

    def __init__(self, question: str, options: Sequence[str]) -> None:
        super().__init__()
        self.question = question
        self.options = tuple(options[:MAX_OPTIONS])

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.question), id="question")
            lines = []
            for index, option in enumerate(self.options):
                keys = key_hint(self, f"pick.{index + 1}")
                if keys:
                    lines.append(f"{keys}  {option}")
            yield Static(Text("\n".join(lines)), id="options")
            cancel = key_hint(self, "pick.cancel")
            if cancel:
                yield Static(Text(f"{cancel}: cancel", style="dim"), id="keys")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pick" and parameters and isinstance(parameters[0], int):
            return parameters[0] < len(self.options)
        return True

    def action_pick(self, index: int | None) -> None:
        self.dismiss(index)
