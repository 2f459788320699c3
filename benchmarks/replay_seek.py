"""``replay``: a replay's index over a big session log, and seeking in it.

- ``replay_index_s``: `ReplayIndex.build` of the whole log, in this process: the one pass a replay
  makes as it opens (every line read and validated, the state folded, a snapshot every 4,096
  events). The replay plays from the start meanwhile; a seek waits for it.
- ``replay_seek_p50_ms`` / ``replay_seek_p99_ms``: `ReplayIndex.state_at` for `SEEKS` random
  targets (seeded) over the whole log, each a whole seek: the nearest snapshot copied, the feed
  buffer's lines read back from the log, the events up to the target folded.
  ``replay_seek_cpu_p99_ms``: the same seeks in CPU time of this process: on a machine others
  share, the wall-clock figure grows with their load, this one does not.
- ``replay_index_mb``: resident memory the index added (offsets, clocks, snapshots).
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from backstage_tui.session.replay_index import ReplayIndex

from .common import Metrics, percentile, rss_mb

SEEKS = 200


def measure(path: Path, seeks: int = SEEKS) -> Metrics:
    before, _ = rss_mb()
    started = time.perf_counter()
    index = ReplayIndex.build(path)
    built = time.perf_counter() - started
    after, _ = rss_mb()
    rnd = random.Random(12)
    spent: list[float] = []
    cpu: list[float] = []
    for _ in range(seeks):
        target = rnd.randrange(index.total + 1)
        started, started_cpu = time.perf_counter(), time.process_time()
        index.state_at(target)
        spent.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return {
        "replay_index_s": built,
        "replay_index_mb": after - before,
        "replay_seek_p50_ms": percentile(spent, 50),
        "replay_seek_p99_ms": percentile(spent, 99),
        "replay_seek_max_ms": max(spent),
        "replay_seek_cpu_p99_ms": percentile(cpu, 99),
        "replay_events": float(index.total),
    }
