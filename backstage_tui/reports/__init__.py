"""Reports of a live: `LiveReport` (the numbers), rendered as Markdown and HTML.

Above `session/` (they read logs) and below the UI; never imports Textual or Rich. The names are
loaded when first used: the HTML side brings jinja2 and pygal, which the console's start-up must
not pay for (`first_frame_s`).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .files import report_paths, write_reports
    from .html import render_html
    from .live_report import LiveReport
    from .markdown import render_markdown

_WHERE = {
    "LiveReport": "live_report",
    "render_html": "html",
    "render_markdown": "markdown",
    "report_paths": "files",
    "write_reports": "files",
}

__all__ = ["LiveReport", "render_html", "render_markdown", "report_paths", "write_reports"]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)
