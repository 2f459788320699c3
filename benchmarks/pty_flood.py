"""`pty_rate` and `pty_p99_ms`: the real command in a real (pseudo-)terminal, measured from outside.

``backstage --source jsonl --option path=- --sessions-dir TMP`` runs on a 120x40 pty with a pipe as
its stdin. This process writes the demo mix to the pipe as JSON lines at 20,000 a second (everything
due every 5 ms), and reads the terminal output. Every comment and question carries a marker in its
text, ``~<line number>~``; the line number is the event's seq, because each line is one event. So
the latency of a drawn comment is plain wall-clock arithmetic in one process: from the moment its
line entered the pipe to the moment its marker arrived on the terminal. It includes everything a
user waits for: parsing, the bus, the UI's frame, Textual's compositor, the terminal write. Lines
that never reach the screen (scrolled past within one frame) have no marker in the output and are
not counted.

The pipe only takes what the app reads, so an app that cannot keep up shows as a growing backlog in
this writer: ``pty_rate`` is the lines the app accepted per second over the measured period. At the
end the pipe is closed, the console is quit with ``q`` ``y`` like a user would, and the session log
is read back: ``pty_log_missing`` must be 0.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

import orjson

from backstage_tui.automod.engine import BY
from backstage_tui.config import CONFIG_ENV
from backstage_tui.events import Event, event_to_json
from backstage_tui.session import SessionReader

from . import experiments
from .automod_cost import rules_config
from .common import TARGET_RATE, TICK_S, Metrics, backstage_command, demo_events, kept_up
from .probe import summary
from .startup import FRAME_MARKS
from .terminal import Terminal

MARKER = re.compile(rb"~(\d{7})~")


def _by_rules(event: Event) -> bool:
    """A decision of the auto-moderation rules, or an action they took."""
    return event.type == "automod" or getattr(event, "by", "") == BY


def event_lines(count: int) -> list[bytes]:
    """`count` demo events as JSON lines; chat text starts with its marker. Like a program that
    feeds the console, the lines carry neither ``seq`` nor ``source``: the session writes those."""
    lines: list[bytes] = []
    for n, event in enumerate(demo_events(count), start=1):
        data = orjson.loads(event_to_json(event))
        data.pop("seq", None)
        data.pop("source", None)
        if data["type"] in ("comment", "question"):
            data["text"] = f"~{n:07d}~ {data['text']}"
        lines.append(orjson.dumps(data) + b"\n")
    return lines


def measure(seconds: float, warmup_s: float = 1.0, rate: float = TARGET_RATE) -> Metrics:
    total = int(rate * (warmup_s + seconds))
    lines = event_lines(total)
    written_at = [0.0] * (total + 1)
    seen_at = [0.0] * (total + 1)
    with tempfile.TemporaryDirectory(prefix="bench-pty-") as tmp:
        argv = ["--source", "jsonl", "--option", "path=-", "--sessions-dir", tmp]
        # The auto-moderation rules on: the defaults plus the benchmark's 200 blocked terms.
        os.environ[CONFIG_ENV] = str(rules_config(Path(tmp)))
        command = backstage_command()
        if os.environ.get(experiments.ENV):
            # An experiment: the same command, with the variant applied first.
            command = [sys.executable, "-m", "benchmarks", "_app"]
        with Terminal([*command, *argv], stdin_pipe=True) as term:
            term.wait_for(lambda out: all(mark in out for mark in FRAME_MARKS), 30.0)
            assert term.pipe_w is not None
            pipe = term.pipe_w
            os.set_blocking(pipe, False)
            scanned = len(term.output)
            pending = bytearray()
            # (offset in the whole stream where line n ends, n): a deque with absolute offsets, so
            # a write costs the lines it completed, not the whole backlog (the harness shares the
            # machine's two cores with the app it measures).
            pending_ends: deque[tuple[int, int]] = deque()
            queued_bytes = 0
            written_bytes = 0
            sent = 0
            queued = 0
            origin = time.perf_counter()
            window_start: tuple[float, int] | None = None
            max_backlog = 0
            while sent < total:
                now = time.perf_counter()
                if window_start is None and now - origin >= warmup_s:
                    window_start = (now, sent)
                due = min(total, int((now - origin) * rate) + 1)
                while queued < due:
                    queued += 1
                    line = lines[queued - 1]
                    pending += line
                    queued_bytes += len(line)
                    pending_ends.append((queued_bytes, queued))
                if pending:
                    try:
                        n_written = os.write(pipe, pending)
                    except BlockingIOError:
                        n_written = 0
                    if n_written:
                        stamp = time.perf_counter()
                        del pending[:n_written]
                        written_bytes += n_written
                        while pending_ends and pending_ends[0][0] <= written_bytes:
                            _, n = pending_ends.popleft()
                            written_at[n] = stamp
                            sent = n
                max_backlog = max(max_backlog, queued - sent)
                # Read the terminal until the next tick.
                deadline = now + TICK_S
                while True:
                    timeout = deadline - time.perf_counter()
                    if timeout <= 0:
                        break
                    if term.read(timeout):
                        scanned = _scan(term.output, scanned, seen_at)
            window_end = (time.perf_counter(), sent)
            # Let the last lines reach the screen, then end the stream and quit like a user.
            quiet_until = time.perf_counter() + 2.0
            while time.perf_counter() < quiet_until:
                if term.read(0.05):
                    scanned = _scan(term.output, scanned, seen_at)
            os.close(pipe)
            term.pipe_w = None
            time.sleep(0.3)
            term.end_live()
            code = term.wait(30.0)
        logs = sorted(Path(tmp).glob("*.jsonl"))
        # The lines sent, not what the rules added (their decisions and actions).
        logged = (
            sum(1 for b in SessionReader(logs[0]).batches() for e in b if not _by_rules(e))
            if logs
            else 0
        )
    assert window_start is not None
    span = window_end[0] - window_start[0]
    first = window_start[1] + 1
    latencies = [
        (seen_at[n] - written_at[n]) * 1000
        for n in range(first, window_end[1] + 1)
        if seen_at[n] and written_at[n]
    ]
    lat = summary(latencies)
    accepted = (window_end[1] - window_start[1]) / span
    return {
        "pty_rate": accepted,
        "pty_kept_up": float(kept_up(accepted, rate, max_backlog)),
        "pty_offered": rate,
        "pty_max_backlog": float(max_backlog),
        "pty_p50_ms": lat["p50"],
        "pty_p99_ms": lat["p99"],
        "pty_max_ms": lat["max"],
        "pty_drawn": float(len(latencies)),
        "pty_log_missing": float(total - logged),
        "pty_exit_code": float(code if code is not None else -1),
    }


def _scan(output: bytearray, start: int, seen_at: list[float]) -> int:
    """Note the first sighting of every marker after `start`; returns where to start next time
    (a marker cut in two by a read is found on the next pass)."""
    now = time.perf_counter()
    view = bytes(output[max(0, start - 16) :])
    for match in MARKER.finditer(view):
        n = int(match.group(1))
        if n < len(seen_at) and not seen_at[n]:
            seen_at[n] = now
    return len(output)
