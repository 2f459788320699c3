"""The `backstage` command.

Imports stay inside the functions: `backstage --version` and a bad flag must answer at once, without
loading Textual, pydantic or the sources. Every expected failure is one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from . import APP_NAME, __version__
from .since import SINCE_HELP, parse_since

if TYPE_CHECKING:
    from .config import Settings
    from .runtime import RuntimeStatus, SessionRuntime
    from .sources.base import Source

EXIT_USAGE = 2
DEFAULT_SOURCE = "demo"


class UsageError(Exception):
    """A problem with what the user asked for; shown as one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse prints the whole usage block; a streamer wants the one line that says what is wrong.
        raise UsageError(f"{message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=APP_NAME,
        description="A keyboard-driven backstage console for TikTok LIVE creators and moderators.",
        epilog=f"Sources: {DEFAULT_SOURCE} (default), jsonl, replay, and any installed plug-in "
        f"('{APP_NAME} sources' lists them). Keys: press ? in the console.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--source",
        action="append",
        metavar="NAME",
        help=f"where chat comes from (default: {DEFAULT_SOURCE}); repeat it for several at once",
    )
    parser.add_argument(
        "--option",
        "-o",
        action="append",
        default=[],
        metavar="[SOURCE.]KEY=VALUE",
        help="a source option, e.g. --option rate=30 (repeatable); with several sources, name "
        "the source: --option demo.rate=30",
    )
    parser.add_argument(
        "--headless",
        action="store_true",
        help="record the live with no screen (a server, a container, a scheduler): progress on "
        "stderr, Ctrl-C or SIGTERM ends it with the log closed",
    )
    parser.add_argument(
        "--progress-every",
        type=_positive_seconds,
        default=None,
        metavar="SECONDS",
        help="with --headless, how often the progress line is printed (default: 5)",
    )
    parser.add_argument(
        "--title",
        default="",
        type=_title,
        metavar="TEXT",
        help="the live's title, kept in the session log and shown in its report",
    )
    parser.add_argument(
        "--tag",
        action="append",
        default=[],
        type=_tag,
        metavar="TAG",
        help="a tag for the live, kept in the log and shown in its report (repeatable)",
    )
    parser.add_argument(
        "--ask",
        action="store_true",
        help="ask for the live's title and tags in a short form before it starts",
    )
    parser.add_argument(
        "--sessions-dir",
        type=Path,
        metavar="DIR",
        help="where session logs go (default: ./sessions if it exists, else the user data folder)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    replay = sub.add_parser("replay", help="show a saved session log in the console")
    replay.add_argument("file", type=Path, metavar="FILE", help="a session log (.jsonl)")
    replay.add_argument(
        "--speed",
        default="1",
        metavar="X",
        help="1 = as recorded, 4 = four times as fast, max = as fast as it can draw",
    )
    sessions = sub.add_parser(
        "sessions",
        help="look at recorded sessions (alone: the list)",
        description="The recorded sessions: with no ACTION, the list (as 'sessions list').",
    )
    sessions.add_argument(
        "--json", action="store_true", help="with no ACTION: the list as JSON, for scripts"
    )
    sessions_sub = sessions.add_subparsers(
        dest="sessions_command", metavar="ACTION", parser_class=_Parser
    )
    show = sessions_sub.add_parser("show", help="sum up one session log")
    show.add_argument("file", type=Path, metavar="FILE", help="a session log (.jsonl)")
    show.add_argument(
        "--full",
        action="store_true",
        help="fold and check every line even when the log ends with a valid summary",
    )
    show.add_argument(
        "--brief",
        action="store_true",
        help="the totals only, without top chatters, gifters, polls and moderation (which read "
        "every line): a cleanly closed log then answers at once",
    )
    search = sessions_sub.add_parser(
        "search",
        help="search every session's messages, newest first (an index in the user data folder, "
        "kept up to date from the logs)",
    )
    search.add_argument(
        "query",
        nargs="?",
        default="",
        metavar="QUERY",
        help="words that must all be in the message (word* matches a prefix); may be left out "
        "with --user",
    )
    search.add_argument("--user", metavar="NAME", help="only what this viewer wrote (@handle)")
    search.add_argument(
        "--type", dest="event_type", metavar="TYPE", help="only this kind of event (comment, ...)"
    )
    search.add_argument(
        "--since", metavar="DATE", help="only from this date on (2026-01-31, local time)"
    )
    search.add_argument(
        "--limit", type=_positive_count, default=50, metavar="N", help="at most N hits (50)"
    )
    search.add_argument("--json", action="store_true", help="the hits as a JSON array")
    repair = sessions_sub.add_parser(
        "repair",
        help="write a clean copy of a damaged session log (torn tail cut, damaged lines to a "
        "side file); the original is never changed",
    )
    repair.add_argument("file", type=Path, metavar="FILE", help="a session log (.jsonl)")
    repair.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="OUT",
        help="the copy (default: FILE with .repaired.jsonl); damaged lines go beside it, "
        "in OUT with .damaged.txt",
    )
    listing = sessions_sub.add_parser(
        "list",
        help="every session, newest first: start, duration, events, peak viewers, size, whether "
        "it closed cleanly, source and title",
    )
    # SUPPRESS: `sessions --json list` keeps the --json given before the action.
    listing.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="one JSON array, for scripts"
    )
    from .export_formats import EXPORT_FORMATS, export_help

    export = sessions_sub.add_parser(
        "export",
        help="a session's events in another format (" + ", ".join(EXPORT_FORMATS) + ")",
        description="Write a session log's events in another format; the log is never changed.",
    )
    export.add_argument("file", type=Path, metavar="FILE", help="a session log (.jsonl)")
    export.add_argument("--format", required=True, choices=list(EXPORT_FORMATS), help=export_help())
    export.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="the file to write (a new one or one to replace; never the log); - or none: stdout",
    )
    stats = sessions_sub.add_parser(
        "stats",
        help="your lives over time: lives a week, duration, peak and average viewers, comments "
        "a minute, new followers, diamonds; per live and by week, with charts",
        description="Your lives over time, per live and by week (Monday to Sunday, your time "
        "zone), as tables and charts; --html for the same as one page.",
    )
    stats.add_argument(
        "--since", type=_since, metavar="DATE", help=f"only lives from: {SINCE_HELP}"
    )
    stats.add_argument("--json", action="store_true", help="one JSON document, for scripts")
    stats.add_argument(
        "--html", action="store_true", help="one self-contained HTML page with the same charts"
    )
    stats.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="with --html: the page to write (- : stdout, the default when it is not a terminal)",
    )
    stats.add_argument(
        "--full",
        action="store_true",
        help="fold every log's events, even where its summary line has the totals (slower; "
        "finds average viewers for logs recorded before the summary kept them)",
    )
    sub.add_parser(
        "sources", help="list the installed sources, their options and what they can forward"
    )
    return parser


def _since(text: str) -> datetime:
    try:
        return parse_since(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive_count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number above 0, got {text!r}")
    return count


def _positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {text!r}")
    return seconds


MAX_TITLE = 200
MAX_TAG = 40


def _title(text: str) -> str:
    if len(text) > MAX_TITLE:
        raise argparse.ArgumentTypeError(f"a title of at most {MAX_TITLE} characters")
    return text.strip()


def _tag(text: str) -> str:
    tag = text.strip()
    if not tag or len(tag) > MAX_TAG:
        raise argparse.ArgumentTypeError(f"a tag of 1 to {MAX_TAG} characters, got {text!r}")
    return tag


def sessions_command(args: argparse.Namespace) -> int:
    from .session import SessionLogError, default_sessions_dir
    from .session.report import SessionReport

    if args.sessions_command in (None, "list"):
        from .sessions_cli import list_sessions

        return list_sessions(args.sessions_dir or default_sessions_dir(), as_json=args.json)
    if args.sessions_command == "export":
        from .sessions_cli import ExportError, export_session

        try:
            return export_session(args.file, args.format, args.output)
        except (SessionLogError, ExportError) as exc:
            raise UsageError(str(exc)) from None
    if args.sessions_command == "repair":
        return repair_command(args.file, args.output)
    if args.sessions_command == "stats":
        from .sessions_cli import StatsError, stats_sessions

        try:
            return stats_sessions(
                args.sessions_dir or default_sessions_dir(),
                since=args.since,
                as_json=args.json,
                html=args.html,
                output=args.output,
                full=args.full,
            )
        except StatsError as exc:
            raise UsageError(str(exc)) from None
    if args.sessions_command == "search":
        from .sessions_cli import SearchError, search_sessions

        try:
            return search_sessions(
                args.sessions_dir or default_sessions_dir(),
                args.query,
                user=args.user,
                type_=args.event_type,
                since=args.since,
                limit=args.limit,
                as_json=args.json,
            )
        except SearchError as exc:
            raise UsageError(str(exc)) from None
    try:
        report = SessionReport.build(args.file, full=args.full)
    except SessionLogError as exc:
        raise UsageError(str(exc)) from None
    *totals, how = report.lines()
    print("\n".join(totals), flush=True)  # at once: the details below may take seconds
    if not args.brief:
        from .sessions_cli import show_details

        try:
            print("\n".join(show_details(args.file)))
        except SessionLogError as exc:  # the log changed between the two readings
            raise UsageError(str(exc)) from None
    print(how)
    return 0


def repair_command(path: Path, out: Path | None) -> int:
    """``backstage sessions repair FILE [-o OUT]``: the clean copy, and what was done to it."""
    from .session import SessionLogError
    from .session.repair import repair

    try:
        result = repair(path, out)
    except SessionLogError as exc:
        raise UsageError(str(exc)) from None
    print(f"clean copy: {_display(str(result.out), 300)} ({result.events:,} events)")
    if result.side is not None:
        cut = " (the torn last line among them)" if result.torn_tail else ""
        print(
            f"damaged:    {result.damaged:,} lines moved to {_display(str(result.side), 300)}{cut}"
        )
    else:
        print("damaged:    none found")
    if result.seq_gaps:
        print(f"missing:    seq jumps {result.seq_gaps:,} times: events lost before this repair")
    if result.unread:
        print(f"unread:     {_display(result.unread, 300)}")
    print(f"original:   {_display(str(path), 300)}, unchanged")
    return 0


def _display(text: str, limit: int) -> str:
    """`text` for a line on the terminal. Viewer text and file contents reach these lines (a
    damaged log's line, a source's error): they go through `display`, like the screen's text."""
    from .safetext import display

    return display(text, limit)


def sources_command() -> int:
    """``backstage sources``: every installed source, its options and capabilities."""
    from .sources.registry import list_sources

    blocks = []
    for listing in list_sources():
        kind = "built-in" if listing.builtin else f"plug-in {listing.target}"
        if listing.error is not None:
            blocks.append(
                f"{_display(listing.name, 60)}  ({_display(kind, 200)})\n"
                f"  not available: {_display(listing.error, 500)}"
            )
            continue
        lines = [f"{_display(listing.name, 60)}  ({_display(kind, 200)})"]
        if listing.description:
            lines[0] += f"  {_display(listing.description, 200)}"
        rows = [
            (_display(o.name, 40), _display(o.type, 40), _default_cell(o.required, o.default))
            for o in listing.options
        ]
        widths = [
            max((len(cell) for cell in column), default=0) for column in zip(*rows, strict=True)
        ]
        for row, opt in zip(rows, listing.options, strict=True):
            cells = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            lines.append(f"  {cells}  {_display(opt.description, 300)}")
        if not rows:
            lines.append("  no options")
        forwards = ", ".join(
            [_display(c.replace("_", " "), 40) for c in listing.capabilities]
            + [
                f"{_display(c.replace('_', ' '), 40)} (with {_display(needs, 80)})"
                for c, needs in listing.capabilities_with_options
            ]
        )
        lines.append(f"  forwards: {forwards or 'nothing (actions stay in the console)'}")
        if not listing.records:
            lines.append("  not recorded")
        blocks.append("\n".join(line.rstrip() for line in lines))
    print("\n\n".join(blocks))
    return 0


def _default_cell(required: bool, default: str) -> str:
    if required:
        return "required"
    return f"default {_display(default, 40)}" if default else "optional"


def _options_by_source(pairs: Sequence[str], names: Sequence[str]) -> dict[str, dict[str, str]]:
    """``--option`` values for each source: ``KEY=VALUE`` with one source, ``SOURCE.KEY=VALUE``
    (which also works with one) when there are several."""
    options: dict[str, dict[str, str]] = {name: {} for name in names}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--option wants KEY=VALUE, got {pair!r}")
        prefix, dot, rest = key.partition(".")
        if dot and prefix in options and rest.strip():
            options[prefix][rest.strip()] = value
        elif len(names) == 1:
            options[names[0]][key] = value
        elif dot:
            raise UsageError(
                f"--option {pair!r} names no source given here (sources: {', '.join(names)})"
            )
        else:
            raise UsageError(
                f"--option {pair!r}: with several sources, say which one, "
                f"e.g. --option {names[0]}.{key}=..."
            )
    return options


def make_sources(args: argparse.Namespace) -> list[Source]:
    """The sources the command line asks for, their options checked; `UsageError` otherwise."""
    from .sources import SourceError, load_source

    try:
        if args.command == "replay":
            cls = load_source("replay")
            return [cls.from_strings({"path": str(args.file), "speed": args.speed})]
        names: list[str] = args.source or [DEFAULT_SOURCE]
        for name in names:
            if names.count(name) > 1:
                raise UsageError(f"source {name!r} is given twice; each source can run once")
        options = _options_by_source(args.option, names)
        return [load_source(name).from_strings(options[name]) for name in names]
    except SourceError as exc:
        raise UsageError(str(exc)) from None


def _needs_terminal(reads_stdin: bool) -> None:
    """The console prints on stdout, Textual draws the screen on stderr, and the keys come from
    stdin (or, when the events come through stdin, from the terminal itself): refuse at once rather
    than write escape codes into a file and leave the terminal blank."""
    stderr = sys.__stderr__
    if not sys.stdout.isatty():
        what = "standard output"
    elif not reads_stdin and not sys.stdin.isatty():
        what = "standard input"
    elif stderr is None or not stderr.isatty():
        what = "standard error (where the screen is drawn)"
    else:
        return
    raise UsageError(
        f"the console needs a terminal and {what} is not one; "
        f"to record without a screen, use {APP_NAME} --headless"
    )


def _check_sessions_dir(folder: Path) -> None:
    """Fail before the screen opens, not after: a console that cannot record must not start."""
    import os

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create sessions folder {folder}: {exc.strerror or exc}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write session logs to {folder}: permission denied")


def _keyboard_from_terminal() -> None:
    """The events come through stdin, so the keys must come from the terminal itself.

    Textual reads keys from file descriptor 0; the jsonl source has already taken its own copy of
    the pipe, so fd 0 can be pointed at the controlling terminal.
    """
    import os

    try:
        tty = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        raise UsageError(
            "reading events from stdin needs a terminal for the keyboard (no /dev/tty here)"
        ) from None
    os.dup2(tty, 0)
    os.close(tty)


def _set_width_policy(settings: Settings) -> None:
    """``display.emoji``: the width policy as set, or (``auto``) what a probe of the terminal shows.
    Before the app starts: the probe talks to the terminal, and every text shown follows it."""
    from rich.cells import cell_len

    from .safetext import set_width_policy
    from .terminal_probe import choose

    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    chosen = choose(settings.display.emoji, cell_len, interactive=interactive)
    set_width_policy(chosen.policy, chosen.reason, keycap_brackets=settings.display.keycap_brackets)


def run_console(
    runtime: SessionRuntime, settings: Settings, warning: str | None, *, ask: bool = False
) -> int:
    from .session import default_sessions_dir
    from .session.search_index import past_sessions_finder
    from .tui.app import BackstageApp

    _set_width_policy(settings)
    # The user card's past sessions: the search index over this console's sessions folder,
    # without the live's own log (its messages are on the card already).
    past = past_sessions_finder(
        runtime.sessions_dir or default_sessions_dir(), None, lambda: runtime.log_path
    )
    app = BackstageApp(
        runtime,
        feed_capacity=settings.feed.capacity,
        fold_activity=not settings.feed.show_activity,
        keymap=settings.keys,
        warning=warning,
        moderation=settings.moderation,
        live=settings.live,
        ask=ask,
        polls=settings.polls,
        past_sessions=past,
    )
    app.run()
    app.write_reports_after_signal()
    return app.return_code or 0


def _report(status: RuntimeStatus) -> None:
    """What the session came to, on the terminal after the screen closed."""
    if status.recording and status.log_path is not None:
        print(
            f"session log: {_display(str(status.log_path), 300)} ({status.events_recorded:,} events)"
        )
        from .reports.files import report_paths

        written = [path for path in report_paths(status.log_path) if path.exists()]
        if written:
            print("report: " + ", ".join(_display(str(path), 300) for path in written))
        if status.log_error or status.events_unwritten:
            why = f": {_display(status.log_error, 300)}" if status.log_error else ""
            print(
                f"{APP_NAME}: the session log is incomplete{why} "
                f"({status.events_unwritten:,} events could not be written)",
                file=sys.stderr,
            )
    if problems := status.source_problems:
        print(
            f"{APP_NAME}: {len(problems):,} damaged lines skipped, first: {_display(problems[0], 300)}",
            file=sys.stderr,
        )
    if status.source_error:
        print(f"{APP_NAME}: {_display(status.source_error, 300)}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        from .config import load_settings

        # A bad config file never stops the console: defaults, and one line saying what was wrong.
        settings, warning = load_settings()
        if warning:
            print(f"{APP_NAME}: {warning}", file=sys.stderr)
        args.sessions_dir = args.sessions_dir or settings.sessions_dir
        if args.command == "sessions":
            return sessions_command(args)
        if args.command == "sources":
            return sources_command()
        if args.headless and args.command == "replay":
            raise UsageError("--headless records a live session; a replay is shown in the console")
        if args.ask and (args.headless or args.command == "replay"):
            raise UsageError(
                "--ask asks in the console before a live starts; give --title and --tag instead"
                if args.headless
                else "--ask is for a live, not a replay"
            )
        if args.progress_every is not None and not args.headless:
            raise UsageError("--progress-every goes with --headless")
        sources = make_sources(args)
        from .runtime import SessionRuntime
        from .session import default_sessions_dir

        sessions_dir = args.sessions_dir
        if any(source.records for source in sources):
            sessions_dir = sessions_dir or default_sessions_dir()
            _check_sessions_dir(sessions_dir)
        reads_stdin = any(source.reads_stdin for source in sources)
        if not args.headless:
            _needs_terminal(reads_stdin)
            if reads_stdin:
                _keyboard_from_terminal()
        from .automod.engine import AutomodEngine

        runtime = SessionRuntime(
            sources=sources,
            sessions_dir=sessions_dir,
            feed_capacity=settings.feed.capacity,
            automod=AutomodEngine(settings.automod),
            title=args.title,
            tags=args.tag,
        )
    except UsageError as exc:
        print(f"{APP_NAME}: error: {_display(str(exc), 500)}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return _reader_gone()
    if args.headless:
        from .headless import PROGRESS_EVERY_S, run_headless

        code = run_headless(runtime, every=args.progress_every or PROGRESS_EVERY_S)
    else:
        code = run_console(runtime, settings, warning, ask=args.ask)
    # OSError: the terminal is gone (its window was closed: SIGHUP). The log was closed before
    # this; nobody is left to read the report.
    with contextlib.suppress(OSError):
        _report(runtime.status())
    return code


def _reader_gone() -> int:
    """The output's reader left early (``backstage sessions show FILE | head``): not an error of
    ours to report. Standard output goes to /dev/null so the interpreter's last flush cannot fail
    again; exit 1, as Python does when a write finds the pipe closed."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
