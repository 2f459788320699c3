"""``backstage --headless``: a live recorded with no screen, ended by its source or by a signal,
and the console's refusal to draw into something that is not a terminal."""

from __future__ import annotations

import asyncio
import gc
import io
import os
import pty
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import ClassVar

import pytest

from backstage_tui.events import Event
from backstage_tui.gc_tuning import YOUNG_THRESHOLD
from backstage_tui.headless import EXIT_ENDED, EXIT_FAILED, progress_line, run_headless
from backstage_tui.runtime import SessionRuntime
from backstage_tui.session import SessionReader
from backstage_tui.session.summary import SUMMARY_TAG
from backstage_tui.sources.base import Source
from tests.helpers import ListSource, chat, is_one_readable_line, run_cli, runtime_status

FAST_DEMO = ("--option", "rate=100000", "--option", "seed=3")


def summary_checked(log: Path) -> str:
    """`sessions show` on `log`, after checking it ends with its summary line."""
    assert log.read_bytes().rstrip(b"\n").rsplit(b"\n", 1)[-1].startswith(SUMMARY_TAG)
    report = run_cli("sessions", "show", str(log))
    assert report.returncode == 0, report.stderr
    assert "summary written at close" in report.stdout and "matches" in report.stdout
    return report.stdout


def test_headless_records_until_the_source_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Exactly the source's events: without auto-moderation, whose decisions would be logged too.
    monkeypatch.setenv("BACKSTAGE_AUTOMOD__ENABLED", "false")
    out = run_cli(
        "--headless", *FAST_DEMO, "--option", "limit=500", "--sessions-dir", str(tmp_path)
    )
    assert out.returncode == 0, out.stderr
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("backstage: the source ended; recorded ")
    assert "500 events" in last and "demo ended" in last and "log " in last
    (log,) = tmp_path.glob("*-demo.jsonl")
    assert "events 500" in summary_checked(log)
    assert f"session log: {log}" in out.stdout
    assert "\x1b" not in out.stdout + out.stderr  # no screen, no escape codes


def test_headless_with_two_sources_and_their_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Exactly the sources' events: without auto-moderation, whose decisions would be logged too
    # (the demo's unseeded stream sometimes holds a message a rule judges).
    monkeypatch.setenv("BACKSTAGE_AUTOMOD__ENABLED", "false")
    feed = tmp_path / "in.jsonl"
    feed.write_text('{"type":"comment","user":{"id":"1","handle":"ann"},"text":"from a file"}\n')
    out = run_cli(
        "--headless",
        "--source", "demo", "--source", "jsonl",
        "-o", "demo.limit=40", "-o", "demo.rate=100000", "-o", f"jsonl.path={feed}",
        "--sessions-dir", str(tmp_path),
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "the sources ended" in out.stderr and "demo ended · jsonl ended" in out.stderr
    (log,) = tmp_path.glob("*-demo+jsonl.jsonl")
    reader = SessionReader(log)
    events = reader.events()
    assert len(events) == 41
    assert [e.source for e in events if e.source == "jsonl"] == ["jsonl"]
    assert reader.header is not None
    assert [(s["name"], s["options"].get("limit")) for s in reader.header.sources] == [
        ("demo", 40),
        ("jsonl", None),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--headless", "--option", "rate=fast"), "option rate='fast' for source 'demo'"),
        (("--source", "demo", "--source", "jsonl", "-o", "rate=3"), "say which one"),
        (("--source", "demo", "--source", "jsonl", "-o", "nope.rate=3"), "names no source"),
        (("--source", "demo", "--source", "demo"), "given twice"),
        (("--headless", "replay", "x.jsonl"), "a replay is shown in the console"),
        (("--progress-every", "1"), "goes with --headless"),
        (("--headless", "--progress-every", "0"), "above 0"),
    ],
)
def test_bad_headless_and_multi_source_input_is_one_line(
    args: tuple[str, ...], message: str, tmp_path: Path
) -> None:
    out = run_cli(*args, cwd=tmp_path)
    assert out.returncode == 2, out.stderr
    assert is_one_readable_line(out.stderr.strip()) and message in out.stderr, out.stderr


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_closes_the_log_with_its_summary(sig: signal.Signals, tmp_path: Path) -> None:
    errors = tmp_path / "stderr.txt"
    command = [sys.executable, "-m", "backstage_tui.cli", "--headless", "-o", "rate=300",
               "--progress-every", "0.1", "--sessions-dir", str(tmp_path)]  # fmt: skip
    with errors.open("w") as err:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err, text=True)
    try:
        deadline = time.monotonic() + 30
        while "· log " not in errors.read_text():
            assert process.poll() is None, errors.read_text()
            assert time.monotonic() < deadline, "no progress line within 30 s"
            time.sleep(0.05)  # another process's output; nothing in-process to await
        process.send_signal(sig)
        stdout, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, errors.read_text()
    lines = errors.read_text().strip().splitlines()
    assert lines[-1].startswith(f"backstage: stopped by {sig.name}; recorded ")
    assert all(line.startswith("backstage: recording ") for line in lines[:-1])
    (log,) = tmp_path.glob("*-demo.jsonl")
    summary_checked(log)
    assert "session log:" in stdout


class _Failing(Source):
    name: ClassVar[str] = "failing"

    async def events(self) -> AsyncIterator[Event]:
        yield chat("before the fall")
        raise ConnectionError("refused for good")


def test_a_source_failing_for_good_exits_1_with_the_log_closed(tmp_path: Path) -> None:
    runtime = SessionRuntime(_Failing(), sessions_dir=tmp_path)
    out = io.StringIO()
    assert run_headless(runtime, every=60, out=out) == EXIT_FAILED
    assert "failing failed" in out.getvalue()
    assert runtime.log_path is not None
    summary_checked(runtime.log_path)


def test_a_finished_source_exits_0_and_progress_names_each_link(tmp_path: Path) -> None:
    runtime = SessionRuntime(ListSource([chat("x")], stay_open=False), sessions_dir=tmp_path)
    out = io.StringIO()
    assert run_headless(runtime, every=60, out=out) == EXIT_ENDED
    assert out.getvalue().startswith("backstage: the source ended; recorded 0:00:00 · 1 events")
    line = progress_line(runtime_status(log_path=None, log_health="off"), 3725)
    assert line == "recording 1:02:05 · 12 events · not recording"


class _Watching(Source):
    """Notes the collector's first threshold while the live is being recorded."""

    name: ClassVar[str] = "watching"
    seen: ClassVar[list[int]] = []

    async def events(self) -> AsyncIterator[Event]:
        for n in range(3):
            await asyncio.sleep(0)
            self.seen.append(gc.get_threshold()[0])
            yield chat(f"line {n}")


def test_recording_tunes_the_collector_and_restores_it_after(tmp_path: Path) -> None:
    before = gc.get_threshold()
    _Watching.seen.clear()
    runtime = SessionRuntime(_Watching(), sessions_dir=tmp_path)
    assert run_headless(runtime, every=60, out=io.StringIO()) == EXIT_ENDED
    assert _Watching.seen and set(_Watching.seen) == {YOUNG_THRESHOLD}
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_the_console_refuses_output_that_is_not_a_terminal(tmp_path: Path) -> None:
    out = run_cli("--sessions-dir", str(tmp_path))
    assert out.returncode == 2
    assert out.stderr.strip() == (
        "backstage: error: the console needs a terminal and standard output is not one; "
        "to record without a screen, use backstage --headless"
    )
    assert out.stdout == ""  # no escape codes written into the redirected output
    # Events on stdin do not make a pipe on stdout acceptable.
    piped = run_cli(
        "--source", "jsonl", "-o", "path=-", "--sessions-dir", str(tmp_path), stdin="{}\n"
    )
    assert piped.returncode == 2 and "standard output is not one" in piped.stderr


def test_the_console_refuses_stdin_that_is_not_a_terminal(tmp_path: Path) -> None:
    """stdout a terminal (a pty), stdin a pipe, and no source reading it: the keys would never
    come, so the command says so rather than start."""
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "backstage_tui.cli", "--sessions-dir", str(tmp_path)],
            stdout=follower,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            input="",
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 2
    assert "standard input is not one" in done.stderr and "--headless" in done.stderr


def test_the_console_refuses_stderr_that_is_not_a_terminal(tmp_path: Path) -> None:
    """stdin and stdout a terminal, stderr redirected to a file: Textual draws the screen on
    stderr, so the screen would go into the file and the terminal stay blank."""
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "backstage_tui.cli", "--sessions-dir", str(tmp_path)],
            stdin=follower,
            stdout=follower,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "backstage: error: the console needs a terminal and standard error (where the screen is "
        "drawn) is not one; to record without a screen, use backstage --headless"
    )
    assert not list(tmp_path.glob("*.jsonl"))  # refused before anything was recorded
