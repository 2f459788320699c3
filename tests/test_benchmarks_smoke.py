"""The benchmark suite runs end to end at tiny sizes and reports every figure as a number.

No timing is asserted here: the machine running the tests is busy with other things. The figures
themselves are in `docs/performance.md`; `python -m benchmarks` measures them.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backstage_tui.session import SessionReader
from benchmarks import KEYS

ROOT = Path(__file__).resolve().parent.parent


def run_benchmarks(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        check=False,
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and uses a pty")
def test_the_whole_suite_runs_and_reports_every_figure_as_a_number() -> None:
    done = run_benchmarks("--smoke", "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    missing = [key for key in KEYS if key not in result]
    assert not missing, f"missing figures: {missing}"
    not_numbers = {
        key: result[key]
        for key in KEYS
        if not isinstance(result[key], int | float) or not math.isfinite(result[key])
    }
    assert not not_numbers, f"not numbers: {not_numbers}"
    meta = result["meta"]
    assert meta["mode"] == "smoke" and not meta["errors"]
    assert set(meta["verdicts"]) >= {"p99_ms", "rss_mb_1m", "show_1m_s", "version_s"}
    # Correctness is checked even at this size: nothing lost on the way to the logs.
    assert result["log_missing"] == 0 and result["burst_log_missing"] == 0
    assert result["pty_log_missing"] == 0 and result["recorder_missing"] == 0
    assert result["three_log_missing"] == 0 and result["three_burst_log_missing"] == 0
    assert result["rules"] == 1  # the flood runs with the auto-moderation rules on
    assert result["poll_log_missing"] == 0 and result["poll_voters"] > 0  # votes were counted


def test_make_log_writes_a_gap_free_session_log(tmp_path: Path) -> None:
    path = tmp_path / "small.jsonl"
    done = run_benchmarks("make-log", "1500", str(path), timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    reader = SessionReader(path)
    events = reader.events()
    assert reader.header is not None and reader.header.source == "demo"
    assert [e.seq for e in events] == list(range(1, 1501))
    assert not reader.problems
    # The same options generate the same log again.
    again = tmp_path / "again.jsonl"
    assert run_benchmarks("make-log", "1500", str(again), timeout=60).returncode == 0
    assert [e.id for e in SessionReader(again).events()] == [e.id for e in events]
