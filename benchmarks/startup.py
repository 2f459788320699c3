"""`version_s` and `first_frame_s`: how soon the command answers.

- ``version_s``: ``backstage --version`` as a fresh process, start to exit, median of several runs.
  The console script installed beside this interpreter is used (a pyenv shim in front of it would
  add a start of its own).
- ``first_frame_s``: ``backstage`` (the demo source) started on a 120x40 pseudo-terminal, from the
  fork to the moment the terminal has received the first whole frame: the four pane titles and the
  footer. Median of several runs.
"""

from __future__ import annotations

import subprocess
import tempfile
import time

from .common import Metrics, backstage_command, median
from .terminal import Terminal

FRAME_MARKS = (b"Feed", b"Pinned", b"Poll", b"Status", b"Quit")


def version_once() -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [*backstage_command(), "--version"], capture_output=True, text=True, check=False
    )
    spent = time.perf_counter() - started
    if done.returncode != 0 or "backstage" not in done.stdout:
        raise RuntimeError(f"backstage --version failed: {done.stderr.strip()}")
    return spent


def first_frame_once() -> float:
    with tempfile.TemporaryDirectory(prefix="bench-start-") as tmp:
        argv = [*backstage_command(), "--sessions-dir", tmp, "--option", "seed=7"]
        with Terminal(argv) as term:
            seen = term.wait_for(lambda out: all(mark in out for mark in FRAME_MARKS), 30.0)
            spent = seen - term.started
            term.end_live()
            term.wait(5.0)
    return spent


def measure(version_runs: int, frame_runs: int) -> Metrics:
    version_once()  # warm the OS file cache: the first run after boot is not what a user sees twice
    versions = [version_once() for _ in range(version_runs)]
    frames = [first_frame_once() for _ in range(frame_runs)]
    return {
        "version_s": median(versions),
        "version_max_s": max(versions),
        "first_frame_s": median(frames),
        "first_frame_max_s": max(frames),
    }
