"""`show_1m_s` beside `raw_decode_1m_s`: reading a big session log back.

- ``show_1m_s``: the real command, ``backstage sessions show FILE``, run as a fresh process and timed
  from start to exit (interpreter start-up and imports included). It reads the log with
  `SessionReader` (every line validated into an event) and folds it through the same reducers as the
  live console (`SessionReport.build`).
- ``show_fold_1m_s``: the same reading and folding in this process, without the start-up.
- ``raw_decode_1m_s``: the floor: the same file split into lines and each line given to
  ``orjson.loads``, nothing kept, nothing validated.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import orjson

from backstage_tui.session.report import SessionReport

from .common import Metrics, backstage_command, median


def raw_decode(path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    count = 0
    loads = orjson.loads
    with path.open("rb") as f:
        for line in f:  # a binary file splits on b"\n" only
            loads(line)
            count += 1
    return time.perf_counter() - started, count - 1  # the header is not an event


def show_command(path: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [*backstage_command(), "sessions", "show", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    spent = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"backstage sessions show failed: {done.stderr.strip()}")
    return spent


def fold(path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    report = SessionReport.build(path)
    return time.perf_counter() - started, report.state.stats.events


def measure(path: Path, runs: int = 1) -> Metrics:
    raw = [raw_decode(path) for _ in range(runs)]
    folded = [fold(path) for _ in range(runs)]
    shown = [show_command(path) for _ in range(runs)]
    events = folded[0][1]
    if events != raw[0][1]:
        raise RuntimeError(f"the reader found {events} events, the file has {raw[0][1]} lines")
    raw_s = median([t for t, _ in raw])
    show_s = median(shown)
    return {
        "show_1m_s": show_s,
        "show_fold_1m_s": median([t for t, _ in folded]),
        "raw_decode_1m_s": raw_s,
        "show_vs_raw": show_s / raw_s,
        "show_events": float(events),
        "show_file_mb": path.stat().st_size / 1e6,
    }
