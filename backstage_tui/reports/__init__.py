"""Reports of a live: `LiveReport` (the numbers), rendered as Markdown and HTML.

Above `session/` (they read logs) and below the UI; never imports Textual or Rich.
"""

from .files import report_paths, write_reports
from .html import render_html
from .live_report import LiveReport
from .markdown import render_markdown

__all__ = ["LiveReport", "render_html", "render_markdown", "report_paths", "write_reports"]
