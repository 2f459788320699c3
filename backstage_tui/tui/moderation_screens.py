"""The moderation screens: the "In the app" to-do list and the moderation log.

Both draw from `ModerationState` (what the actions did, in the session's own record) and change
nothing themselves: ticking a to-do off is an action event like any other. Viewer text (names,
notes) enters the tables as `Text` after `safetext`, never as markup.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, tzinfo
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from ..events import ListKind, User
from ..safetext import display, display_name
from ..state.moderation import LogEntry, ModerationState, TodoItem
from .dialog import Dialog
from .keys import key_hint

DONE = "✓"


def who(user: User | None) -> str:
    if user is None:
        return ""
    handle = f" @{user.handle}" if user.handle and user.handle != user.name else ""
    return display_name(f"{user.name or user.handle or user.id}{handle}", 60)


def todo_rows(moderation: ModerationState) -> list[tuple[str, tuple[Text, ...]]]:
    """(action id, cells) for each to-do, open ones first, oldest first within each."""
    items = sorted(moderation.todo.values(), key=lambda item: item.done)
    return [(item.action, _todo_cells(item)) for item in items]


def _todo_cells(item: TodoItem) -> tuple[Text, ...]:
    mark = Text(DONE if item.done else "☐", style="green" if item.done else "bold")
    return (mark, Text(display(item.detail, 80)), Text(who(item.user)))


def log_rows(moderation: ModerationState, tz: tzinfo | None) -> list[tuple[str, tuple[Text, ...]]]:
    """(action id, cells) for every action, newest first."""
    return [(entry.id, log_cells(entry, tz)) for entry in reversed(moderation.log)]


def log_cells(entry: LogEntry, tz: tzinfo | None) -> tuple[Text, ...]:
    clock = datetime.fromtimestamp(entry.ts, tz).strftime("%H:%M:%S")
    action = entry.type if not entry.detail else f"{entry.type} {display(entry.detail, 40)}"
    target = who(entry.user) or display(entry.target, 40)
    effect = entry.effect
    if entry.forward:
        effect += " ok" if entry.forward == "ok" else f" ✗ {display(entry.forward, 60)}"
    state = "undone" if entry.undone_by else ("" if entry.outcome == "done" else entry.outcome)
    return (
        Text(clock),
        Text(action),
        Text(target),
        Text(effect, style="yellow" if entry.effect == "queued" else ""),
        Text(display(entry.reason, 40)),
        Text(display_name(entry.by, 30)),
        Text(state, style="dim"),
    )


class TableScreen(Dialog[None]):
    """A modal table of rows from the moderation state (subclasses say which rows)."""

    DEFAULT_CSS = """
    TableScreen > #dialog { width: 90%; height: 80%; padding: 0 1; }
    TableScreen DataTable { height: 1fr; }
    TableScreen #empty { color: $text-muted; height: auto; }
    """
    HEADING = ""
    COLUMNS: ClassVar[tuple[str, ...]] = ()
    KEY_HINTS: ClassVar[tuple[tuple[str, str], ...]] = ()
    """(binding id, what it does) for the line of keys under the table, written as in force."""

    def __init__(self, moderation: ModerationState) -> None:
        super().__init__()
        self.moderation = moderation
        self.table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.HEADING, style="bold"), id="title")
            yield self.table
            yield Static(Text(""), id="empty")
            hints = [(key_hint(self, binding_id), what) for binding_id, what in self.KEY_HINTS]
            line = "     ".join(f"{keys}: {what}" for keys, what in hints if keys)
            yield Static(Text(line, style="dim"), id="keys")

    def on_mount(self) -> None:
        self.table.add_columns(*self.COLUMNS)  # safe-markup: our own constant headings
        self.reload()
        self.table.focus()

    def rows(self) -> list[tuple[str, tuple[Text, ...]]]:
        raise NotImplementedError

    def reload(self) -> None:
        """Rebuild the table from the state, keeping the cursor on the same row when it is there."""
        table = self.table
        selected = self.selected_key()
        table.clear()
        rows = self.rows()
        for key, cells in rows:
            table.add_row(*cells, key=key)  # safe-markup: every cell is a Text (rows())
        keys = [key for key, _ in rows]
        if selected in keys:
            table.move_cursor(row=keys.index(selected))
        self.query_one("#empty", Static).update(Text("" if rows else "Nothing yet."))

    def selected_key(self) -> str | None:
        table = self.table
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return None if row_key.value is None else str(row_key.value)

    def action_close(self) -> None:
        self.dismiss(None)


class TodoScreen(TableScreen):
    """The "In the app" list: what must be done by hand in the platform's app."""

    HEADING = "In the app: do these in the TikTok app or LIVE Studio, then tick them off"
    COLUMNS = ("", "to do", "viewer")
    KEY_HINTS = (
        ("todo.done", "done in the app"), ("todo.copy", "copy its text"), ("todo.close", "close"),
    )  # fmt: skip
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x,space", "tick", "Done", id="todo.done",
                tooltip="Tick the selected to-do off: done in the app"),
        Binding("c", "copy", "Copy", id="todo.copy",
                tooltip="Copy the selected to-do's text (a message to post, a viewer's name) to "
                        "the clipboard, through the terminal"),
        Binding("escape,i", "close", "Close", id="todo.close",
                tooltip="Close the In the app list"),
    ]  # fmt: skip

    def __init__(self, moderation: ModerationState, tick: Callable[[str], Awaitable[None]]) -> None:
        super().__init__(moderation)
        self._tick = tick

    def rows(self) -> list[tuple[str, tuple[Text, ...]]]:
        return todo_rows(self.moderation)

    def action_copy(self) -> None:
        """The words to paste into the app: a message to post as it is, else the viewer's
        @name. Through the terminal's clipboard (OSC 52): most terminals and tmux pass it on."""
        key = self.selected_key()
        item = None if key is None else self.moderation.todo.get(key)
        if item is None:
            return
        entry = self.moderation.entry(item.action)
        if item.type == "say" and entry is not None:
            words = entry.detail
        elif item.user is not None:
            words = f"@{item.user.handle}" if item.user.handle else item.user.name
        else:
            words = item.detail
        self.app.copy_to_clipboard(words)
        self.notify(f"copied: {display(words, 60)}", markup=False)

    async def action_tick(self) -> None:
        key = self.selected_key()
        if key is None:
            return
        item = self.moderation.todo.get(key)
        if item is not None and not item.done:
            await self._tick(key)
        self.reload()


class ModerationLogScreen(TableScreen):
    """Every action of the session, newest first: time, action, target, effect, reason, who."""

    HEADING = "Moderation log"
    COLUMNS = ("time", "action", "target", "effect", "reason", "by", "")
    KEY_HINTS = (("modlog.undo", "undo the selected action"), ("modlog.close", "close"))
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("u", "undo", "Undo", id="modlog.undo",
                tooltip="Undo the selected action (recorded as an undo; the action stays listed)"),
        Binding("escape,l", "close", "Close", id="modlog.close",
                tooltip="Close the moderation log"),
    ]  # fmt: skip

    def __init__(
        self,
        moderation: ModerationState,
        undo: Callable[[str], Awaitable[None]],
        tz: tzinfo | None = None,
    ) -> None:
        super().__init__(moderation)
        self._undo = undo
        self.tz = tz

    async def action_undo(self) -> None:
        key = self.selected_key()
        entry = None if key is None else self.moderation.entry(key)
        if entry is None or not entry.undoable:
            self.notify("this action cannot be undone", severity="warning", markup=False)
            return
        await self._undo(entry.id)
        self.reload()

    def rows(self) -> list[tuple[str, tuple[Text, ...]]]:
        return log_rows(self.moderation, self.tz)


LIST_KEYS: dict[str, ListKind] = {"h": "highlight", "s": "shoutout"}
"""The prefix of a row's key in the lists screen, to the list it belongs to."""


def lists_rows(
    moderation: ModerationState, tz: tzinfo | None
) -> list[tuple[str, tuple[Text, ...]]]:
    """(key, cells): the highlights, newest first, then the shout-out list in the order added;
    in each, what is still to do before what was done."""
    highlights: list[tuple[bool, str, tuple[Text, ...]]] = []
    for message_id, entry in reversed(moderation.highlights.items()):
        done = moderation.is_done("highlight", message_id)
        clock = datetime.fromtimestamp(entry.ts, tz).strftime("%H:%M:%S")
        cells = (_done_mark(done), Text("✦ highlight"), Text(clock), Text(who(entry.user)),
                 Text(display(entry.detail, 200), style="dim" if done else ""))  # fmt: skip
        highlights.append((done, f"h:{message_id}", cells))
    shoutouts: list[tuple[bool, str, tuple[Text, ...]]] = []
    for user_id, user in moderation.shoutouts.items():
        done = moderation.is_done("shoutout", user_id)
        cells = (_done_mark(done), Text("shout-out"), Text(""), Text(who(user)), Text(""))
        shoutouts.append((done, f"s:{user_id}", cells))
    ordered = [*sorted(highlights, key=lambda r: r[0]), *sorted(shoutouts, key=lambda r: r[0])]
    return [(key, cells) for _, key, cells in ordered]


def _done_mark(done: bool) -> Text:
    return Text(DONE if done else "☐", style="green" if done else "bold")


class ListsScreen(TableScreen):
    """The highlights (messages that stood out) and the shout-out list, to work through."""

    HEADING = "Highlights and shout-outs: mark each done when you have given it"
    COLUMNS = ("", "list", "time", "viewer", "message")
    KEY_HINTS = (("lists.done", "done (again: open)"), ("lists.close", "close"))
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x,space", "done", "Done", id="lists.done",
                tooltip="Mark the selected highlight or shout-out done; on a done one: open it "
                        "again"),
        Binding("escape,L", "close", "Close", id="lists.close",
                tooltip="Close the highlights and shout-outs"),
    ]  # fmt: skip

    def __init__(
        self,
        moderation: ModerationState,
        toggle_done: Callable[[ListKind, str], Awaitable[None]],
        tz: tzinfo | None = None,
    ) -> None:
        super().__init__(moderation)
        self._toggle_done = toggle_done
        self.tz = tz

    def rows(self) -> list[tuple[str, tuple[Text, ...]]]:
        return lists_rows(self.moderation, self.tz)

    async def action_done(self) -> None:
        key = self.selected_key()
        if key is None:
            return
        prefix, _, target = key.partition(":")
        await self._toggle_done(LIST_KEYS[prefix], target)
        self.reload()
