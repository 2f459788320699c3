"""`HelpScreen`: every key the console answers to now, and what the feed's glyphs mean.

Built from the bindings in force when `?` was pressed (`keys.bindings_in_force`: after the user's
keymap, each key written as the footer writes it), so the help cannot drift from the keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from ..safetext import WidthPolicy, width_policy
from .feed_lines import LEGEND
from .keys import bindings_in_force, by_node, key_hint

KEY_STYLE = Style(bold=True, color="bright_cyan")
HEADING = Style(bold=True, underline=True)
KEY_COLUMN = 12
APP_SECTION = "Console"
PALETTE_HELP = "Open the command palette: every action by name"

Section = tuple[str, Sequence[tuple[str, str]]]
"""A heading and its rows of (keys, what they do)."""


def section_title(node: DOMNode) -> str:
    """The heading for a node's keys: "Console" for the app, else the widget's `HELP_TITLE`, else
    the border title of the pane it sits in (the feed's keys come under "Feed")."""
    if isinstance(node, App):
        return APP_SECTION
    title = getattr(node, "HELP_TITLE", None)
    if isinstance(title, str) and title:
        return title
    for pane in (node, *node.ancestors):
        border_title = getattr(pane, "border_title", None)
        if border_title:
            return str(border_title)
    return type(node).__name__


def help_sections(screen: Screen[Any]) -> list[Section]:
    """The keys `screen` answers to now, one section per node (the focused widget's first), and the
    command palette's key with the app's."""
    sections: list[Section] = []
    for node, group in by_node(bindings_in_force(screen)):
        rows = [(bound.hint, bound.explanation) for bound in group]
        if isinstance(node, App):
            palette = screen.active_bindings.get(node.COMMAND_PALETTE_BINDING)
            if palette is not None and node.ENABLE_COMMAND_PALETTE:
                rows.append((node.get_key_display(palette.binding), PALETTE_HELP))
        sections.append((section_title(node), rows))
    return sections


def viewer_text_note(policy: WidthPolicy) -> str:
    """How viewer text is shown, with the emoji width policy in force and why (docs/display.md)."""
    if policy.name == "native":
        emoji = "emoji as typed"
    else:
        emoji = "emoji simplified to a width every terminal agrees on (flags as [MX], no joiners or skin tones)"
    return (
        f"Viewer text: control characters made visible; {emoji} "
        f"(display.emoji {policy}). The log keeps the text as typed."
    )


def help_text(sections: Sequence[Section]) -> Text:
    text = Text()
    for title, rows in sections:
        text.append(f"{title}\n", HEADING)
        for keys, explanation in rows:
            text.append("  ")
            text.append(keys, KEY_STYLE)
            text.append(" " * max(1, KEY_COLUMN - Text(keys).cell_len))
            text.append(f"{explanation}\n")
        text.append("\n")
    text.append("What the feed shows\n", HEADING)
    for glyph, meaning in LEGEND:
        text.append("  ")
        text.append(glyph, KEY_STYLE)
        # Pad by cells, not characters: emoji are two cells wide.
        text.append(" " * max(1, KEY_COLUMN - Text(glyph).cell_len))
        text.append(f"{meaning}\n")
    text.append("\n")
    text.append(viewer_text_note(width_policy()), "dim")
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

    def __init__(self, sections: Sequence[Section]) -> None:
        """`sections` from `help_sections(screen)` of the screen `?` was pressed on."""
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys"
            close = key_hint(self, "help.close")
            if close:
                scroll.border_subtitle = Text(f"{close} to close")
            yield Static(help_text(self.sections))
