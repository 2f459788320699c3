"""`HelpScreen`: every key the console answers to now, and what the feed's glyphs mean.

Built from the bindings in force when `?` was pressed (`keys.bindings_in_force`: after the user's
keymap, each key written as the footer writes it), so the help cannot drift from the keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
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


def _rows(heading: str, rows: Sequence[tuple[str, str]]) -> Table:
    """One section: the keys in a column of their own, each explanation wrapping under itself
    (never back under the keys) on a narrow terminal."""
    table = Table.grid(padding=(0, 1))
    table.add_column(width=1)  # the rows stand two cells in from their heading
    table.add_column(width=KEY_COLUMN - 1, no_wrap=True)
    table.add_column(ratio=1)
    for keys, explanation in rows:
        # The table pads by cells, not characters: emoji glyphs are two cells wide.
        table.add_row("", Text(keys, KEY_STYLE), Text(explanation))
    table.title = Text(heading, HEADING)
    table.title_justify = "left"
    return table


def help_text(sections: Sequence[Section]) -> Group:
    """The help's content: a table per section, the feed's glyphs, how viewer text is shown."""
    parts: list[RenderableType] = []
    for title, rows in [*sections, ("What the feed shows", LEGEND)]:
        parts += [_rows(title, rows), Text("")]
    parts.append(Text(viewer_text_note(width_policy()), "dim"))
    return Group(*parts)


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
            yield Static(help_text(self.sections))  # safe-markup: tables of Text, no str
