"""`show_1m_s` beside `raw_decode_1m_s`: reading a big session log back.

- ``show_1m_s``: the real command, ``backstage sessions show --brief FILE`` (the totals), run as a fresh process and timed
  from start to exit (interpreter start-up and imports included). On a log that closed cleanly (as
  `make-log` writes it) it reads the summary line and checks the CRC-32 of every byte before it;
  ``show_summary_used`` says whether it did (1) or had to fold the log (0).
- ``show_full_1m_s``: ``backstage sessions show --full FILE``: every line read with `SessionReader`
  (validated into an event) and folded through the live console's reducers, what ``show`` does for a
  log without a true summary (a crash, damage).
- ``show_fold_1m_s``: that reading and folding in this process, without the start-up.
- ``show_details_1m_s``: plain ``backstage sessions show FILE``: the totals, then top chatters,
  gifters, polls and moderation by effect, which fold every line through the end-of-live report.
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


def show_command(path: Path, *flags: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [*backstage_command(), "sessions", "show", *flags, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    spent = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"backstage sessions show failed: {done.stderr.strip()}")
    return spent, done.stdout


def fold(path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    report = SessionReport.build(path, full=True)
    return time.perf_counter() - started, report.totals.events


def measure(path: Path, runs: int = 1) -> Metrics:
    raw = [raw_decode(path) for _ in range(runs)]
    folded = [fold(path) for _ in range(runs)]
    shown = [show_command(path, "--brief") for _ in range(runs)]
    full = [show_command(path, "--brief", "--full") for _ in range(runs)]
    detailed = [show_command(path) for _ in range(runs)]
    events = folded[0][1]
    # A summary line is not an event: the file has one line more than the reader's events.
    lines = raw[0][1]
    if events not in (lines, lines - 1):
        raise RuntimeError(f"the reader found {events} events, the file has {lines} lines")
    if shown[0][1].splitlines()[:-1] != full[0][1].splitlines()[:-1]:
        raise RuntimeError("show and show --full disagree about the log's totals")
    raw_s = median([t for t, _ in raw])
    show_s = median([t for t, _ in shown])
    full_s = median([t for t, _ in full])
    return {
        "show_1m_s": show_s,
        "show_summary_used": float("summary written at close" in shown[0][1]),
        "show_full_1m_s": full_s,
        "show_details_1m_s": median([t for t, _ in detailed]),
        "show_fold_1m_s": median([t for t, _ in folded]),
        "raw_decode_1m_s": raw_s,
        "show_vs_raw": show_s / raw_s,
        "show_full_vs_raw": full_s / raw_s,
        "show_events": float(events),
        "show_file_mb": path.stat().st_size / 1e6,
    }
