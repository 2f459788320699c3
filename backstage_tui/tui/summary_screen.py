"""`SummaryScreen`: the live summed up, after it ended: the last screen before the console leaves.

It draws a `LiveReport` (reports/): the same sections the Markdown and HTML files hold, every piece
of viewer text already display-safe and put in `Text`, never markup, and the viewers and comments
curves as sparklines. It opens at once, "summing up", while the report is folded from the log in
the background, and fills in when it is ready (`show`).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Sparkline, Static

from ..reports.live_report import Curve, LiveReport
from ..reports.sections import Section
from ..safetext import display
from .keys import key_hint

LABEL_WIDTH = 20


def section_table(section: Section) -> Table:
    """One section: its title in bold, then its rows, labels in a column and each value wrapping
    in its own (every cell a `Text`: nothing is read as markup)."""
    table = Table(box=None, show_header=False, padding=(0, 1, 0, 0), expand=True,
                  title=Text(section.title, style="bold"), title_justify="left")  # fmt: skip
    table.add_column(width=LABEL_WIDTH, no_wrap=True, style="dim")
    table.add_column(ratio=1)
    for label, value in section.rows:
        table.add_row(Text(label), Text(value))
    return table


def curve_caption(name: str, curve: Curve) -> Text:
    peak = max(curve.values, default=0.0)
    return Text.assemble(
        (name, "bold"), f"   peak {peak:,.0f}, a point every {curve.step_s:g} s", style=""
    )


class SummaryScreen(Screen[None]):
    """The live's summary; `q` or `enter` leaves the console."""

    AUTO_FOCUS = "#summary"
    """The arrow and page keys scroll it on a small terminal."""

    DEFAULT_CSS = """
    SummaryScreen { background: $surface; }
    SummaryScreen #summary { padding: 0 2; }
    SummaryScreen #heading { text-style: bold; margin: 0 0 1 0; }
    SummaryScreen #sections { grid-size: 2; grid-rows: auto; grid-gutter: 1 4; height: auto; }
    SummaryScreen.-narrow #sections { grid-size: 1; }
    SummaryScreen.-narrow #curves { layout: vertical; }
    SummaryScreen .section { height: auto; }
    SummaryScreen #curves { height: auto; margin-top: 1; }
    SummaryScreen .curve { width: 1fr; height: auto; margin-right: 4; }
    SummaryScreen Sparkline { height: 3; }
    SummaryScreen #files, SummaryScreen #goodbye { margin-top: 1; height: auto; }
    SummaryScreen #keys { dock: bottom; height: 1; padding: 0 2; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,enter", "leave", "Leave", id="summary.leave",
                tooltip="Leave the console (the live is over and its log is closed)"),
        Binding("c", "copy_goodbye", "Copy goodbye", id="summary.copy",
                tooltip="Copy the goodbye to the clipboard, to post it in the app"),
    ]  # fmt: skip

    def __init__(self, goodbye_to_post: str = "") -> None:
        super().__init__()
        self.report: LiveReport | None = None
        self.goodbye_to_post = goodbye_to_post
        """The goodbye the source could not post: waiting to be pasted in the app."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="summary"):
            yield Static(Text("Summing up the live…"), id="heading")
            yield Grid(id="sections")
            yield Horizontal(id="curves")
            yield Static(Text(""), id="files")
            if self.goodbye_to_post:
                yield Static(self._goodbye_text(), id="goodbye")
        yield Static(self._keys_text(), id="keys")

    def _goodbye_text(self) -> Text:
        copy = key_hint(self, "summary.copy") or ""
        how = f" ({copy}: copy it)" if copy else ""
        return Text.assemble(
            ("Goodbye to post in the app", "bold yellow"),
            how,
            "\n",
            display(self.goodbye_to_post, 500),
        )

    def _keys_text(self) -> Text:
        leave = key_hint(self, "summary.leave") or ""
        return Text((f"{leave}: leave     " if leave else "") + "↑/↓ pgup/pgdn: scroll")

    def show(
        self, report: LiveReport | None, files: tuple[Path, ...] = (), error: str = ""
    ) -> None:
        """Fill in the report (None when it could not be made: `error` says why)."""
        self.report = report
        heading = self.query_one("#heading", Static)
        if report is None:
            heading.update(Text(f"The live is over. No summary: {display(error, 300)}"))
            return
        title = display(report.title, 120) if report.title else "The live"
        heading.update(Text(f"{title}, summed up"))
        grid = self.query_one("#sections", Grid)
        grid.mount_all(
            Static(section_table(section), classes="section")  # safe-markup: Table of Text cells
            for section in report.sections(with_log=False)  # the files below say where it is
        )
        self.query_one("#curves", Horizontal).mount_all(
            Vertical(
                Static(curve_caption(name, curve)),
                Sparkline(list(curve.values) or [0.0], summary_function=max),
                classes="curve",
            )
            for name, curve in (
                ("Viewers", report.viewers_curve),
                ("Comments a minute", report.comments_curve),
            )
        )
        written = self.query_one("#files", Static)
        if listed := "\n".join(display(str(path), 300) for path in files):
            written.update(Text.assemble(("Written beside the log", "bold"), "\n", listed))
        elif error:
            written.update(Text(f"The report files were not written: {display(error, 300)}"))

    def action_leave(self) -> None:
        self.app.exit()

    def action_copy_goodbye(self) -> None:
        if not self.goodbye_to_post:
            self.notify("no goodbye waits to be posted", markup=False)
            return
        self.app.copy_to_clipboard(self.goodbye_to_post)
        self.notify("the goodbye is on the clipboard", markup=False)
