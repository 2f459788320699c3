"""A session log's events in formats other programs read: CSV (a spreadsheet) and plain JSON.

Both stream: a line in, a row out, so a million-event log exports in bounded memory. Lines are
decoded with orjson and recognised by their ``type`` tag rather than validated into models (a
million validations would cost more than the whole export); a line that is not JSON, not an
object or of no known type is reported and skipped, as the session reader reports it, and a torn
last line goes through the reader's own judgement. The summary line is not an event and is left out.

A big log is exported on every core (`_parallel_csv`): the file is cut at line ends into slices
that worker processes turn into CSV text, written in file order. A slice holding anything but clean
event lines (a damaged line, a torn tail) hands the rest of the file to the one-process path, so
what is skipped and reported stays exactly that path's.

CSV has one column set for every row, the union of every event type's fields in the models' order
(`CSV_COLUMNS`), with the viewer's fields flattened into ``user_id``, ``user_handle``,
``user_name``, ``user_roles`` and ``user_badges``; a field an event does not have is an empty cell.
Lists and objects (a poll's options, an automod decision's other rules) are written as JSON text.
A cell a viewer wrote that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading ``'``: a spreadsheet would otherwise run it as a formula (CSV injection). The JSON export
keeps every text exactly.
"""

from __future__ import annotations

import csv
import io
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TextIO, get_args, get_origin

import orjson

from ..events import EVENT_TYPES, Event
from .collector import collector_paused
from .cores import usable_cores
from .lines import MAX_LINE, CutLine
from .reader import Problem, SessionReader
from .summary import SUMMARY_TAG

USER_FIELDS = ("id", "handle", "name", "roles", "badges")
"""The viewer's fields, flattened into ``user_<field>`` columns."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""How a spreadsheet formula can start: such a text cell is written with a leading ``'``."""


def _event_fields() -> list[str]:
    """Every event type's fields, each once, in the models' own order."""
    names: dict[str, None] = {}
    for cls in get_args(get_args(Event)[0]):
        for name in cls.model_fields:
            names[name] = None
    return list(names)


LEAD = ("type", "id", "source", "platform")
"""The fields every row starts with (after ``seq``, ``time`` and ``ts``)."""
_PLAIN = [*LEAD, *(n for n in _event_fields() if n not in {"seq", "ts", "user", *LEAD})]
CSV_COLUMNS: tuple[str, ...] = ("seq", "time", "ts", *_PLAIN, *(f"user_{n}" for n in USER_FIELDS))
"""The CSV's header row: ``time`` is ``ts`` as an ISO 8601 UTC time, for people and spreadsheets."""


@dataclass
class ExportResult:
    events: int = 0
    problems: list[Problem] = field(default_factory=list)
    """The first damaged lines (the reader keeps a bounded number)."""
    damaged: int = 0
    """Every damaged line, counted."""


def event_dicts(
    reader: SessionReader, problems: list[Problem], start: tuple[int, int] | None = None
) -> Iterator[dict[str, Any]]:
    """Every event line of the log as the dict its JSON holds, in file order. Every other line
    goes to the reader's own judgement (`SessionReader.judge_line`: a torn tail, an over-long
    line, a corrupt one are reported, the summary and blank lines passed over), so an export
    skips and reports exactly what `sessions show` does; the reader's problems end up in
    `problems`. `start`: (byte offset, its line number) to begin at a line other than the first."""
    known = frozenset(EVENT_TYPES)
    loads = orjson.loads
    judge = reader.judge_line
    for number, line, unterminated in reader.lines(start):
        if unterminated or type(line) is CutLine:
            judge(number, line, unterminated)
            continue
        try:
            data = loads(line)
        except orjson.JSONDecodeError:
            judge(number, line, False)
            continue
        if type(data) is dict and data.get("type") in known:
            reader.readable()
            yield data
        else:
            judge(number, line, False)
    problems.extend(reader.problems)


FORMULA_FIRST = frozenset(FORMULA_STARTS)


def _cell(value: Any) -> Any:
    """Any field's value as a CSV cell: text guarded against formulas, lists and objects as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value[:1] in FORMULA_FIRST else value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):  # noqa: UP038 - a tuple is faster than a union here
        return orjson.dumps(value).decode()
    return value


def _time_cells() -> Callable[[Any], str]:
    """A function of ``ts`` to the ``time`` and ``ts`` cells, comma-joined: ISO 8601 UTC to the
    millisecond (cut, not rounded) and the number as the log has it.

    The number is written once and the milliseconds are read from its digits; the date and time of
    day are formatted once a second (events come in time order). A million events make these few
    calls count."""
    whole_seen = ""
    prefix = ""

    def cells(ts: Any) -> str:
        nonlocal whole_seen, prefix
        if type(ts) not in (int, float) or not 0 <= ts < 253402300800:  # up to year 9999
            return "," + _field(ts)
        text = str(ts)
        whole, _, frac = text.partition(".")
        if whole != whole_seen:
            if not whole.isdigit():  # 1e+16 and such: no digits to read
                return "," + text
            whole_seen = whole
            prefix = datetime.fromtimestamp(int(whole), UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        return prefix + (frac + "000")[:3] + "Z," + text

    return cells


LineBuilder = Callable[[dict[str, Any]], str]


def _kind(annotation: Any) -> str:
    """The one test a field's value needs before it goes into a cell as it is."""
    if annotation is str or get_origin(annotation) is Literal:
        return "str"
    if annotation in (int, float):
        return "num"
    if annotation is bool:
        return "bool"
    if get_origin(annotation) is tuple:
        return "list"
    return "other"


# Each cell's expression in a generated line builder: a text is always quoted (its quotes doubled),
# a number written as Python writes it (as the csv module does); anything else, or a text that
# needs the formula guard, goes through `field`.
_EXPR = {
    "str": """('"' + v.replace('"', '""') + '"' if type(v := {get}) is str and v[:1] not in R """
    """else field(v))""",
    "num": "(str(v) if type(v := {get}) in NUM else field(v))",
    "bool": "(('true' if v else 'false') if type(v := {get}) is bool else field(v))",
    "list": """('"' + dumps(v).decode().replace('"', '""') + '"' if type(v := {get}) is list """
    """else field(v))""",
    "other": "field({get})",
}


def _field(value: Any) -> str:
    """Any value as one CSV field: `_cell`'s form, quoted when it is text."""
    cell = _cell(value)
    if isinstance(cell, str):
        return '"' + cell.replace('"', '""') + '"' if cell else ""
    return str(cell)


def _line_builder(cls: Any, stamp: Callable[[Any], str]) -> LineBuilder:
    """A function that makes the CSV line of one event type in one expression.

    Written as source from the model's own field names (identifiers of this package, never data),
    so a line costs one call and a join instead of a loop over its cells and the csv module's
    per-cell checks: the export of a million events is mostly this. A line missing a field (a
    hand-written log) raises `KeyError`, and the caller writes that row the general way.
    """
    fields = cls.model_fields
    cells = []
    for column in CSV_COLUMNS:
        if column == "time":
            cells.append('stamp(d["ts"])')  # the ts column too: see `_time_cells`
        elif column == "ts":
            continue
        elif column.startswith("user_") and "user" in fields:
            name = column.removeprefix("user_")
            kind = "str" if name in ("id", "handle", "name") else "list"
            cells.append(_EXPR[kind].format(get=f"u[{name!r}]"))
        elif column in fields:
            cells.append(_EXPR[_kind(fields[column].annotation)].format(get=f"d[{column!r}]"))
        else:
            cells.append('""')
    user = '    u = d["user"]\n' if "user" in fields else ""
    source = f"def build(d):\n{user}    return ','.join(({', '.join(cells)},))\n"
    scope: dict[str, Any] = {
        "stamp": stamp,
        "field": _field,
        "dumps": orjson.dumps,
        "R": FORMULA_FIRST,
        "NUM": (int, float),
    }
    exec(compile(source, f"<csv line of {cls.__name__}>", "exec"), scope)  # noqa: S102
    builder: LineBuilder = scope["build"]
    return builder


def _any_row(data: dict[str, Any], stamp: Callable[[Any], str]) -> list[Any]:
    """The CSV row of any event dict, field by field (fields missing, extra or of odd types)."""
    row: list[Any] = [""] * len(CSV_COLUMNS)
    for key, value in data.items():
        if key in _WHERE and key != "time":
            row[_WHERE[key]] = _cell(value)
    user = data.get("user")
    if isinstance(user, dict):
        for name in USER_FIELDS:
            row[_WHERE[f"user_{name}"]] = _cell(user.get(name))
    time, _, _ = stamp(data.get("ts")).partition(",")
    row[_WHERE["time"]] = time
    return row


_WHERE = {name: i for i, name in enumerate(CSV_COLUMNS)}
_BATCH = 256
"""Lines joined into one write."""


def _builders(stamp: Callable[[Any], str]) -> dict[str, LineBuilder]:
    """A line builder for each event type."""
    return {
        cls.model_fields["type"].default: _line_builder(cls, stamp)
        for cls in get_args(get_args(Event)[0])
    }


def export_csv(reader: SessionReader, out: TextIO) -> ExportResult:
    """Write the log's events to `out` (opened with ``newline=""``) as CSV with a header row,
    lines ending in CRLF (RFC 4180); on every core when the log is big (`_parallel_csv`)."""
    result = ExportResult()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    with collector_paused():
        start = _parallel_csv(reader.path, out, result)
        if start is not None:
            _serial_csv(reader, out, result, start)
    result.damaged = reader.damaged
    return result


def _csv_line(
    data: dict[str, Any], builders: dict[str, LineBuilder], stamp: Callable[[Any], str]
) -> str:
    """One event's CSV line, without its line end: its type's line builder, or for an event the
    builder refuses (a field missing or of another type) the general way, `_any_row` through the
    csv module."""
    try:
        return builders[data["type"]](data)
    except (KeyError, TypeError, AttributeError):
        # With its usual line end: the csv module quotes a cell holding a line break only when
        # the break is part of the line terminator.
        line = io.StringIO()
        csv.writer(line, lineterminator="\r\n").writerow(_any_row(data, stamp))
        return line.getvalue().removesuffix("\r\n")


def _serial_csv(
    reader: SessionReader, out: TextIO, result: ExportResult, start: tuple[int, int]
) -> None:
    """The rows of the log from `start` (byte offset, number of the line before it; (0, 0): from
    the top), in this process."""
    stamp = _time_cells()
    builders = _builders(stamp)
    lines: list[str] = []
    for data in event_dicts(reader, result.problems, start):
        lines.append(_csv_line(data, builders, stamp))
        result.events += 1
        if len(lines) >= _BATCH:
            out.write("\r\n".join(lines) + "\r\n")
            lines.clear()
    if lines:
        out.write("\r\n".join(lines) + "\r\n")


# --- on every core ---------------------------------------------------------------------------

PARALLEL_MIN_BYTES = 32 << 20
"""A log smaller than this is exported in one process: starting workers would cost more than they
save (a three-hour live of a million events is about 250 MB)."""
SLICE_BYTES = 8 << 20
"""Each worker's share at a time: big enough that handing it over is cheap, small enough that
every core stays busy to the end and memory stays bounded."""


def _workers() -> int:
    """Worker processes for a big export: one per core, none on one core, nor when this process
    runs threads (a forked child would inherit their locks in whatever state they were)."""
    if threading.active_count() > 1 or "fork" not in _start_methods():
        return 0
    cores = usable_cores()
    return min(cores, 8) if cores > 1 else 0


def _start_methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()


def _slices(path: Path, size: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each slice after the header line, cut just after a newline; the last ends
    at the end of the file."""
    with open(path, "rb") as f:
        header = f.readline(MAX_LINE)
        start = len(header)
        while start < size:
            end = min(size, start + SLICE_BYTES)
            if end < size:
                f.seek(end)
                rest = f.readline(MAX_LINE)
                end += len(rest)
            yield start, end
            start = end


def _parallel_csv(path: Path, out: TextIO, result: ExportResult) -> tuple[int, int] | None:
    """Export the log on every core, slice by slice in file order. Returns None when done, else
    where the one-process path goes on from: (byte offset, number of the line before it) of the
    first slice holding anything but clean event lines, or (0, 0), the top, for a small log or a
    machine of one core (nothing exported here)."""
    workers = _workers()
    size = os.path.getsize(path)
    if workers == 0 or size < PARALLEL_MIN_BYTES:
        return (0, 0)
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    write = _byte_writer(out)
    number = 1  # the header's
    pending: deque[tuple[int, Future[tuple[bytes, int, int] | None]]] = deque()
    slices = _slices(path, size)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        try:
            while True:
                while len(pending) < workers * 2:
                    piece = next(slices, None)
                    if piece is None:
                        break
                    start, end = piece
                    pending.append((start, pool.submit(_csv_slice, str(path), start, end)))
                if not pending:
                    return None
                start, future = pending.popleft()
                done = future.result()
                if done is None:
                    return (start, number)
                data, events, lines = done
                write(data)
                result.events += events
                number += lines
        finally:
            for _, future in pending:
                future.cancel()


def _byte_writer(out: TextIO) -> Callable[[bytes], object]:
    """Writes UTF-8 CSV text to `out`: straight to its binary buffer when it has one in UTF-8."""
    buffer = getattr(out, "buffer", None)
    encoding = (getattr(out, "encoding", None) or "").lower().replace("-", "")
    if buffer is not None and encoding == "utf8":
        out.flush()
        write: Callable[[bytes], object] = buffer.write
        return write
    return lambda data: out.write(data.decode("utf-8"))


_slice_stamp = _time_cells()
_slice_builders: dict[str, LineBuilder] = {}
"""A worker's line builders, made once per worker process."""


def _csv_slice(path: str, start: int, end: int) -> tuple[bytes, int, int] | None:
    """In a worker: the CSV text of the lines in [start, end), with the events and lines counted;
    None when one of them is not an event line (damaged, cut, torn): the one-process path then
    judges and reports it."""
    if not _slice_builders:
        _slice_builders.update(_builders(_slice_stamp))
    builders = _slice_builders
    known = frozenset(EVENT_TYPES)
    loads = orjson.loads
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read(end - start)
    lines = data.split(b"\n")
    if lines[-1]:
        return None  # the file's torn last line (no newline): the reader's to judge
    lines.pop()
    rows: list[str] = []
    events = 0
    for line in lines:
        if not line or line.startswith(SUMMARY_TAG):
            continue  # passed over quietly, as the reader does
        if len(line) > MAX_LINE:
            return None
        try:
            item = loads(line)
        except orjson.JSONDecodeError:
            return None
        if type(item) is not dict or item.get("type") not in known:
            return None
        rows.append(_csv_line(item, builders, _slice_stamp))
        events += 1
    text = "\r\n".join(rows) + "\r\n" if rows else ""
    return text.encode("utf-8"), events, len(lines)


def export_json(reader: SessionReader, out: TextIO) -> ExportResult:
    """Write one JSON object: ``{"header": {...}, "events": [...]}``, an event a line inside the
    array (so a big export stays readable by line-oriented tools), texts exactly as recorded."""
    assert reader.header is not None
    result = ExportResult()
    dumps: Callable[[Any], bytes] = orjson.dumps
    out.write('{"header":')
    out.write(dumps(reader.header.model_dump(mode="json")).decode())
    out.write(',\n"events":[')
    separator = "\n"
    with collector_paused():
        for data in event_dicts(reader, result.problems):
            out.write(separator)
            out.write(dumps(data).decode())
            separator = ",\n"
            result.events += 1
    out.write("\n]}\n")
    result.damaged = reader.damaged
    return result
