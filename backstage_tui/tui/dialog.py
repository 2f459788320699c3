"""`Dialog`: what every modal box of the console shares.

A box (`Vertical(id="dialog")`, composed by the subclass) in the middle of the screen over the
dimmed console, with its question in bold. A subclass's own CSS sets what differs: the box's width,
height and border colour.
"""

from __future__ import annotations

from textual.screen import ModalScreen, ScreenResultType


class Dialog(ModalScreen[ScreenResultType]):
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
