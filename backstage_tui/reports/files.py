"""The report files beside a session log: ``<log>.md`` and ``<log>.html``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..session import SessionLogError
from .html import render_html
from .live_report import LiveReport
from .markdown import render_markdown


def report_paths(log_path: Path) -> tuple[Path, Path]:
    """Where the Markdown and HTML reports of `log_path` go: beside it, same name."""
    return log_path.with_suffix(".md"), log_path.with_suffix(".html")


def write_reports(report: LiveReport, log_path: Path) -> tuple[Path, Path]:
    """Write both reports beside `log_path` (each whole or not at all); their paths.

    Raises `OSError` when the folder cannot take them."""
    md_path, html_path = report_paths(log_path)
    for path, text in ((md_path, render_markdown(report)), (html_path, render_html(report))):
        partial = path.with_name(f".{path.name}.partial")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    return md_path, html_path


@dataclass(frozen=True)
class WrittenReport:
    """What `report_beside` came to."""

    report: LiveReport | None
    """None when the log could not be read."""
    files: tuple[Path, ...] = ()
    error: str = ""
    """What went wrong, in a few words (raw: the caller sanitises it for display); "" when fine."""


def report_beside(log_path: Path, *, write: bool = True) -> WrittenReport:
    """The live's report folded from its closed log, written beside it (`write_reports`) unless
    not `write`. A report that could not be written is still returned, with the reason."""
    try:
        report = LiveReport.from_log(log_path)
    except SessionLogError as exc:
        return WrittenReport(None, error=str(exc))
    if not write:
        return WrittenReport(report)
    try:
        return WrittenReport(report, write_reports(report, log_path))
    except OSError as exc:
        return WrittenReport(report, error=exc.strerror or str(exc))
