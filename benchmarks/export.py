"""``export_csv_1m_s``: ``backstage sessions export FILE --format csv -o OUT`` on the big log.

The real command as a fresh process, start to exit (start-up and imports included), writing a
file, as a creator runs it. The CSV is then read back with the stdlib `csv` reader and must have a
row per event; ``export_json_1m_s`` is the same for ``--format json``, parsed back whole.
"""

from __future__ import annotations

import csv
import json
import subprocess
import tempfile
import time
from pathlib import Path

from backstage_tui.session.catalog import read_entry

from .common import Metrics, backstage_command


def export_command(path: Path, fmt: str, out: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [*backstage_command(), "sessions", "export", str(path), "--format", fmt, "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    spent = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"backstage sessions export failed: {done.stderr.strip()}")
    return spent


def measure(path: Path) -> Metrics:
    events = read_entry(path).events or 0
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        csv_out = Path(tmp) / "out.csv"
        csv_s = export_command(path, "csv", csv_out)
        with csv_out.open(newline="", encoding="utf-8") as f:
            rows = sum(1 for _ in csv.reader(f)) - 1
        csv_mb = csv_out.stat().st_size / 1e6
        csv_out.unlink()
        json_out = Path(tmp) / "out.json"
        json_s = export_command(path, "json", json_out)
        with json_out.open(encoding="utf-8") as f:
            parsed = len(json.load(f)["events"])
    if rows != events or parsed != events:
        raise RuntimeError(f"the log has {events} events; csv has {rows} rows, json {parsed}")
    return {
        "export_csv_1m_s": csv_s,
        "export_json_1m_s": json_s,
        "export_events": float(events),
        "export_csv_mb": csv_mb,
    }
