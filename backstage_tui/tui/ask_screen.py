"""`AskScreen`: the short form `backstage --ask` opens before the live starts: its title and tags.

They go into the session log's header (so the reports and `sessions list` show them), which is
written when the session starts: the source starts once the form is answered. `enter` in either
field starts the live with what is there; `escape` starts it with what the command line gave.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Static

from .dialog import Dialog
from .keys import key_hint

MAX_TITLE = 200
MAX_TAG = 40
MAX_TAGS = 20


@dataclass(frozen=True)
class LiveTitle:
    title: str
    tags: tuple[str, ...]


def parse_tags(text: str) -> tuple[str, ...]:
    """Tags written with commas between them: trimmed, empty ones dropped, each cut to `MAX_TAG`
    characters, duplicates once, at most `MAX_TAGS`."""
    found: list[str] = []
    for part in text.split(","):
        tag = part.strip()[:MAX_TAG].strip()
        if tag and tag not in found:
            found.append(tag)
    return tuple(found[:MAX_TAGS])


class AskScreen(Dialog[LiveTitle | None]):
    """The live's title and tags; dismisses with them, or None (`escape`: as given)."""

    DEFAULT_CSS = """
    AskScreen > #dialog { width: 70; }
    AskScreen Input { margin-bottom: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: checked before the inputs, which would take the key as typing.
        Binding("escape", "skip", "Skip", id="ask.skip", priority=True,
                tooltip="Start the live with the title and tags the command line gave"),
    ]  # fmt: skip

    def __init__(self, title: str = "", tags: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.given = LiveTitle(title, tags)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text("Before the live starts"), id="question")
            yield Static(Text("Its title and tags go into the session log and its reports."))
            yield Input(self.given.title, placeholder="the live's title", max_length=MAX_TITLE,
                        id="title")  # fmt: skip
            yield Input(", ".join(self.given.tags), placeholder="tags, with commas between",
                        max_length=MAX_TAGS * (MAX_TAG + 2), id="tags")  # fmt: skip
            skip = key_hint(self, "ask.skip")
            line = "enter: start the live     tab: next field"
            line += f"     {skip}: skip" if skip else ""
            yield Static(Text(line, style="dim"), id="keys")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        title = self.query_one("#title", Input).value.strip()
        tags = parse_tags(self.query_one("#tags", Input).value)
        self.answer_once(LiveTitle(title, tags))

    def action_skip(self) -> None:
        self.answer_once(None)
