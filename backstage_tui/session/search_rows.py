"""Reading a session log's searchable rows: the part of indexing that is plain Python over bytes.

`SearchIndex` (search_index.py) calls `read_rows` in its own process for a few megabytes. When
there is a lot to read, it runs this file as a script in worker processes, one per core
(``python -P search_rows.py``, see `serve`): a worker reads stretches of logs and streams back their
rows as compact JSON (`orjson`, both ways in C), and the parent only inserts them (FTS5 splits the
words inside the insert, in C, in the parent).

So that a worker starts in a few hundredths of a second, this file imports nothing but the
standard library and `orjson`: not the package (whose models take 0.4 s to import), and not the
app's main module (which is what `multiprocessing` would import in every worker).

A row id is ``(log key << LINE_BITS) | line number``, computed from the line numbers alone, so the
rows are the same whichever process read them and whatever the order the workers finished in.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import orjson

LINE_BITS = 32
"""A row id is ``(log key << LINE_BITS) | line number``."""
MAX_LINE = (1 << LINE_BITS) - 1
CHUNK = 1 << 20
BATCH = 20_000
"""Rows per ``executemany``."""
WORKER_BATCH = 5_000
"""Rows per message from a worker: small, so that the inserts start soon after the workers and
end soon after them."""
TEXT_FIELDS = ("text", "gift_name", "question")
"""The fields an event is searched by, the first one it has."""
TYPE_TAG = b'"type":"'
"""How a line's type starts; JSON escapes every quote inside a string, so these bytes cannot come
from inside a viewer's text."""

Words = list[tuple[int, str, str, str]]
"""Rows of the FTS5 table: (row id, text, type, handle)."""
Places = list[tuple[int, int, int, float, str, str]]
"""Rows of `hits`: (row id, log id, byte offset of the line, time, type, handle casefolded)."""


@dataclass
class Stretch:
    """Where reading a log starts and, after `read_rows`, where it stopped and what it saw."""

    path: str
    log_id: int
    key: int
    offset: int
    """Byte where the next line starts."""
    line: int
    """Number of the line before `offset` (0 at the start of the log: the header is line 1)."""
    end: int | None = None
    """Stop at this byte (the start of a line) rather than at the end of the file."""
    events: int = 0
    rows: int = 0
    last_ts: float = 0.0


def read_rows(
    stretch: Stretch, prefixes: frozenset[bytes], batch: int = BATCH
) -> Iterator[tuple[Words, Places]]:
    """The rows of the complete lines of `stretch`, in batches of at most `batch`; `stretch` is
    moved past them (after the last newline read) and counts them. A line is decoded only when
    the first bytes of its type are one of `prefixes` (the types with a text field)."""
    base = stretch.key << LINE_BITS
    log_id = stretch.log_id
    offset, line = stretch.offset, stretch.line
    loads = orjson.loads
    tag = TYPE_TAG
    words: Words = []
    places: Places = []
    events = 0
    last_ts = 0.0
    rest = b""  # the partial last line of a chunk (as `lines.LineSplitter`, without its limit)
    left = -1 if stretch.end is None else stretch.end - offset
    with open(stretch.path, "rb") as f:
        f.seek(offset)
        while left and (chunk := f.read(CHUNK if left < 0 else min(CHUNK, left))):
            left -= len(chunk) if left > 0 else 0
            lines = chunk.split(b"\n")
            lines[0] = rest + lines[0]
            rest = lines.pop()
            for raw in lines:
                start = offset
                offset += len(raw) + 1
                line += 1
                if line == 1 or line > MAX_LINE:
                    continue  # the header
                events += 1
                at = raw.rfind(tag) + 8
                if raw[at : at + 4] not in prefixes:
                    continue
                try:
                    found = _fields(loads(raw))
                except orjson.JSONDecodeError:
                    continue
                if found is None:
                    continue
                text, kind, ts, handle = found
                rowid = base | line
                if ts > last_ts:
                    last_ts = ts
                words.append((rowid, text, kind, handle))
                places.append((rowid, log_id, start, ts, kind, handle.casefold()))
                if len(words) >= batch:
                    stretch.rows += len(words)
                    yield words, places
                    words, places = [], []
    stretch.offset, stretch.line = offset, line
    stretch.events += events
    stretch.last_ts = max(stretch.last_ts, float(last_ts))
    if words:
        stretch.rows += len(words)
        yield words, places


def _fields(data: object) -> tuple[str, str, float, str] | None:
    """(text, type, ts, handle) of any decoded event line, or None when it has nothing to index."""
    if type(data) is not dict:
        return None
    text = data.get("text") or data.get("gift_name") or data.get("question")
    user = data.get("user")
    handle = user.get("handle", "") if type(user) is dict else ""
    ts, kind = data.get("ts"), data.get("type")
    if type(text) is not str or type(handle) is not str or type(kind) is not str:
        return None
    if type(ts) is not float and type(ts) is not int:
        return None
    return text, kind, float(ts), handle


# -- the worker's side of the pipe --
#
# In: one JSON line per stretch, [path, log id, key, offset, line, end, [prefix, ...]] (the
# prefixes as latin-1 strings). Out, per stretch: messages of a 1-byte kind and a 4-byte length,
# then the body: ROWS (``orjson.dumps([words, places])``, as many as there are batches), then DONE
# ([offset, line, events, rows, last_ts]) or FAILED ([message, whether it is an OSError]).

ROWS, DONE, FAILED = b"R", b"D", b"F"
HEAD_LEN = 5


def task(stretch: Stretch, prefixes: frozenset[bytes]) -> bytes:
    """The line that asks a worker to read `stretch`."""
    order = [stretch.path, stretch.log_id, stretch.key, stretch.offset, stretch.line, stretch.end]
    order.append([p.decode("latin-1") for p in sorted(prefixes)])
    return orjson.dumps(order) + b"\n"


def message(kind: bytes, body: bytes) -> bytes:
    return kind + len(body).to_bytes(4, "big") + body


def serve() -> None:
    """A worker: read the stretches asked on stdin, answer on stdout, until stdin closes."""
    gc.disable()  # millions of short-lived rows, no cycles: reference counting frees them
    out = sys.stdout.buffer
    for order in sys.stdin.buffer:
        path, log_id, key, offset, line, end, tags = orjson.loads(order)
        stretch = Stretch(path, log_id, key, offset, line, end)
        prefixes = frozenset(t.encode("latin-1") for t in tags)
        try:
            for words, places in read_rows(stretch, prefixes, WORKER_BATCH):
                out.write(message(ROWS, orjson.dumps([words, places])))
                out.flush()
        except Exception as exc:  # reported to the parent, which says which log
            failure = [str(exc), isinstance(exc, OSError)]
            out.write(message(FAILED, orjson.dumps(failure)))
        else:
            done = [stretch.offset, stretch.line, stretch.events, stretch.rows, stretch.last_ts]
            out.write(message(DONE, orjson.dumps(done)))
        out.flush()


if __name__ == "__main__":
    serve()
