"""Recording a live session with no screen: ``backstage --headless``.

The same `SessionRuntime` as the console (sources, recorder, reconnects), driven by a loop that
prints one progress line on stderr every few seconds and stops when every source has ended, or on
SIGINT, SIGTERM or SIGHUP. Either way the runtime closes the log, so it ends with its summary line,
and the live's report is written beside it (``<log>.md``, ``<log>.html``), as the console does.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path
from typing import TextIO

from . import APP_NAME
from .gc_tuning import CollectorTuning
from .reports.files import report_beside
from .runtime import RuntimeStatus, SessionRuntime, SourceStatus
from .safetext import display
from .session.report import clock

PROGRESS_EVERY_S = 5.0
"""How often the progress line is printed, by default."""
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

EXIT_ENDED = 0
"""Every source ended its stream, or a signal asked to stop: the log is complete."""
EXIT_FAILED = 1
"""A source failed for good (or the log could not be opened)."""


def run_headless(
    runtime: SessionRuntime, *, every: float = PROGRESS_EVERY_S, out: TextIO | None = None
) -> int:
    """Record until the sources end or a stop signal comes; the exit code (`EXIT_ENDED` or
    `EXIT_FAILED`). Progress and the reason for stopping go to `out` (stderr)."""
    return asyncio.run(_record(runtime, every, out or sys.stderr))


async def _record(runtime: SessionRuntime, every: float, out: TextIO) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    received: list[str] = []

    def on_signal(sig: signal.Signals) -> None:
        received.append(sig.name)
        stop.set()

    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, on_signal, sig)
    try:
        try:
            await runtime.start()
        except OSError as exc:
            _say(out, f"cannot open the session log: {exc.strerror or exc}")
            return EXIT_FAILED
        # Everything start-up built is long-lived from here: as the console does after its first
        # frame (there is no frame here to time collections by, so the threshold alone decides).
        collector = CollectorTuning()
        collector.apply()
        started = loop.time()
        sources_done = asyncio.ensure_future(runtime.wait_source_done())
        stopping = asyncio.ensure_future(stop.wait())
        try:
            while not (sources_done.done() or stopping.done()):
                await asyncio.wait(
                    {sources_done, stopping}, timeout=every, return_when=asyncio.FIRST_COMPLETED
                )
                if not (sources_done.done() or stopping.done()):
                    _say(out, progress_line(runtime.status(), loop.time() - started))
        finally:
            stopping.cancel()
            sources_done.cancel()
            await runtime.close()
            collector.restore()
    finally:
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)
    status = runtime.status()
    write_live_reports(status, out)
    why = f"stopped by {received[0]}" if received else "the source ended"
    if len(status.sources) > 1 and not received:
        why = "the sources ended"
    _say(out, f"{why}; {progress_line(status, loop.time() - started, done=True)}")
    return EXIT_FAILED if status.source_error else EXIT_ENDED


def write_live_reports(status: RuntimeStatus, out: TextIO) -> tuple[Path, ...] | None:
    """The live's report beside a log that closed cleanly (`reports.report_beside`); a failure is
    one line on `out`, never the end of the command."""
    log = status.whole_log
    if log is None:
        return None
    written = report_beside(log)
    if written.error:
        _say(out, f"the live's report was not written: {display(written.error, 300)}")
        return None
    return written.files


def progress_line(status: RuntimeStatus, elapsed_s: float, *, done: bool = False) -> str:
    """One line: time recording (or, once `done`, recorded), events, each source's link, the log
    and its size."""
    verb = "recorded" if done else "recording"
    parts = [f"{verb} {clock(elapsed_s)}", f"{status.events_recorded:,} events"]
    parts += [_link(source) for source in status.sources]
    parts.append(_log(status))
    return " · ".join(parts)


def _link(source: SourceStatus) -> str:
    if source.error:
        state = "failed"
    elif source.finished:
        state = "ended"
    else:
        state = source.link
    return f"{display(source.name, 40)} {state}"


def _log(status: RuntimeStatus) -> str:
    if not status.recording or status.log_path is None:
        return "not recording"
    try:
        size = os.stat(status.log_path).st_size
    except OSError:
        size = 0
    text = f"log {_size(size)} {display(str(status.log_path), 200)}"
    if status.log_health == "failing":
        text += f" FAILING: {display(status.log_error or '', 200)}"
        if status.events_unwritten:
            text += f" ({status.events_unwritten:,} events not on disk, held in memory)"
    return text


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    value = n / 1024
    for unit in ("KB", "MB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def _say(out: TextIO, line: str) -> None:
    # A closed or broken stderr (the scheduler went away) must not stop the recording.
    with contextlib.suppress(OSError, ValueError):
        print(f"{APP_NAME}: {line}", file=out, flush=True)
