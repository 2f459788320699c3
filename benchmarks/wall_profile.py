"""Where the event loop's wall time goes under the sustained flood, sampled from outside.

``python -m benchmarks profile`` runs the headless flood (`flood.py`) in a child process under
py-spy (``py-spy record --idle``): an outside sampler needs no GIL, so busy stretches are sampled as
often as idle ones, which an in-process sampler cannot do (see `profile.py`). Each sample of the
event loop's thread goes to the first of `CATEGORIES` whose test its stack passes; the samples of
the benchmark's own bookkeeping (the log read back at the end, the figures) are left out. The recorder's worker thread is reported beside it.

py-spy comes with the ``dev`` extra. It reads another process's memory, which some containers
forbid (``ptrace``); then ``--sampler inprocess`` gives the in-process table instead.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

RATE_HZ = 250
PTY_RATE_HZ = 100
"""Lower on the real command: there py-spy shares the two cores with the app and the benchmark."""


@dataclass(frozen=True)
class Frame:
    function: str
    """The function's own name (py-spy writes ``Class.method``; the class is dropped)."""
    path: str
    """The file, from the package on (``backstage_tui/tui/app.py``, ``textual/screen.py``)."""


def parse_stack(line: str) -> tuple[list[Frame], int]:
    """One line of py-spy's raw (collapsed) output: ``frame;frame;... count``."""
    stack, _, count = line.rstrip("\n").rpartition(" ")
    frames = []
    for part in stack.split(";"):
        name, _, where = part.partition(" (")
        path = re.sub(r".*/(site-packages|lib/python3\.\d+)/", "", where.rsplit(":", 1)[0])
        path = re.sub(r".*/(?=(backstage_tui|benchmarks)/)", "", path)
        frames.append(Frame(name.rsplit(".", 1)[-1], path))
    return frames, int(count)


def _benchmark_bookkeeping(stack: list[Frame]) -> bool:
    """The flood's own driver running: starting up, and after the run reading the log back and
    computing the figures. It is suspended while the flood runs, so its frames mark the rest."""
    return any(f.function == "measure" and f.path == "benchmarks/flood.py" for f in stack)


def _calls(*functions: str) -> Callable[[list[Frame]], bool]:
    return lambda stack: any(f.function in functions for f in stack)


def _in(*paths: str) -> Callable[[list[Frame]], bool]:
    return lambda stack: any(f.path.startswith(paths) for f in stack)


def _feed_line_building(stack: list[Frame]) -> bool:
    return any(f.function == "render_line" and f.path.endswith("feed_view.py") for f in stack)


def _in_frame(test: Callable[[list[Frame]], bool]) -> Callable[[list[Frame]], bool]:
    composing = _calls("_on_timer_update", "_paint_now")
    return lambda stack: composing(stack) and test(stack)


CATEGORIES: tuple[tuple[str, Callable[[list[Frame]], bool]], ...] = (
    ("idle: waiting in select for a timer or I/O", lambda s: s[-1].function in ("select", "poll")),
    ("frame: the feed's own line building", _in_frame(_feed_line_building)),
    ("frame: Textual around the feed's lines", _in_frame(_in("backstage_tui/tui/feed_view.py"))),
    ("frame: the compositor, the side panes, the footer", _calls("_on_timer_update", "_paint_now")),
    ("the collector, just after a frame", _in("backstage_tui/gc_tuning.py")),
    ("the feed taking each frame's batch", _calls("add_batch")),
    ("draw_frame: draining, the Pinned and Status panes", _calls("draw_frame")),
    ("the reducers", _in("backstage_tui/state/")),
    ("the bus copying a re-published event", _calls("stamped_copy")),
    ("the bus stamping and delivering", _in("backstage_tui/bus.py")),
    ("a source reading and parsing its input", _in("backstage_tui/sources/")),
    ("the benchmark's publisher", _in("benchmarks/common.py")),
    ("Textual: messages, timers, other widgets", _in("textual/", "rich/")),
)
OTHER = "asyncio and the rest"


def categorise(lines: Sequence[str]) -> tuple[Counter[str], Counter[str]]:
    """(event-loop samples per category, the recorder thread's busy samples)."""
    loop: Counter[str] = Counter()
    workers: Counter[str] = Counter()
    for line in lines:
        if not line.strip():
            continue
        stack, count = parse_stack(line)
        if _benchmark_bookkeeping(stack):
            continue
        if not any(f.function == "_run_once" for f in stack):
            # A worker thread: the recorder's frames are on its stack only while it works.
            if any(f.path.endswith("session/recorder.py") for f in stack):
                workers["the recorder's worker thread, busy"] += count
            continue
        # What the loop was running: the frames above its `_run_once` (below it are whatever
        # started the loop, Textual's `App.run` on the real command).
        start = max(i for i, f in enumerate(stack) if f.function == "_run_once")
        stack = stack[start:]
        for label, test in CATEGORIES:
            if test(stack):
                loop[label] += count
                break
        else:
            loop[OTHER] += count
    return loop, workers


def table(loop: Counter[str], workers: Counter[str], rate: int = RATE_HZ) -> list[str]:
    total = sum(loop.values()) or 1
    out = [f"event-loop thread, {total:,} samples at {rate}/s (wall time):"]
    out += [f"  {100 * n / total:5.1f}%  {label}" for label, n in loop.most_common()]
    if workers:
        out.append("worker threads, samples against the loop's:")
        out += [f"  {100 * n / total:5.1f}%  {label}" for label, n in workers.most_common()]
    return out


def py_spy() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def _spy_record(raw: Path, rate: int) -> list[str]:
    """The py-spy command line that samples what follows it into `raw`; raises `RuntimeError`
    when py-spy is not installed."""
    spy = py_spy()
    if spy is None:
        raise RuntimeError('py-spy is not installed: pip install -e ".[dev]"')
    return [
        spy,
        "record",
        "--idle",
        "--rate",
        str(rate),
        "--format",
        "raw",
        "--output",
        str(raw),
        "--",
    ]


def run_pty(seconds: float) -> list[str]:
    """Profile the real command through the pty measurement (`pty_flood`): the same run, with
    py-spy starting the app and sampling it until it quits."""
    from . import pty_flood

    with tempfile.TemporaryDirectory(prefix="bench-spy-") as tmp:
        raw = Path(tmp) / "pty.raw"
        command = [*_spy_record(raw, PTY_RATE_HZ), sys.executable, "-m", "backstage_tui.cli"]
        original = pty_flood.backstage_command
        pty_flood.backstage_command = lambda: command
        try:
            figures = pty_flood.measure(seconds)
        finally:
            pty_flood.backstage_command = original
        if not raw.exists():
            raise RuntimeError("py-spy could not profile the command (no samples written)")
        loop, workers = categorise(raw.read_text().splitlines())
    head = (
        f"the real command on a pty, {seconds:g} s at 20,000 lines/s offered, sampled by py-spy: "
        f"{figures['pty_rate']:,.0f}/s kept, p99 {figures['pty_p99_ms']:.1f} ms"
    )
    return [head, *table(loop, workers, PTY_RATE_HZ)]


def run(seconds: float) -> list[str]:
    """Profile `seconds` of the flood; raises `RuntimeError` when py-spy cannot."""
    with tempfile.TemporaryDirectory(prefix="bench-spy-") as tmp:
        raw = Path(tmp) / "flood.raw"
        child = [sys.executable, "-m", "benchmarks", "_child", "flood", str(seconds), "1.0", "1000"]
        done = subprocess.run(
            [*_spy_record(raw, RATE_HZ), *child],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0 or not raw.exists():
            why = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise RuntimeError(f"py-spy could not profile the flood: {why}")
        loop, workers = categorise(raw.read_text().splitlines())
    head = f"sustained flood, {seconds:g} s at 20,000 events/s offered, sampled by py-spy"
    try:
        # py-spy writes its own lines too; the child's figures are its one JSON line.
        figures = json.loads(next(x for x in done.stdout.splitlines() if x.startswith("{")))
        head += (
            f": {figures['sustained_rate']:,.0f}/s kept, p99 {figures['p99_ms']:.1f} ms, "
            f"{figures['frames_per_s']:.1f} frames/s"
        )
    except (StopIteration, ValueError, KeyError, TypeError):
        pass
    return [head, *table(loop, workers)]
