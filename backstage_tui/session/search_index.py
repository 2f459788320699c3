"""`SearchIndex`: every session's messages in one SQLite FTS5 index, for ``sessions search`` and
the user card's past sessions.

The logs stay the truth; the index is a cache of them in the user data folder, brought up to date
before each search (`refresh`): a log it has not seen is read whole, a log that grew (a live being
recorded) is read from the byte where the last pass stopped, a log that shrank, was rewritten or
whose first line changed is read again from the start, and a log that is gone is dropped. An index
of another schema version (or unreadable) is deleted and rebuilt from the logs.

What is indexed: every event with text (a comment, a question, a console answer, a note, a rule's
decision, a pin made in the app, a poll's question) and gifts (by their name); beside the words,
who wrote it and its type (as words of their own columns), its time and where its line starts in
the log.
Its row id is the session's start (in seconds since 2020, made unique per log) times 2³² plus the
event's line number, so "newest first" is FTS5's own reverse row-id order and a query stops after
the hits it shows, however many match; a log's rows are one row-id range, dropped in one statement.

Reading is fast on purpose (indexing runs at hundreds of thousands of events a second): a line is
decoded only when its bytes hold a text field, rows go in with ``executemany`` in one
transaction per log, and when there is a lot to read (`PARALLEL_MIN_BYTES`) worker processes read
the logs (`search_rows`) while this process only inserts their rows, in the logs' order.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

from .. import APP_NAME
from .collector import collector_paused
from .cores import usable_cores
from .reader import SessionLogError, SessionReader
from .search_rows import DONE, LINE_BITS, ROWS, TEXT_FIELDS, Places, Stretch, Words, read_rows
from .search_workers import RowReaders, WorkerGone

SCHEMA = 3
"""Bumped when the tables change: an index of another version is rebuilt from the logs."""
EPOCH_2020 = 1_577_836_800
PARALLEL_MIN_BYTES = 24 << 20
"""Logs are read by worker processes (one per core, `search_workers.RowReaders`) only when at
least this much is to be read: at 24 MiB (100,000 events, about 0.45 s read here) the workers were
already as fast or faster (measured, docs/performance.md); less (a grown log, a short session) is
read in this process, where nothing has to start."""
MAX_WORKERS = 4
"""This process's inserts set the pace: two workers together used about as much CPU as it did
(docs/performance.md), so more than a few would only wait, each holding its share of rows."""
RANGE_BYTES = 32 << 20
"""A log bigger than this is read by several workers, in stretches of about this size."""


@functools.cache
def _searchable_prefixes() -> frozenset[bytes]:
    """The first four bytes after `search_rows.TYPE_TAG` of every event type with a text field,
    from the models themselves: the one test a line takes before it is decoded."""
    from typing import get_args

    from ..events import Event

    prefixes = set()
    for cls in get_args(get_args(Event)[0]):
        if any(name in cls.model_fields for name in TEXT_FIELDS):
            tag = cls.model_fields["type"].default.encode()
            prefixes.add((tag + b'"')[:4])
    return frozenset(prefixes)


HEAD_BYTES = 1 << 16
"""At most this much of the header line is checked: its CRC tells another log from a grown one."""
DEFAULT_LIMIT = 50
CACHE_KB = 64 * 1024


def default_index_path() -> Path:
    """``index.sqlite3`` in the user data folder (``$XDG_DATA_HOME/backstage`` on Linux)."""
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / "index.sqlite3"


@dataclass(frozen=True)
class Hit:
    """One search result."""

    log: Path
    started: datetime
    title: str
    seq: int
    ts: float
    type: str
    handle: str
    name: str
    snippet: str
    """The text around the match, the words searched for between `MARK_START` and `MARK_END`;
    raw (sanitise before display)."""


@dataclass(frozen=True)
class PastSession:
    """A session a viewer wrote in, for the user card."""

    log: Path
    started: datetime
    title: str
    messages: int
    last_text: str


@dataclass
class RefreshResult:
    logs_read: int = 0
    events_read: int = 0
    rows_added: int = 0
    logs_dropped: int = 0
    problems: list[str] | None = None


MARK_START, MARK_END = "\u00ab", "\u00bb"
"""« and »: around the matched words in a snippet."""


def fts_query(text: str) -> str:
    """A user's words as an FTS5 query that cannot be a syntax error: every word a quoted
    phrase (all must match); a word ending in ``*`` matches as a prefix."""
    parts = []
    for word in text.split():
        prefix = word.endswith("*") and len(word) > 1
        core = word.rstrip("*") if prefix else word
        if not core:
            continue
        quoted = '"' + core.replace('"', '""') + '"'
        parts.append(quoted + "*" if prefix else quoted)
    return " ".join(parts)


class SearchIndex:
    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_index_path()
        self.db = self._open()

    # -- the database --

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db: sqlite3.Connection | None = None
        try:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            if db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA:
                db.close()
                return self._connect()
        except sqlite3.DatabaseError:
            pass
        # Missing (version 0), of another version or not a database: the logs rebuild it.
        if db is not None:
            db.close()
        self._remove_files()
        fresh = self._connect()
        self._create(fresh)
        return fresh

    def _remove_files(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.path}{suffix}")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        # A big page cache: FTS5 merges its segments in place, and a big index pass would
        # otherwise read and write the same pages many times.
        db.execute(f"PRAGMA cache_size=-{CACHE_KB}")
        return db

    @staticmethod
    def _create(db: sqlite3.Connection) -> None:
        # `ev` is contentless: it holds the words, not the texts (half the writes and a third of
        # the size); a hit's text is read back from its log at `hits.off`. `kind` and `who` (the
        # type and the author's handle) are words too, so a filter on them narrows the search
        # inside FTS5 rather than row by row after it (`hits` then checks them exactly). A contentless table
        # cannot forget one log's words, so a log that is gone leaves them behind, unreachable
        # (their row ids are never given again: `retired`), until they outweigh the rest and the
        # index is rebuilt.
        db.executescript(
            f"""
            BEGIN;
            CREATE TABLE logs (
                id INTEGER PRIMARY KEY,
                path TEXT UNIQUE NOT NULL,
                key INTEGER UNIQUE NOT NULL,
                started REAL NOT NULL,
                title TEXT NOT NULL,
                head_crc INTEGER NOT NULL,
                size INTEGER NOT NULL,
                mtime_ns INTEGER NOT NULL,
                offset INTEGER NOT NULL,
                line INTEGER NOT NULL,
                rows INTEGER NOT NULL DEFAULT 0,
                last_ts REAL NOT NULL DEFAULT 0
            );
            CREATE TABLE retired (key INTEGER PRIMARY KEY, rows INTEGER NOT NULL);
            CREATE TABLE hits (
                rowid INTEGER PRIMARY KEY,
                log INTEGER NOT NULL,
                off INTEGER NOT NULL,
                ts REAL NOT NULL,
                type TEXT NOT NULL,
                handle TEXT NOT NULL
            );
            CREATE VIRTUAL TABLE ev USING fts5(
                text, kind, who, content = '', columnsize = 0,
                tokenize = "unicode61 remove_diacritics 2"
            );
            PRAGMA user_version = {SCHEMA};
            COMMIT;
            """
        )

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- keeping it up to date --

    def refresh(self, logs: Iterable[Path]) -> RefreshResult:
        """Bring the index up to date with these logs, and forget logs that no longer exist (one
        index serves every sessions folder; a search names the logs it looks in)."""
        result = RefreshResult(problems=[])
        problems = result.problems
        assert problems is not None
        wanted = {str(Path(p).resolve()): Path(p) for p in logs}
        for path, log_id, key in self.db.execute("SELECT path, id, key FROM logs").fetchall():
            if path not in wanted and not os.path.exists(path):
                self._drop(log_id, key)  # gone from the disk (another folder's logs stay)
                result.logs_dropped += 1
        if result.logs_dropped and self._worth_rebuilding():
            self.rebuild()
        plans: list[_Plan] = []
        for resolved in sorted(wanted):
            try:
                plan = self._plan(Path(resolved), wanted[resolved].name)
            except (OSError, SessionLogError) as exc:
                problems.append(f"{wanted[resolved].name}: {exc}")
                continue
            if plan is not None:
                plans.append(plan)
        workers = _workers()
        if workers > 1 and sum(p.size - p.stretch.offset for p in plans) >= PARALLEL_MIN_BYTES:
            self._read_in_workers(plans, workers, result)
            return result
        for plan in plans:
            try:
                self._read_here(plan, result)
            except (OSError, SessionLogError) as exc:
                problems.append(f"{plan.name}: {exc}")
        return result

    def update_log(self, path: Path, result: RefreshResult | None = None) -> None:
        """Index what `path` holds beyond what the index has of it."""
        plan = self._plan(path.resolve(), path.name)
        if plan is not None:
            self._read_here(plan, result if result is not None else RefreshResult())

    def _plan(self, path: Path, name: str) -> _Plan | None:
        """What is to be read of `path` (resolved), None if nothing; a log new to the index (or
        read again from the start) gets its row in `logs` here."""
        stat = path.stat()
        row = self.db.execute(
            "SELECT id, key, head_crc, size, mtime_ns, offset, line FROM logs WHERE path = ?",
            (str(path),),
        ).fetchone()
        if row is not None:
            log_id, key, head_crc, size, mtime_ns, offset, line = row
            if size == stat.st_size and mtime_ns == stat.st_mtime_ns:
                return None
            if stat.st_size < offset or _head_crc(path) != head_crc:
                self._drop(log_id, key)  # rewritten or cut: read it again
                row = None
        if row is None:
            header = SessionReader(path).header
            assert header is not None
            started = header.started.timestamp()
            key = self._free_key(max(0, int(started) - EPOCH_2020))
            title = header.title if isinstance(getattr(header, "title", ""), str) else ""
            log_id = self.db.execute(
                "INSERT INTO logs (path, key, started, title, head_crc, size, mtime_ns, offset, "
                "line) VALUES (?, ?, ?, ?, ?, 0, 0, 0, 0)",
                (str(path), key, started, title, _head_crc(path)),
            ).lastrowid
            offset, line = 0, 0
        assert log_id is not None
        stretch = Stretch(str(path), log_id, key, offset, line)
        return _Plan(name, stretch, stat.st_size, stat.st_mtime_ns)

    def _read_here(self, plan: _Plan, result: RefreshResult) -> None:
        """Index the complete lines of `plan`'s log after where the index stopped, in this
        process, in one transaction."""
        stretch = plan.stretch
        self.db.execute("BEGIN")
        try:
            with collector_paused():
                for words, places in read_rows(stretch, _searchable_prefixes()):
                    self._insert(words, places)
            self._finish(plan, stretch, result)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def _read_in_workers(self, plans: list[_Plan], workers: int, result: RefreshResult) -> None:
        """Index `plans` with their logs read by `workers` processes a few stretches ahead of the
        inserts, which stay here, in the logs' order, one transaction per log (as
        `_read_here`). If a worker ends unasked, what is not yet indexed is read here."""
        problems = result.problems
        assert problems is not None
        stretches = ((plan, last, s) for plan in plans for last, s in _stretches(plan))
        asked: deque[tuple[_Plan, bool]] = deque()
        settled: set[int] = set()  # logs committed or failed
        reading: _Plan | None = None  # the log whose transaction is open
        done = Stretch("", 0, 0, 0, 0)  # its rows so far
        loads = orjson.loads
        try:
            with collector_paused(), RowReaders(workers, _searchable_prefixes()) as readers:
                while True:
                    while len(asked) < 2 * workers and (item := next(stretches, None)):
                        readers.ask(item[2])
                        asked.append(item[:2])
                    if not asked:
                        break
                    plan, last = asked.popleft()
                    log_id = plan.stretch.log_id
                    for kind, body in readers.answer():
                        if log_id in settled:
                            continue  # the rest of a log that failed
                        if reading is None:
                            self.db.execute("BEGIN")
                            reading, done = plan, Stretch(plan.stretch.path, log_id, 0, 0, 0)
                        if kind == ROWS:
                            words, places = loads(body)
                            self._insert(words, places)
                        elif kind == DONE:
                            done.offset, done.line, events, rows, last_ts = loads(body)
                            done.events += events
                            done.rows += rows
                            done.last_ts = max(done.last_ts, last_ts)
                            if last:
                                self._finish(plan, done, result)
                                self.db.execute("COMMIT")
                                reading = None
                                settled.add(log_id)
                        else:  # FAILED
                            text, is_os_error = loads(body)
                            if not is_os_error:
                                raise RuntimeError(f"{plan.name}: {text}")
                            self.db.execute("ROLLBACK")
                            reading = None
                            settled.add(log_id)
                            problems.append(f"{plan.name}: {text}")
        except WorkerGone:
            if reading is not None:
                self.db.execute("ROLLBACK")
            for plan in plans:
                if plan.stretch.log_id not in settled:
                    try:
                        self._read_here(plan, result)
                    except (OSError, SessionLogError) as exc:
                        problems.append(f"{plan.name}: {exc}")
        except BaseException:
            if reading is not None:
                self.db.execute("ROLLBACK")
            raise

    def _finish(self, plan: _Plan, done: Stretch, result: RefreshResult) -> None:
        """Record how far `plan`'s log is indexed (`done`: where reading stopped, what it saw)."""
        self.db.execute(
            "UPDATE logs SET size = ?, mtime_ns = ?, offset = ?, line = ?, rows = rows + ?, "
            "last_ts = max(last_ts, ?) WHERE id = ?",
            (plan.size, plan.mtime_ns, done.offset, done.line, done.rows, done.last_ts,
             plan.stretch.log_id),
        )  # fmt: skip
        result.logs_read += 1
        result.events_read += done.events
        result.rows_added += done.rows

    def _insert(self, words: Words, places: Places) -> None:
        self.db.executemany("INSERT INTO ev (rowid, text, kind, who) VALUES (?, ?, ?, ?)", words)
        self.db.executemany(
            "INSERT INTO hits (rowid, log, off, ts, type, handle) VALUES (?, ?, ?, ?, ?, ?)",
            places,
        )

    def _drop(self, log_id: int, key: int) -> None:
        """Forget a log: its words stay in `ev`, unreachable, and its key is never given again;
        when such words outnumber the rest, the whole index is rebuilt (`refresh`)."""
        self.db.execute("BEGIN")
        self.db.execute("DELETE FROM hits WHERE log = ?", (log_id,))
        (dropped,) = self.db.execute("SELECT rows FROM logs WHERE id = ?", (log_id,)).fetchone()
        self.db.execute("INSERT OR REPLACE INTO retired VALUES (?, ?)", (key, dropped))
        self.db.execute("DELETE FROM logs WHERE id = ?", (log_id,))
        self.db.execute("COMMIT")

    def _worth_rebuilding(self) -> bool:
        retired = self.db.execute("SELECT coalesce(sum(rows), 0) FROM retired").fetchone()[0]
        live = self.db.execute("SELECT coalesce(sum(rows), 0) FROM logs").fetchone()[0]
        return bool(retired > max(live, 10_000))

    def rebuild(self) -> None:
        """Forget everything: the next `refresh` reads every log again."""
        self.db.close()
        self._remove_files()
        self.db = self._connect()
        self._create(self.db)

    def _free_key(self, key: int) -> int:
        """`key`, or the next one no log has or had (two sessions started in the same second)."""
        taken = {
            k
            for (k,) in self.db.execute(
                "SELECT key FROM logs WHERE key >= ?1 UNION SELECT key FROM retired WHERE key >= ?1",
                (key,),
            )
        }
        while key in taken:
            key += 1
        return key

    # -- asking --

    def search(
        self,
        query: str,
        *,
        user: str | None = None,
        type_: str | None = None,
        since: float | None = None,
        limit: int = DEFAULT_LIMIT,
        logs: Iterable[Path] | None = None,
    ) -> list[Hit]:
        """The newest `limit` events matching every word of `query` (all events of `user` when
        the query is empty), optionally of one type and since a time."""
        words = fts_query(query)
        handle = user.removeprefix("@").casefold() if user else None
        parts = [f"{{text}} : ({words})"] if words else []
        if handle and (who := fts_query(handle)):
            parts.append(f"{{who}} : ({who})")
        if type_ and (kind := fts_query(type_)):
            parts.append(f"{{kind}} : ({kind})")
        if not parts or not (words or handle):
            return []
        sql = (
            "SELECT logs.path, logs.started, logs.title, hits.off FROM ev "
            "JOIN hits ON hits.rowid = ev.rowid JOIN logs ON logs.id = hits.log "
            "WHERE ev MATCH ?"
        )
        params: list[object] = [" AND ".join(parts)]
        if handle:
            sql += " AND hits.handle = ?"
            params.append(handle)
        order = "ev.rowid"
        if logs is not None:
            ids = self._log_ids(logs)
            sql += f" AND hits.log IN ({','.join('?' * len(ids))})"
            params += ids
        if type_:
            sql += " AND hits.type = ?"
            params.append(type_)
        if since is not None:
            # Row ids follow the sessions' starts: sessions whose newest event is older than
            # `since` are skipped as one range rather than looked at hit by hit.
            (first,) = self.db.execute(
                "SELECT min(key) FROM logs WHERE last_ts >= ?", (since,)
            ).fetchone()
            if first is None:
                return []
            sql += " AND ev.rowid >= ? AND hits.ts >= ?"
            params += [first << LINE_BITS, since]
        sql += f" ORDER BY {order} DESC LIMIT ?"
        params.append(limit)
        found = self.db.execute(sql, params).fetchall()
        terms = [w.rstrip("*").casefold() for w in query.split() if w.rstrip("*")]
        hits = []
        for path, started, title, off in found:
            data = _line_at(Path(path), off)
            if data is None:
                continue  # the log changed since it was indexed: the next refresh sees it
            hits.append(_hit(Path(path), started, title, data, terms))
        return hits

    def past_sessions(
        self, handle: str, *, limit: int = 10, logs: Iterable[Path] | None = None
    ) -> list[PastSession]:
        """The sessions `handle` wrote in (among `logs`, if given), newest first, with how many
        messages and the last."""
        handle = handle.removeprefix("@").casefold()
        who = fts_query(handle)
        if not who:
            return []
        among = ""
        params: list[object] = [f"{{who}} : ({who})", handle]
        if logs is not None:
            ids = self._log_ids(logs)
            among = f" AND hits.log IN ({','.join('?' * len(ids))})"
            params += ids
        params.append(limit)
        sql = (
            "SELECT logs.path, logs.started, logs.title, count(*), max(hits.rowid) FROM ev "
            "JOIN hits ON hits.rowid = ev.rowid JOIN logs ON logs.id = hits.log "
            f"WHERE ev MATCH ? AND hits.handle = ?{among} "
            "GROUP BY hits.log ORDER BY logs.started DESC LIMIT ?"
        )
        out = []
        for path, started, title, count, last in self.db.execute(sql, params).fetchall():
            off = self.db.execute("SELECT off FROM hits WHERE rowid = ?", (last,)).fetchone()
            data = _line_at(Path(path), off[0]) if off else None
            text = _text_of(data) if data else ""
            out.append(
                PastSession(Path(path), datetime.fromtimestamp(started, UTC), title, count, text)
            )
        return out

    def _log_ids(self, logs: Iterable[Path]) -> list[int]:
        paths = [str(Path(p).resolve()) for p in logs]
        found: list[int] = []
        for start in range(0, len(paths), 500):  # SQLite's limit on bound parameters
            part = paths[start : start + 500]
            found += [
                i
                for (i,) in self.db.execute(
                    f"SELECT id FROM logs WHERE path IN ({','.join('?' * len(part))})", part
                )
            ]
        return found

    def counts(self) -> tuple[int, int]:
        """(logs, searchable events) in the index."""
        logs = self.db.execute("SELECT count(*) FROM logs").fetchone()[0]
        rows = self.db.execute("SELECT count(*) FROM hits").fetchone()[0]
        return int(logs), int(rows)


def _line_at(path: Path, offset: int) -> dict[str, object] | None:
    """The event line that starts at byte `offset` of `path`, decoded; None if it is not one."""
    try:
        with path.open("rb") as f:
            f.seek(offset)
            data = orjson.loads(f.readline(1 << 23))
    except (OSError, orjson.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _text_of(data: dict[str, object]) -> str:
    text = data.get("text") or data.get("gift_name") or data.get("question")
    return text if isinstance(text, str) else ""


SNIPPET_CHARS = 100


def snippet(text: str, terms: list[str], width: int = SNIPPET_CHARS) -> str:
    """About `width` characters of `text` around the first of `terms` found, every term found
    marked «like this» (raw text: sanitise before display)."""
    folded = text.casefold()
    if len(folded) != len(text):  # a fold that changes lengths (ß): no marks, just the start
        return text[:width] + ("\u2026" if len(text) > width else "")
    spans = []
    for term in terms:
        start = folded.find(term)
        while term and start >= 0:
            spans.append((start, start + len(term)))
            start = folded.find(term, start + len(term))
    spans.sort()
    first = spans[0][0] if spans else 0
    lo = max(0, min(first - width // 3, len(text) - width))
    hi = min(len(text), lo + width)
    out, at = [], lo
    for a, b in spans:
        if a < at or b > hi:
            continue
        out += [text[at:a], MARK_START, text[a:b], MARK_END]
        at = b
    out.append(text[at:hi])
    return ("\u2026" if lo > 0 else "") + "".join(out) + ("\u2026" if hi < len(text) else "")


def _hit(path: Path, started: float, title: str, data: dict[str, object], terms: list[str]) -> Hit:
    user = data.get("user")
    handle = name = ""
    if isinstance(user, dict):
        handle = str(user.get("handle") or "")
        name = str(user.get("name") or "")
    seq, ts = data.get("seq"), data.get("ts")
    return Hit(
        log=path,
        started=datetime.fromtimestamp(started, UTC),
        title=title,
        seq=seq if isinstance(seq, int) else 0,
        ts=float(ts) if isinstance(ts, int | float) else 0.0,
        type=str(data.get("type") or ""),
        handle=handle,
        name=name,
        snippet=snippet(_text_of(data), terms),
    )


def _head_crc(path: Path) -> int:
    """CRC-32 of the header line: a log whose header changed is another log."""
    with path.open("rb") as f:
        return zlib.crc32(f.readline(HEAD_BYTES))


def past_sessions_finder(
    folder: Path, index_path: Path | None, live_log: Callable[[], Path | None]
) -> Callable[[str], list[PastSession]]:
    """What the user card calls (in a worker thread) for a viewer's past sessions: the index
    brought up to date with `folder`'s logs, the live one left out (`live_log`, asked each
    time: the log is named once the session starts), then asked."""
    from .catalog import log_files

    def find(handle: str) -> list[PastSession]:
        live = live_log()
        logs = [p for p in log_files(folder) if live is None or p.resolve() != live.resolve()]
        with SearchIndex(index_path) as index:
            index.refresh(logs)
            return index.past_sessions(handle, logs=logs)

    return find


@dataclass
class _Plan:
    """A log to index: its name for messages, where reading starts, its size and time then."""

    name: str
    stretch: Stretch
    size: int
    mtime_ns: int


def _workers() -> int:
    """One worker process per core this process may use, at most `MAX_WORKERS`."""
    return min(usable_cores(), MAX_WORKERS)


def _stretches(plan: _Plan) -> Iterator[tuple[bool, Stretch]]:
    """`plan`'s log cut into stretches of about `RANGE_BYTES`, each starting at a line (whose
    number is counted here, so every worker numbers its rows as one reader would), with whether
    it is the last; the last one reads to the end of the file."""
    start = plan.stretch
    offset, line = start.offset, start.line
    try:
        with open(start.path, "rb") as f:
            f.seek(offset)
            while plan.size - offset > RANGE_BYTES + RANGE_BYTES // 2:
                data = f.read(RANGE_BYTES)
                rest = f.readline(HEAD_BYTES)
                if len(data) < RANGE_BYTES or not rest.endswith(b"\n"):
                    break  # the file changed, or a very long line: the rest in one stretch
                end = offset + len(data) + len(rest)
                yield False, Stretch(start.path, start.log_id, start.key, offset, line, end)
                offset, line = end, line + data.count(b"\n") + 1
                f.seek(offset)
    except OSError:
        pass  # the worker meets it too and reports it
    yield True, Stretch(start.path, start.log_id, start.key, offset, line)
