"""``search``: the session index at the issue's size: 100 sessions holding 10 million events.

The corpus is built in a temporary folder: one session log is written by the real recorder
(`makelog`, the demo's realistic mix), then copied into 100 logs, each with a header of its own (a
day apart), so the index sees 100 distinct sessions. Then:

- ``search_index_events_per_s``: `SearchIndex.refresh` over the whole folder from an empty index,
  events read per second (every line is read; the ones with text are indexed);
- ``search_query_ms``: the slowest of a set of queries (a common word, a phrase of three words, a
  prefix, a word found nowhere, one viewer's messages, one type, a date), each the median of three
  runs on the warm index, with its hits read back from the logs; ``search_query_p50_ms`` the median;
- ``search_incremental_ms``: a refresh after 1,000 events were appended to the newest log (only
  those are read);
- ``search_command_s``: the real command, ``backstage sessions search``, as a fresh process (start-up,
  the index brought up to date with 100 unchanged logs, the query, the output).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson

from backstage_tui.session import SessionHeader
from backstage_tui.session.search_index import SearchIndex

from . import makelog
from .common import START_TS, Metrics, backstage_command

SIZES = {"full": (100, 100_000), "quick": (10, 100_000), "smoke": (3, 2_000)}
"""(sessions, events per session) for each run mode."""
QUERIES: tuple[tuple[str, dict[str, object]], ...] = (
    ("hi", {}),
    ("rate my setup", {}),
    ("lov*", {}),
    ("zzzqqq", {}),
    ("", {"user": "ash_live"}),
    ("song", {"type_": "question"}),
    ("hello", {"since": START_TS + 500}),  # the copies share their events' times
)


def build_corpus(folder: Path, sessions: int, events: int) -> list[Path]:
    base = folder / "base.jsonl.src"
    asyncio.run(makelog.make_log(events, base))
    data = base.read_bytes()
    header = orjson.loads(data[: data.index(b"\n")])
    body = data[data.index(b"\n") + 1 :]
    paths = []
    for n in range(sessions):
        started = datetime.fromtimestamp(START_TS + n * 86_400, UTC)
        head = SessionHeader.model_validate({**header, "started": started, "title": f"Live {n}"})
        path = folder / f"{started:%Y%m%dT%H%M%SZ}-demo.jsonl"
        with path.open("wb") as f:
            f.write(orjson.dumps(head.model_dump(mode="json")) + b"\n")
            f.write(body)
        paths.append(path)
    base.unlink()
    return paths


def measure(mode: str) -> Metrics:
    sessions, events = SIZES[mode]
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        folder = Path(tmp) / "sessions"
        folder.mkdir()
        paths = build_corpus(folder, sessions, events)
        index = SearchIndex(Path(tmp) / "xdg" / "backstage" / "index.sqlite3")
        started = time.perf_counter()
        result = index.refresh(paths)
        index_s = time.perf_counter() - started
        if result.logs_read != sessions or result.problems:
            raise RuntimeError(f"indexed {result.logs_read} of {sessions}: {result.problems}")
        timings = []
        for query, options in QUERIES:
            runs = []
            for _ in range(3):
                t0 = time.perf_counter()
                hits = index.search(query, **options)  # type: ignore[arg-type]
                runs.append(time.perf_counter() - t0)
            timings.append(statistics.median(runs) * 1000)
            if query == "hi" and (not hits or hits[0].log != paths[-1]):
                raise RuntimeError("the newest session's hits do not come first")
        with paths[-1].open("ab") as f:
            last_seq = events
            for n in range(1, 1001):
                f.write(
                    orjson.dumps(
                        {
                            "type": "comment",
                            "id": f"x{n}",
                            "ts": START_TS + n,
                            "seq": last_seq + n,
                            "user": {"id": "1", "handle": "late", "name": "Late"},
                            "text": f"appended comment {n}",
                        }  # fmt: skip
                    )
                    + b"\n"
                )
        t0 = time.perf_counter()
        grown = index.refresh(paths)
        incremental_ms = (time.perf_counter() - t0) * 1000
        if grown.events_read != 1000 or not index.search("appended", user="late"):
            raise RuntimeError(f"the incremental refresh read {grown.events_read} events")
        size_mb = index.path.stat().st_size / 1e6
        index.close()
        env = dict(os.environ, XDG_DATA_HOME=str(Path(tmp) / "xdg"))
        t0 = time.perf_counter()
        done = subprocess.run(
            [
                *backstage_command(),
                "--sessions-dir",
                str(folder),
                "sessions",
                "search",
                "rate my setup",
            ],  # fmt: skip
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        command_s = time.perf_counter() - t0
        if done.returncode != 0 or "hits" not in done.stdout:
            raise RuntimeError(f"backstage sessions search failed: {done.stderr.strip()}")
    return {
        "search_sessions": float(sessions),
        "search_events": float(result.events_read),
        "search_index_events_per_s": result.events_read / index_s,
        "search_index_s": index_s,
        "search_index_mb": size_mb,
        "search_query_ms": max(timings),
        "search_query_p50_ms": statistics.median(timings),
        "search_incremental_ms": incremental_ms,
        "search_command_s": command_s,
    }
