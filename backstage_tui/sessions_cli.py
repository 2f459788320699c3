"""``backstage sessions ...``: what the command prints for the session history (list, show's extra
sections, export, search, stats). The parser stays in `cli.py`; this module turns what the core
(`session/`) finds into lines for a terminal or JSON for a script.

Every text that came from a log (titles, names, comments, paths) goes through `safetext.display`
before it reaches the terminal: a log is viewer-written data.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .export_formats import EXPORT_FORMATS
from .safetext import display
from .session.catalog import Catalog, SessionEntry, log_files, read_catalog
from .session.export import ExportResult
from .session.reader import SessionReader
from .session.report import clock

if TYPE_CHECKING:
    from .reports import LiveReport

NO_VALUE = "-"
"""What a cell shows when the log cannot tell (a title before titles, a crashed log's peak)."""


def human_size(size: int) -> str:
    """Bytes as a person reads them: ``812 B``, ``3.4 kB``, ``236 MB`` (powers of 1000, as `ls -h
    --si` and file managers show)."""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "B" or value >= 100 else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _cell(value: int | None) -> str:
    return NO_VALUE if value is None else f"{value:,}"


def entry_row(entry: SessionEntry) -> list[str]:
    """The list's cells for one session, in `LIST_COLUMNS` order."""
    started = entry.started.astimezone().strftime("%Y-%m-%d %H:%M")
    return [
        started,
        NO_VALUE if entry.duration_s is None else clock(entry.duration_s),
        _cell(entry.events),
        _cell(entry.peak_viewers),
        human_size(entry.size),
        "yes" if entry.closed_cleanly else "NO",
        display(entry.source, 40),
        display(entry.title, 80) or NO_VALUE,
        display(entry.path.name, 120),
    ]


LIST_COLUMNS = ("started", "duration", "events", "peak", "size", "clean", "source", "title", "file")
_RIGHT = {"duration", "events", "peak", "size"}


def table(columns: Sequence[str], rows: Sequence[Sequence[str]], right: set[str]) -> list[str]:
    """Plain aligned columns, two spaces apart; the last column is never padded."""
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns)]

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, (name, cell) in enumerate(zip(columns, cells, strict=True)):
            last = i == len(columns) - 1
            if name in right:
                out.append(cell.rjust(widths[i]))
            else:
                out.append(cell if last else cell.ljust(widths[i]))
        return "  ".join(out).rstrip()

    return [line(columns), *(line(r) for r in rows)]


def list_sessions(folder: Path, *, as_json: bool, out: TextIO | None = None) -> int:
    """``backstage sessions [list]``: every session in `folder`, newest first."""
    out = out or sys.stdout
    catalog: Catalog = read_catalog(log_files(folder))
    if as_json:
        json.dump([e.to_json() for e in catalog.entries], out, ensure_ascii=False, indent=1)
        out.write("\n")
    elif not catalog.entries:
        print(f"no session logs in {display(str(folder), 300)}", file=out)
    else:
        rows = [entry_row(e) for e in catalog.entries]
        for text in table(LIST_COLUMNS, rows, _RIGHT):
            print(text, file=out)
        print(
            f"{plural(len(rows), 'session')} in {display(str(folder), 300)}, "
            f"{human_size(sum(e.size for e in catalog.entries))}",
            file=out,
        )
    for path, why in catalog.skipped:
        print(f"skipped {display(path.name, 120)}: {display(why, 300)}", file=sys.stderr)
    return 0


# -- export --


class ExportError(Exception):
    """Why an export cannot be written, as one line."""


def export_session(path: Path, format_name: str, output: str | None) -> int:
    """``backstage sessions export``: to stdout (no -o, or ``-o -``) or a new file written whole
    (a temporary file renamed into place), never over the log itself. `SessionLogError` for a
    log that cannot be read, `ExportError` for an output that cannot be written."""
    import importlib
    import os
    import tempfile

    chosen = EXPORT_FORMATS[format_name]
    module, _, function = chosen.writer.partition(":")
    write: Callable[[SessionReader, TextIO], ExportResult] = getattr(
        importlib.import_module(module), function
    )
    reader = SessionReader(path)
    if output in (None, "-"):
        try:
            result = write(reader, sys.stdout)
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader left (`| head`): not an error. Python's own flush at exit would
            # complain again, so stdout goes to /dev/null for it.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
    else:
        target = Path(output)
        if target.is_dir():
            raise ExportError(f"{target} is a folder; give a file name")
        if not target.parent.is_dir():
            raise ExportError(f"no such folder for the export: {target.parent}")
        if target.exists() and os.path.samefile(target, path):
            raise ExportError(f"will not write the export over the session log itself ({path})")
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        except OSError as exc:
            raise ExportError(f"cannot write to {target.parent}: {exc.strerror or exc}") from None
        umask = os.umask(0)
        os.umask(umask)
        try:
            os.fchmod(fd, 0o666 & ~umask)  # mkstemp's 0600 would hide the export from others
            with open(fd, "w", encoding="utf-8", newline="", buffering=1 << 20) as out:
                result = write(reader, out)
            os.replace(tmp, target)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from None
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        print(
            f"{plural(result.events, 'event')} written to {display(str(target), 300)} "
            f"({chosen.name})",
            file=sys.stderr,
        )
    if result.problems:
        first = display(str(result.problems[0]), 300)
        print(
            f"{plural(max(result.damaged, len(result.problems)), 'damaged line')} skipped; "
            f"first: {first}",
            file=sys.stderr,
        )
    return 0


# -- the report formats (the end-of-live report of `reports/`) --


def _report_of(reader: SessionReader) -> tuple[LiveReport, ExportResult]:
    from .reports import LiveReport

    report = LiveReport.from_reader(reader)
    return report, ExportResult(
        events=report.events, problems=list(reader.problems), damaged=reader.damaged
    )


def export_markdown(reader: SessionReader, out: TextIO) -> ExportResult:
    """The live's report as Markdown: the same sections as the end-of-live summary."""
    from .reports import render_markdown

    report, result = _report_of(reader)
    out.write(render_markdown(report))
    return result


def export_html(reader: SessionReader, out: TextIO) -> ExportResult:
    """The live's report as the end-of-live summary's self-contained HTML page."""
    from .reports import render_html

    report, result = _report_of(reader)
    out.write(render_html(report))
    return result


# -- show: what the totals do not hold --

DETAIL_SECTIONS = ("Chat", "Gifts", "Polls", "Moderation")
"""The report's sections `sessions show` adds under the totals (the rest repeats the totals)."""
DETAIL_LABELS = {"Comments", "Questions", "Gifts", "Diamonds"}
"""Rows of those sections already in the totals above them."""
RENAMED = {"Actions": "moderation by effect"}
"""Labels that need their section's name beside the totals."""


def show_details(path: Path) -> list[str]:
    """Top chatters, top gifters and their diamonds, polls with their results and moderation by
    effect: the end-of-live report's sections, from a fold of every line (`LiveReport`)."""
    from .reports import LiveReport

    report = LiveReport.from_log(path)
    out: list[str] = []
    width = 22
    for section in report.sections():
        if section.title not in DETAIL_SECTIONS:
            continue
        for label, values in section.entries():
            if label in DETAIL_LABELS:
                continue
            # The sections' text is display-safe already (`reports.sections`).
            out.append(f"{RENAMED.get(label, label.lower()):<{width}}{values[0]}")
            out += [" " * width + value for value in values[1:]]
    return out


# -- stats: the lives over time --


class StatsError(Exception):
    """Why the stats cannot be written where asked, as one line."""


def stats_sessions(
    folder: Path,
    *,
    since: datetime | None = None,
    as_json: bool = False,
    html: bool = False,
    output: str | None = None,
    full: bool = False,
    width: int | None = None,
    out: TextIO | None = None,
) -> int:
    """``backstage sessions stats``: the lives in `folder` (from `since`) per live and by week,
    as text for a terminal (`width` columns: the terminal's, or 80), JSON, or an HTML page."""
    from .reports.stats_text import WIDTH, render_stats_text
    from .session.stats import build_report, read_lives

    out = out or sys.stdout
    if output is not None and not html:
        raise StatsError("-o/--output goes with --html")
    if html and as_json:
        raise StatsError("--html and --json: choose one")
    if html and output is None and out.isatty():
        raise StatsError("--html writes a page: give -o FILE (or redirect the output)")
    target = None if output in (None, "-") else _page_target(Path(output))
    lives, skipped = read_lives(log_files(folder), since=since, full=full)
    for path, why in skipped:
        print(f"skipped {display(path.name, 120)}: {display(why, 300)}", file=sys.stderr)
    report = build_report(lives, skipped)
    if as_json:
        json.dump(report.to_json(), out, ensure_ascii=False, indent=1)
        out.write("\n")
        return 0
    if not lives:
        when = f" since {since.isoformat(timespec='minutes')}" if since is not None else ""
        print(f"no lives{when} in {display(str(folder), 300)}", file=out)
        return 0
    if html:
        from .reports.stats_html import render_stats_html

        page = render_stats_html(report)
        if target is None:
            out.write(page)
        else:
            _write_page(target, page)
            print(f"stats of {plural(len(lives), 'live')} written to "
                  f"{display(str(target), 300)}", file=sys.stderr)  # fmt: skip
        return 0
    if width is None:
        import shutil

        width = shutil.get_terminal_size((WIDTH, 24)).columns if out.isatty() else WIDTH
    for line in render_stats_text(report, max(width, 60)):
        print(line, file=out)
    return 0


def _page_target(target: Path) -> Path:
    """`target` when a page can go there (checked before any log is read)."""
    if target.is_dir():
        raise StatsError(f"{target} is a folder; give a file name")
    if not target.parent.is_dir():
        raise StatsError(f"no such folder for the page: {target.parent}")
    return target


def _write_page(target: Path, page: str) -> None:
    """`page` written whole to `target` (a temporary file beside it, renamed into place)."""
    import os

    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.write_text(page, encoding="utf-8")
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise StatsError(f"cannot write {target}: {exc.strerror or exc}") from None


# -- search --


class SearchError(Exception):
    """A bad --since or an index that cannot be used, as one line."""


def parse_since(text: str) -> float:
    """``--since``: what `since.parse_since` accepts (a date, a time, a span back from now), local
    time unless it says its zone; seconds since the epoch."""
    from .since import SINCE_HELP
    from .since import parse_since as moment

    try:
        return moment(text).timestamp()
    except ValueError:
        raise SearchError(f"--since wants {SINCE_HELP}, got {text!r}") from None


def search_sessions(
    folder: Path,
    query: str,
    *,
    user: str | None,
    type_: str | None,
    since: str | None,
    limit: int,
    as_json: bool,
    index_path: Path | None = None,
) -> int:
    """``backstage sessions search``: the index brought up to date with `folder`, then asked."""
    import sqlite3
    from datetime import datetime

    from .events import EVENT_TYPES
    from .session.search_index import SearchIndex

    if not query.strip() and not user:
        raise SearchError("give words to search for, or --user NAME (or both)")
    if type_ is not None and type_ not in EVENT_TYPES:
        raise SearchError(f"--type {type_!r} is not an event type ({', '.join(EVENT_TYPES)})")
    since_ts = parse_since(since) if since is not None else None
    try:
        with SearchIndex(index_path) as index:
            logs = log_files(folder)
            refreshed = index.refresh(logs)
            hits = index.search(
                query, user=user, type_=type_, since=since_ts, limit=limit, logs=logs
            )
    except (sqlite3.Error, OSError) as exc:
        where = index_path or "the user data folder"
        raise SearchError(f"cannot use the search index in {where}: {exc}") from None
    for problem in refreshed.problems or []:
        print(f"not indexed: {display(problem, 300)}", file=sys.stderr)
    if as_json:
        json.dump(
            [
                {
                    "log": str(h.log),
                    "session_started": h.started.isoformat(),
                    "title": h.title,
                    "seq": h.seq,
                    "ts": h.ts,
                    "type": h.type,
                    "handle": h.handle,
                    "name": h.name,
                    "snippet": h.snippet,
                }
                for h in hits
            ],
            sys.stdout,
            ensure_ascii=False,
            indent=1,
        )
        print()
        return 0
    for h in hits:
        when = datetime.fromtimestamp(h.ts).strftime("%Y-%m-%d %H:%M:%S")
        session = display(h.title, 40) if h.title else display(h.log.name, 60)
        who = display(h.name, 40) if h.name else ""
        if h.handle:
            who = f"{who} @{display(h.handle, 40)}".strip()
        print(
            f"{when}  {session}  #{h.seq}  {display(h.type, 20)}  "
            f"{who + ': ' if who else ''}{display(h.snippet, 300)}"
        )
    more = " (newest first; --limit N for more)" if len(hits) == limit else " (newest first)"
    print(f"{plural(len(hits), 'hit')}{more if hits else ''}")
    return 0
