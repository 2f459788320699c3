"""The formats of ``backstage sessions export``: one table for the parser's choices and --help,
the docs and the code that writes them.

A leaf module with no imports: the parser is built before anything heavy is loaded
(``backstage --version`` answers at once), so the writers are named here, not imported.
"""

from __future__ import annotations

from typing import NamedTuple


class ExportFormat(NamedTuple):
    name: str
    description: str
    """One line for --help and docs/sessions.md."""
    writer: str
    """``module:function`` of the writer, imported only when the format is used."""


EXPORT_FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat(
            "csv",
            "one row per event, the viewer's fields flattened (a spreadsheet)",
            "backstage_tui.session.export:export_csv",
        ),
        ExportFormat(
            "json",
            'one JSON object, {"header": ..., "events": [...]}, texts exact',
            "backstage_tui.session.export:export_json",
        ),
        ExportFormat(
            "md",
            "the live's report in Markdown (as written at the end of the live)",
            "backstage_tui.sessions_cli:export_markdown",
        ),
        ExportFormat(
            "html",
            "the live's report as a self-contained HTML page with its charts",
            "backstage_tui.sessions_cli:export_html",
        ),
    )
}
"""Every ``sessions export --format``, in the order --help lists them."""


def export_help() -> str:
    """The --format help, derived from `EXPORT_FORMATS`."""
    return "; ".join(f"{f.name}: {f.description}" for f in EXPORT_FORMATS.values())
