"""What every measurement shares: sizes, the event pool, the paced publisher, percentiles, memory.

Every measurement runs in a fresh child process (`run_child`), so one cannot warm up, fragment or
garbage-collect for the next, and memory figures start clean.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import sys
import time
from array import array
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from backstage_tui.events import Event
from backstage_tui.sources.base import Source
from backstage_tui.sources.demo import DemoStream

SEED = 7
START_TS = 1_767_225_600.0  # 2026-01-01 00:00:00 UTC: the simulated clock of every benchmark stream
TARGET_RATE = 20_000.0
TICK_S = 0.005
"""The publisher wakes every 5 ms and publishes what is due: 100 events per tick at 20,000/s."""
POOL = 4096
"""Distinct events a benchmark cycles through: small, so the benchmark's own objects do not weigh
on the garbage collector's full passes (which scan every live object)."""
LONG_SHARE = 0.2
"""The share of comments the headless flood makes long enough to wrap, by default (0 gives the
one-line chat of earlier runs)."""
MAX_TICK = 4_000
"""Events per tick at most: a publisher that fell further behind than this has not kept up."""

Metrics = dict[str, float]


@dataclass(frozen=True)
class Sizes:
    """How big each measurement is. `full` is the issue's; `quick` keeps a run near a minute;
    `smoke` only proves every piece runs (tests)."""

    mode: str
    sustained_s: float
    warmup_s: float
    burst: int
    rss_events: int
    recorder_events: int
    show_events: int
    baseline_s: float
    pty_s: float
    version_runs: int
    first_frame_runs: int
    automod_events: int

    def describe(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "mode"}


FULL = Sizes("full", 20.0, 2.0, 50_000, 1_000_000, 1_000_000, 1_000_000, 10.0, 10.0, 10, 5,
             200_000)  # fmt: skip
QUICK = Sizes("quick", 5.0, 1.0, 50_000, 100_000, 200_000, 100_000, 3.0, 4.0, 5, 3, 50_000)
SMOKE = Sizes("smoke", 0.4, 0.3, 500, 3_000, 3_000, 2_000, 0.3, 0.5, 1, 1, 2_000)
SIZES = {s.mode: s for s in (FULL, QUICK, SMOKE)}


# --- events ----------------------------------------------------------------------------------


def demo_events(count: int, *, seed: int = SEED, rate: float = TARGET_RATE) -> list[Event]:
    """`count` events of the demo stream (its realistic mix, hostile text included)."""
    stream = DemoStream(seed, START_TS, rate)
    return [next(stream) for _ in range(count)]


class FloodSource(Source):
    """A benchmark publisher on the real `Source` interface.

    It runs phases, each started by the driver with `run`: ``("rate", events_per_s, seconds)``
    paces events with the loop clock (everything due every `TICK_S`, never forgiving a debt: a loop
    that stalls gets a bigger next batch, up to `MAX_TICK`), ``("burst", n)`` publishes n events in
    one go. Events come from `next_event`: cycled from a pool built before the clock starts (so what
    is measured is the console, not the generator), or made on the fly. The time each event was
    handed to the bus is kept by seq: the source is the only publisher during a run, so the n-th
    event it yields gets seq n.
    """

    name: ClassVar[str] = "bench"

    def __init__(self, next_event: Callable[[], Event], capacity: int, name: str = "bench") -> None:
        super().__init__()
        self.name = name  # type: ignore[misc]  # several at once need names of their own
        self.next_event = next_event
        self.handed = 0.0
        """perf_counter() when the newest event was handed over."""
        self.published_at = array("d", bytes(8 * (capacity + 2)))
        """perf_counter() when event `seq` was handed to the bus; index 0 unused."""
        self.count = 0
        self.max_behind = 0
        """The largest debt (events due but not yet published) seen at a tick."""
        self._phases: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
        self._stopping = False
        self.idle = asyncio.Event()
        self.idle.set()

    @classmethod
    def cycling(cls, pool: Sequence[Event], capacity: int, name: str = "bench") -> FloodSource:
        """Event n is ``pool[n % len(pool)]``."""
        index = itertools.count(1)
        size = len(pool)
        return cls(lambda: pool[next(index) % size], capacity, name)

    def run(self, *phase: Any) -> None:
        """Start a phase; `idle` is set again once it is done."""
        self.idle.clear()
        self._stopping = False
        self._phases.put_nowait(phase)

    def stop(self) -> None:
        """End the running phase at its next tick."""
        self._stopping = True

    async def events(self) -> AsyncIterator[Event]:
        make = self.next_event
        stamps = self.published_at
        clock = time.perf_counter
        while True:
            phase = await self._phases.get()
            if phase[0] == "burst":
                for _ in range(phase[1]):
                    self.count += 1
                    self.handed = stamps[self.count] = clock()
                    yield make()
            elif phase[0] == "rate":
                rate, seconds = float(phase[1]), float(phase[2])
                loop = asyncio.get_running_loop()
                origin = loop.time()
                emitted = 0
                total = int(rate * seconds)
                while emitted < total and not self._stopping:
                    due = min(total, int((loop.time() - origin) * rate) + 1)
                    self.max_behind = max(self.max_behind, due - emitted)
                    for _ in range(min(due - emitted, MAX_TICK)):
                        self.count += 1
                        emitted += 1
                        self.handed = stamps[self.count] = clock()
                        yield make()
                    await asyncio.sleep(TICK_S)
            self.idle.set()


# --- figures ---------------------------------------------------------------------------------


def kept_up(accepted: float, offered: float, worst_backlog: float) -> bool:
    """Within 3% of the offered rate, and never a second of events behind (both floods, headless
    and on a pty, judge by this)."""
    return accepted >= 0.97 * offered and worst_backlog < offered


def percentile(values: Sequence[float], q: float) -> float:
    """The `q`-th percentile (0..100) by nearest rank; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MiB, from /proc/self/status."""
    now = peak = float("nan")
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                now = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return now, peak


# --- child processes -------------------------------------------------------------------------


def run_child(measurement: str, args: Sequence[str] = (), timeout: float = 900) -> Metrics:
    """Run ``python -m benchmarks _child <measurement> <args>`` and return the JSON it printed."""
    cmd = [sys.executable, "-m", "benchmarks", "_child", measurement, *args]
    env = dict(os.environ, PYTHONHASHSEED="0")
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=root, check=False
    )
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise RuntimeError(f"benchmark {measurement} failed (exit {done.returncode}):\n{tail}")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"benchmark {measurement} printed no result:\n{done.stdout[-2000:]}")
    result: Metrics = json.loads(lines[-1])
    return result


def emit(result: Metrics) -> None:
    """A child's answer: one JSON line on stdout."""
    print(json.dumps(result), flush=True)


def backstage_command() -> list[str]:
    """The `backstage` console script installed beside this interpreter (not a pyenv shim, which
    adds a start of its own to every run), else the module run by this interpreter (a plain checkout)."""
    script = Path(sys.executable).parent / "backstage"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "backstage_tui.cli"]
