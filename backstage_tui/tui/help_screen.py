"""`HelpScreen`: every key the console answers to, and what the feed's glyphs mean.

Built from the `Binding` declarations themselves, so the help cannot drift from the keymap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from .feed_lines import LEGEND

KEY_NAMES = {
    "up": "↑", "down": "↓", "left": "←", "right": "→", "escape": "esc", "enter": "enter",
    "question_mark": "?", "pageup": "PgUp", "pagedown": "PgDn", "home": "Home", "end": "End",
}  # fmt: skip
KEY_STYLE = Style(bold=True, color="bright_cyan")
HEADING = Style(bold=True, underline=True)


def key_label(keys: str) -> str:
    """``"k,up"`` -> ``"k ↑"``."""
    return " ".join(KEY_NAMES.get(key.strip(), key.strip()) for key in keys.split(","))


def _bindings(group: Iterable[BindingType]) -> Iterable[Binding]:
    for binding in group:
        if isinstance(binding, Binding):
            yield binding


def help_text(sections: Sequence[tuple[str, Iterable[BindingType]]]) -> Text:
    text = Text()
    for title, group in sections:
        text.append(f"{title}\n", HEADING)
        for binding in _bindings(group):
            text.append(f"  {key_label(binding.key):<12}", KEY_STYLE)
            text.append(f"{binding.tooltip or binding.description}\n")
        text.append("\n")
    text.append("What the feed shows\n", HEADING)
    for glyph, meaning in LEGEND:
        text.append("  ")
        text.append(glyph, KEY_STYLE)
        # Pad by cells, not characters: emoji are two cells wide.
        text.append(" " * max(1, 12 - Text(glyph).cell_len))
        text.append(f"{meaning}\n")
    text.append("\nViewer text is shown as typed, with control characters made visible.", "dim")
    return text


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; background: $background 60%; }
    HelpScreen > VerticalScroll {
        width: 84;
        max-width: 95%;
        height: 90%;
        border: thick $accent;
        border-title-align: center;
        background: $surface;
        padding: 0 2;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close",
                tooltip="Close the help"),
    ]  # fmt: skip

    def __init__(self, sections: Sequence[tuple[str, Iterable[BindingType]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys"
            scroll.border_subtitle = "esc / q / ? to close"
            yield Static(help_text(self.sections))
