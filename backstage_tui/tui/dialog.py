"""`Dialog`: what every modal box of the console shares.

A box (`Vertical(id="dialog")`, composed by the subclass) in the middle of the screen over the
dimmed console, with its question in bold. A subclass's own CSS sets what differs: the box's width,
height and border colour.
"""

from __future__ import annotations

from textual.screen import ModalScreen, ScreenResultType


class Dialog(ModalScreen[ScreenResultType]):
    """A modal box that answers once (`answer`)."""

    DEFAULT_CSS = """
    Dialog {
        align: center middle;
        background: $background 60%;
    }
    Dialog > #dialog {
        height: auto;
        border: thick $accent;
        background: $surface;
        padding: 1 2;
    }
    Dialog #question { text-style: bold; margin-bottom: 1; }
    """

    _answered = False

    def answer_once(self, result: ScreenResultType) -> None:
        """Dismiss with `result`, once: a key pressed twice in a row (enter, enter) must not
        dismiss it again, which would pop whatever screen the first answer opened, or the
        console itself."""
        if self._answered or self.app.screen is not self:
            return
        self._answered = True
        self.dismiss(result)
