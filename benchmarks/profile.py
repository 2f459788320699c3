"""Where the time goes under the sustained flood: a sampling profile of the whole app.

A thread samples every thread's stack every millisecond (`sys._current_frames`) while the headless
app takes 20,000 events/s. Each sample of the event loop's thread goes to the innermost frame of our
own code (`backstage_tui.<module>`), else to the library the loop was in (``textual``, ``rich``,
``asyncio``...), or to ``idle`` when the loop was waiting in ``select``. The recorder's worker thread
is counted on its own line. Unlike `cProfile` this does not slow small functions down more than big
ones; its own cost is one short GIL hold per sample.

Its limit: the sampling thread needs the GIL, and the loop mostly lets go of it when it goes idle in
``select``, so busy stretches are under-sampled and idle time over-reported (docs/performance.md
compares it with py-spy). Use it to compare two versions of the code in the
same minute (``--sampler inprocess``); ``python -m benchmarks profile`` samples from outside with
py-spy by default (`wall_profile.py`).
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from . import flood

SAMPLE_S = 0.001


DRIVER = ("benchmarks.profile", "benchmarks.flood", "benchmarks.__main__", "__main__", "runpy")
"""The benchmark's own driver: at the bottom of every stack, never the owner of a sample."""
PASS_THROUGH = frozenset({"_paint_now", "draw_frame"})
"""Our functions that only hand work to Textual (the frame is composed inside `_paint_now`): a sample
whose innermost own frame is one of these goes to the library below it, not to `tui.app`."""
PLUMBING = ("asyncio", "contextlib", "threading", "selectors")


def bucket(frame: FrameType | None) -> str:
    """The owner of one stack: the innermost frame of our own code, else the outermost library
    under the event loop (``textual`` for the compositor, even when it is deep inside ``rich``)."""
    library: str | None = None
    innermost = True
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if innermost and frame.f_code.co_name in ("select", "poll") and name == "selectors":
            return "idle (waiting for I/O or a timer)"
        innermost = False
        if name in DRIVER:
            break
        if name.startswith(("backstage_tui.", "benchmarks.")):
            if library is not None and frame.f_code.co_name in PASS_THROUGH:
                return library
            return name
        top = name.split(".")[0]
        if top and top not in PLUMBING:
            library = top
        frame = frame.f_back
    return library or "asyncio"


class Sampler:
    def __init__(self) -> None:
        self.loop_thread = threading.get_ident()
        self.loop: dict[str, float] = defaultdict(float)
        """Seconds of wall time per owner on the event loop's thread."""
        self.workers: dict[str, float] = defaultdict(float)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)

    def start(self) -> None:
        self.gc_seconds = [0.0, 0.0, 0.0]
        self.gc_runs = [0, 0, 0]
        self.gc_longest = 0.0
        self._gc_started = 0.0
        gc.callbacks.append(self._gc)
        self.started = time.perf_counter()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        gc.callbacks.remove(self._gc)
        self.wall = time.perf_counter() - self.started

    def _gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
            return
        spent = time.perf_counter() - self._gc_started
        generation = info["generation"]
        self.gc_seconds[generation] += spent
        self.gc_runs[generation] += 1
        if generation == 2:
            self.gc_longest = max(self.gc_longest, spent)

    def _run(self) -> None:
        me = threading.get_ident()
        clock = time.perf_counter
        last = clock()
        while not self._stop.wait(SAMPLE_S):
            # Weighted by the time since the last sample: while the loop holds the GIL this thread
            # waits for it, so busy stretches are sampled less often than idle ones; the weight puts
            # that time back where the loop was when it let go.
            now = clock()
            weight, last = now - last, now
            for ident, frame in sys._current_frames().items():
                if ident == me:
                    continue
                if ident == self.loop_thread:
                    self.loop[bucket(frame)] += weight
                else:
                    owner = bucket(frame)
                    if owner.startswith("backstage_tui."):
                        self.workers[owner] += weight

    def table(self) -> list[str]:
        total = sum(self.loop.values()) or 1
        lines = [f"event-loop thread, {total:.1f} s sampled:"]
        for name, n in sorted(self.loop.items(), key=lambda kv: -kv[1])[:25]:
            lines.append(f"  {100 * n / total:5.1f}%  {name}")
        lines.append(
            "garbage collector (inside the shares above): "
            + ", ".join(
                f"gen{g} {self.gc_runs[g]} runs {100 * self.gc_seconds[g] / self.wall:.1f}%"
                for g in range(3)
            )
            + f"; longest full pass {1000 * self.gc_longest:.0f} ms"
        )
        if self.workers:
            lines.append("worker threads (same sampling clock, share of the loop's samples):")
            for name, n in sorted(self.workers.items(), key=lambda kv: -kv[1])[:5]:
                lines.append(f"  {100 * n / total:5.1f}%  {name}")
        return lines


def run(seconds: float, cprofile_to: Path | None = None) -> list[str]:
    sampler = Sampler()
    profiler = cProfile.Profile() if cprofile_to else None
    hooks: list[Callable[[], None]] = []
    original_sustained = flood._sustained

    def start_sampling() -> None:
        sampler.start()
        if profiler is not None:
            profiler.enable()

    def stop_sampling(*args: Any, **kwargs: Any) -> Any:
        if profiler is not None:
            profiler.disable()
        sampler.stop()
        return original_sustained(*args, **kwargs)

    hooks.append(start_sampling)
    flood._sustained = stop_sampling
    flood.on_sustained_start = hooks
    try:
        result = asyncio.run(flood.measure(sustained_s=seconds, warmup_s=1.0, burst=1000))
    finally:
        flood._sustained = original_sustained
        flood.on_sustained_start = []
    if profiler is not None and cprofile_to is not None:
        profiler.dump_stats(cprofile_to)
    head = (
        f"sustained flood, {seconds:g} s at {flood.TARGET_RATE:,.0f} events/s offered: "
        f"{result['sustained_rate']:,.0f}/s kept, p99 {result['p99_ms']:.1f} ms, "
        f"{result['frames_per_s']:.1f} frames/s, gc gen2 {gc.get_stats()[2]['collections']} runs"
    )
    return [head, *sampler.table()]


def main(argv: list[str]) -> int:
    import argparse

    from . import wall_profile

    parser = argparse.ArgumentParser(prog="python -m benchmarks profile")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--sampler",
        choices=("py-spy", "inprocess"),
        default="py-spy",
        help="py-spy from outside (the shares), or the in-process sampler (quick A/B comparisons)",
    )
    parser.add_argument(
        "--cprofile", type=Path, default=None, metavar="FILE", help="with --sampler inprocess"
    )
    parser.add_argument(
        "--measure",
        choices=("flood", "pty"),
        default="flood",
        help="the headless app, or the real command on a pty (py-spy only)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.sampler == "py-spy" and args.cprofile is None:
        try:
            if args.measure == "pty":
                lines = wall_profile.run_pty(args.seconds)
            else:
                lines = wall_profile.run(args.seconds)
        except RuntimeError as exc:
            print(f"{exc}; or use --sampler inprocess", file=sys.stderr)
            return 2
    else:
        lines = run(args.seconds, args.cprofile)
    for line in lines:
        print(line)
    print(f"(profile run took {time.perf_counter() - started:.1f} s)")
    return 0
